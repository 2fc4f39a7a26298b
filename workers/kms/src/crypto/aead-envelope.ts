/**
 * AEAD envelopes (architecture §7, type 0x02) for symmetric keys, and data keys (architecture §5 /datakey).
 *
 *   envelope = header ‖ nonce (12) ‖ ct‖tag, header = "PQK" 0x01 0x02 | key id | version | alg_id
 *   ct‖tag   = AEAD-Seal(key, nonce, aad = header ‖ caller aad, plaintext)
 *
 * alg_id 0x0001 is AES-256-GCM (SP 800-38D, 96-bit IV, 128-bit tag), 0x0002 ChaCha20-Poly1305
 * (RFC 8439 §2.8). The nonce is 96 fresh random bits per envelope: SP 800-38D §8.2.2's RBG-based
 * construction, whose §8.3 bound of 2^32 invocations per key applies to each key version (rotate
 * well before it); for ChaCha20-Poly1305 random 96-bit nonces meet RFC 8439 §4's uniqueness
 * requirement with the same bound. Putting the header in the AAD binds key id, version and
 * algorithm: an envelope relabelled for another key or version does not authenticate.
 *
 * Trust boundary: `openAeadEnvelope` runs in the TenantVault DO on tenant-supplied bytes. Every
 * failure (malformed envelope, wrong type or algorithm, another key id or version, wrong aad,
 * modified nonce or ciphertext) gives the same `decrypt_failed`. Inputs the vault itself controls
 * (a handle of the wrong kind, a binding that is not a UUID) are programming errors and throw.
 */
import { fail, ok, type Result } from "../../../shared/errors.ts";
import { ALGORITHMS, isAlgorithmName, type AeadAlgorithm, type AeadAlgorithmName } from "./algorithms.ts";
import { concatBytes, systemRandom, type RandomSource } from "./bytes.ts";
import { assembleAeadEnvelope, encodeEnvelopeHeader, type Envelope } from "./envelope.ts";
import { assertBytes, CryptoInputError } from "./errors.ts";
import { namesBinding, type EnvelopeBinding } from "./hpke-envelope.ts";
import type { CryptoProvider, SecretKeyHandle } from "./provider.ts";

/** Data keys are AES-256 keys (architecture §5: "a fresh AES-256 data key"). */
export const DATA_KEY_ALGORITHM: AeadAlgorithmName = "AES-256-GCM";
export const DATA_KEY_LENGTH = 32;

/**
 * A fresh data key: 32 bytes from the CSPRNG (SP 800-133r2 §4: a symmetric key generated directly
 * from an approved RBG). The vault seals it with the wrapping key's envelope (sealEnvelope or
 * sealAeadEnvelope), returns it in plaintext only when asked, and wipes it afterwards.
 */
export function generateDataKey(random: RandomSource = systemRandom): Uint8Array {
  const key = random(DATA_KEY_LENGTH);
  if (!(key instanceof Uint8Array) || key.length !== DATA_KEY_LENGTH) throw new CryptoInputError("generate data key", "random source returned the wrong length");
  return key;
}

function aeadSpec(operation: string, key: SecretKeyHandle): AeadAlgorithm {
  const spec = isAlgorithmName(key?.algorithm) ? ALGORITHMS[key.algorithm] : undefined;
  if (spec?.kind !== "aead") throw new CryptoInputError(operation, "key is not a symmetric AEAD key");
  return spec;
}

/** Encrypts `plaintext` under `key` and returns the envelope bytes (architecture §7, type 0x02). */
export async function sealAeadEnvelope(
  provider: CryptoProvider,
  key: SecretKeyHandle,
  keyId: string,
  keyVersion: number,
  plaintext: Uint8Array,
  aad: Uint8Array,
  random: RandomSource = systemRandom,
): Promise<Uint8Array> {
  const operation = "seal aead envelope";
  const spec = aeadSpec(operation, key);
  assertBytes(operation, "plaintext", plaintext);
  assertBytes(operation, "aad", aad);
  const header = encodeEnvelopeHeader({ type: "aead", keyId, keyVersion, algId: spec.envelopeAlgId });
  const nonce = random(spec.nonceLength);
  if (!(nonce instanceof Uint8Array) || nonce.length !== spec.nonceLength) throw new CryptoInputError(operation, "random source returned the wrong length");
  const sealed = await provider.aeadSeal(key, nonce, concatBytes(header, aad), plaintext);
  return assembleAeadEnvelope(header, nonce, sealed);
}

/**
 * Opens a decoded AEAD envelope (envelope.ts `decodeEnvelope`) with the key of `binding`'s key
 * version. Returns the plaintext, or `decrypt_failed` for any failure at all.
 */
export async function openAeadEnvelope(
  provider: CryptoProvider,
  key: SecretKeyHandle,
  parsed: Envelope,
  aad: Uint8Array,
  binding: EnvelopeBinding,
): Promise<Result<Uint8Array>> {
  const spec = aeadSpec("open aead envelope", key);
  const named = namesBinding("open aead envelope", parsed, binding);
  if (parsed.type !== "aead" || parsed.aead.name !== spec.name || !named) return fail("decrypt_failed");
  if (!(aad instanceof Uint8Array)) return fail("decrypt_failed");

  try {
    return ok(await provider.aeadOpen(key, parsed.nonce, concatBytes(parsed.header, aad), parsed.ciphertext));
  } catch {
    return fail("decrypt_failed");
  }
}
