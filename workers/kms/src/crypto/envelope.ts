/**
 * The ciphertext envelope of architecture §7, byte-exact. All integers big-endian.
 *
 *   "PQK" 0x01 | type (1) | key id (16, UUID bytes) | key version (u32) |
 *   HPKE (type 0x01): kem_id (u16) kdf_id (u16) aead_id (u16) | enc (Nenc of kem_id) | ct
 *   AEAD (type 0x02): alg_id (u16: 0x0001 AES-256-GCM, 0x0002 ChaCha20-Poly1305) | nonce (12) | ct‖tag
 *
 * `header` is every byte before enc / nonce: 31 bytes for HPKE, 27 for AEAD. HPKE envelopes use it as
 * HPKE `info`; AEAD envelopes put it first in the AAD.
 *
 * Trust boundary: `decodeEnvelope` parses tenant-supplied bytes. It is total (never throws, fuzzed
 * in the tests), checks structure only, and returns a tagged result whose reason is for logs and
 * tests, not for API responses: the decrypt path answers one opaque `decrypt_failed` whatever the
 * reason (see hpke-envelope.ts).
 */
import { aeadAlgorithmForEnvelopeId, kemAlgorithmForHpkeKemId, type AeadAlgorithm, type HpkeSuite, type KemAlgorithm } from "./algorithms.ts";
import { ENVELOPE_FORMAT_VERSION, ENVELOPE_MAGIC, ENVELOPE_PREFIX_LENGTH, readEnvelopePrefix } from "../../../shared/envelope-header.ts";
import { concatBytes, readU16be, u16be, u32be, uuidToBytes } from "./bytes.ts";
import { failBecause, ok, type Result } from "../../../shared/errors.ts";
import { assertBytes, CryptoInputError } from "./errors.ts";

export const ENVELOPE_VERSION = ENVELOPE_FORMAT_VERSION;
export const ENVELOPE_TYPE = { HPKE: 0x01, AEAD: 0x02 } as const;

/** Bytes before the type-specific part (magic, version, type, key id, key version): shared/envelope-header.ts. */
const COMMON_LENGTH = ENVELOPE_PREFIX_LENGTH;
export const HPKE_HEADER_LENGTH = COMMON_LENGTH + 6;
export const AEAD_HEADER_LENGTH = COMMON_LENGTH + 2;
/** Every AEAD we use has a 16-byte tag (RFC 9180 §7.3 Nt; SP 800-38D; RFC 8439). */
const HPKE_TAG_LENGTH = 16;

export interface HpkeEnvelope {
  readonly type: "hpke";
  readonly keyId: string;
  readonly keyVersion: number;
  readonly suite: HpkeSuite;
  /** The catalog KEM for `suite.kemId`. */
  readonly kem: KemAlgorithm;
  readonly header: Uint8Array;
  readonly enc: Uint8Array;
  readonly ciphertext: Uint8Array;
}

export interface AeadEnvelope {
  readonly type: "aead";
  readonly keyId: string;
  readonly keyVersion: number;
  readonly algId: number;
  /** The catalog AEAD for `algId`. */
  readonly aead: AeadAlgorithm;
  readonly header: Uint8Array;
  readonly nonce: Uint8Array;
  /** ct‖tag. */
  readonly ciphertext: Uint8Array;
}

export type Envelope = HpkeEnvelope | AeadEnvelope;

export type EnvelopeDecodeError =
  | "too_short"
  | "bad_magic"
  | "unsupported_version"
  | "unknown_type"
  | "unknown_suite"
  | "suite_mismatch"
  | "enc_truncated"
  | "ciphertext_too_short";

export type EnvelopeHeaderFields =
  | { readonly type: "hpke"; readonly keyId: string; readonly keyVersion: number; readonly suite: HpkeSuite }
  | { readonly type: "aead"; readonly keyId: string; readonly keyVersion: number; readonly algId: number };

