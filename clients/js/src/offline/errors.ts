/**
 * The one error the offline functions throw for input they cannot use: an unknown algorithm OID, a
 * signing key given to `seal`, a public key of the wrong length, a missing key id. `code` is stable
 * for programs, `field` names the input at fault, `message` says what is wrong in words.
 *
 * An invalid signature is not an input error: `verify` answers false for it.
 */

export type OfflineInputErrorCode =
  /** The input is none of the accepted public key forms (PEM, SPKI DER, JWK, endpoint answer, {algorithm, raw}). */
  | "unrecognised_input"
  /** PEM text that does not decode, or a label other than PUBLIC KEY. */
  | "bad_pem"
  /** DER that is not a SubjectPublicKeyInfo of the shape RFC 5280 §4.1.2.7 gives. */
  | "bad_spki"
  /** An SPKI or JWK naming an algorithm pqkms does not have. */
  | "unknown_algorithm"
  /** A JWK that is not a public AKP key as the service emits it. */
  | "bad_jwk"
  /** A private key where a public key belongs. */
  | "private_key"
  /** Bytes of the wrong length for the algorithm (public key, key material). */
  | "wrong_length"
  /** A public key of the right length that is still not a valid one (FIPS 203 §7.2 modulus check, low-order X25519 part). */
  | "invalid_public_key"
  /** The key cannot do this: a signing key given to seal, a KEM key given to verify. */
  | "wrong_key_type"
  /** seal needs the key id and version the envelope header names (architecture §7). */
  | "missing_key_id"
  /** A key id that is not a UUID, a version that is not a positive u32, two disagreeing values. */
  | "bad_key_id"
  /** Any other argument of the wrong type or size (plaintext, aad, context, job id). */
  | "invalid_argument";

export class OfflineInputError extends Error {
  readonly code: OfflineInputErrorCode;
  /** The argument or field at fault, e.g. "publicKey", "options.keyId", "context". */
  readonly field: string;

  constructor(code: OfflineInputErrorCode, field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = "OfflineInputError";
    this.code = code;
    this.field = field;
  }
}

/**
 * A Uint8Array from any realm (an iframe, a `node:vm` context, a Buffer), as a Uint8Array of this
 * one, or undefined for anything else. `instanceof` alone would refuse bytes made by another
 * realm's TextEncoder; the kms code this package reuses checks `instanceof`, so those are copied.
 */
export function asBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === "[object Uint8Array]") return Uint8Array.from(value as unknown as ArrayLike<number>);
  return undefined;
}

/** `asBytes`, or an `invalid_argument` refusal naming the field. */
export function requireBytes(field: string, value: unknown): Uint8Array {
  const bytes = asBytes(value);
  if (bytes === undefined) throw new OfflineInputError("invalid_argument", field, "must be a Uint8Array");
  return bytes;
}
