/**
 * Signature verification with only a pqkms public key, no call to the service: ML-DSA-44/65/87
 * (FIPS 204 pure, Algorithm 3, with context), SLH-DSA-SHA2-128s/128f (FIPS 205 pure, Algorithm 24,
 * with context) and Composite-ML-DSA-65-P256 (draft-ietf-lamps-pq-composite-sigs-19 §3.3, as the
 * service signs it). It is the kms's own verification (NobleProvider over signature-schemes.ts and
 * composite-ml-dsa.ts), so offline and `POST /v1/keys/{key}/verify` give the same answer.
 *
 * Trust boundary: none beyond the caller's; message, signature and public key are untrusted. A bad
 * or malformed signature is `false`; only unusable arguments throw (`OfflineInputError`).
 */
import { ALGORITHMS } from "../../../../workers/kms/src/crypto/algorithms.ts";
import { NobleProvider } from "../../../../workers/kms/src/crypto/noble-provider.ts";
import { OfflineInputError, requireBytes } from "./errors.ts";
import { parsePublicKey, type PublicKeyInput } from "./public-key.ts";

const provider = new NobleProvider();

export interface VerifyOptions {
  /** The application context ctx the signer used, 0–255 bytes (FIPS 204 §5.2, FIPS 205 §10.2). Default empty. */
  readonly context?: Uint8Array;
}

/** Whether `signature` is a valid signature of `message` (with `context`) under the public key. */
export async function verify(publicKey: PublicKeyInput, message: Uint8Array, signature: Uint8Array, options: VerifyOptions = {}): Promise<boolean> {
  const key = parsePublicKey(publicKey);
  const spec = ALGORITHMS[key.algorithm];
  if (spec.kind !== "signature") throw new OfflineInputError("wrong_key_type", "publicKey", `${key.algorithm} is an encryption key: verify needs a signing key`);
  const bytes = requireBytes("message", message);
  const sig = requireBytes("signature", signature);
  const context = options.context === undefined ? undefined : requireBytes("options.context", options.context);
  if (context !== undefined) {
    // FIPS 204 Algorithm 3 line 1, FIPS 205 Algorithm 24 line 1, composite §3.3 step 1.
    if (context.length > spec.maxContextLength) throw new OfflineInputError("invalid_argument", "options.context", `at most ${spec.maxContextLength} bytes, got ${context.length}`);
  }
  return provider.verify(spec.name, key.raw, { message: bytes }, sig, context);
}