/** Encodes the header: the exact bytes HPKE uses as `info` / AEAD puts first in its AAD. */
export function encodeEnvelopeHeader(fields: EnvelopeHeaderFields): Uint8Array {
  const operation = "encode envelope header";
  const keyId = uuidToBytes(fields.keyId);
  if (keyId === undefined) throw new CryptoInputError(operation, "key id must be a UUID");
  if (!Number.isInteger(fields.keyVersion) || fields.keyVersion < 0 || fields.keyVersion > 0xffffffff) {
    throw new CryptoInputError(operation, "key version must be a u32");
  }
  if (fields.type === "hpke") {
    const kem = kemAlgorithmForHpkeKemId(fields.suite.kemId);
    if (kem === undefined || !sameSuite(kem.hpke, fields.suite)) throw new CryptoInputError(operation, "suite is not one of the catalog's HPKE suites");
    const suite = concatBytes(u16be(fields.suite.kemId), u16be(fields.suite.kdfId), u16be(fields.suite.aeadId));
    return concatBytes(ENVELOPE_MAGIC, Uint8Array.of(ENVELOPE_VERSION, ENVELOPE_TYPE.HPKE), keyId, u32be(fields.keyVersion), suite);
  }
  if (aeadAlgorithmForEnvelopeId(fields.algId) === undefined) throw new CryptoInputError(operation, "unknown AEAD alg id");
  return concatBytes(ENVELOPE_MAGIC, Uint8Array.of(ENVELOPE_VERSION, ENVELOPE_TYPE.AEAD), keyId, u32be(fields.keyVersion), u16be(fields.algId));
}

function sameSuite(a: HpkeSuite, b: HpkeSuite): boolean {
  return a.kemId === b.kemId && a.kdfId === b.kdfId && a.aeadId === b.aeadId;
}

/** header ‖ enc ‖ ct for an HPKE envelope whose header came from `encodeEnvelopeHeader`. */
export function assembleHpkeEnvelope(header: Uint8Array, enc: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  assertBytes("assemble envelope", "header", header);
  if (header.length !== HPKE_HEADER_LENGTH || header[4] !== ENVELOPE_TYPE.HPKE) throw new CryptoInputError("assemble envelope", "not an HPKE header");
  return concatBytes(header, enc, ciphertext);
}

/** header ‖ nonce ‖ ct‖tag for an AEAD envelope. */
export function assembleAeadEnvelope(header: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  assertBytes("assemble envelope", "header", header);
  if (header.length !== AEAD_HEADER_LENGTH || header[4] !== ENVELOPE_TYPE.AEAD) throw new CryptoInputError("assemble envelope", "not an AEAD header");
  return concatBytes(header, nonce, ciphertext);
}

/** Every decoding failure is an opaque `decrypt_failed` to the API; the reason is for logs and tests. */
const undecodable = (reason: EnvelopeDecodeError) => failBecause("decrypt_failed", reason);

/** Parses an envelope. Never throws; the returned views are copies, safe to keep. */
export function decodeEnvelope(bytes: Uint8Array): Result<Envelope, EnvelopeDecodeError> {
  const prefix = readEnvelopePrefix(bytes);
  if (!prefix.ok) return prefix;
  const { type, keyId, keyVersion } = prefix.value;

  if (type === ENVELOPE_TYPE.HPKE) {
    if (bytes.length < HPKE_HEADER_LENGTH) return undecodable("too_short");
    const suite = { kemId: readU16be(bytes, 25), kdfId: readU16be(bytes, 27), aeadId: readU16be(bytes, 29) };
    const kem = kemAlgorithmForHpkeKemId(suite.kemId);
    if (kem === undefined) return undecodable("unknown_suite");
    // Only the suite the catalog pairs with this KEM is accepted (architecture §7).
    if (!sameSuite(kem.hpke, suite)) return undecodable("suite_mismatch");
    const encEnd = HPKE_HEADER_LENGTH + kem.ciphertextLength;
    if (bytes.length < encEnd) return undecodable("enc_truncated");
    if (bytes.length - encEnd < HPKE_TAG_LENGTH) return undecodable("ciphertext_too_short");
    return ok({
      type: "hpke",
      keyId,
      keyVersion,
      suite,
      kem,
      header: bytes.slice(0, HPKE_HEADER_LENGTH),
      enc: bytes.slice(HPKE_HEADER_LENGTH, encEnd),
      ciphertext: bytes.slice(encEnd),
    });
  }

  if (type === ENVELOPE_TYPE.AEAD) {
    if (bytes.length < AEAD_HEADER_LENGTH) return undecodable("too_short");
    const algId = readU16be(bytes, 25);
    const aead = aeadAlgorithmForEnvelopeId(algId);
    if (aead === undefined) return undecodable("unknown_suite");
    const nonceEnd = AEAD_HEADER_LENGTH + aead.nonceLength;
    if (bytes.length - nonceEnd < aead.tagLength) return undecodable("ciphertext_too_short");
    return ok({
      type: "aead",
      keyId,
      keyVersion,
      algId,
      aead,
      header: bytes.slice(0, AEAD_HEADER_LENGTH),
      nonce: bytes.slice(AEAD_HEADER_LENGTH, nonceEnd),
      ciphertext: bytes.slice(nonceEnd),
    });
  }

  return undecodable("unknown_type");
}
