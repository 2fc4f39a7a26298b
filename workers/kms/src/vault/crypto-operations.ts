/**
 * The cryptographic operations of a key version, given a usable key (state already checked by the
 * vault) and, where needed, its decoded private key. Each returns a Result; expected failures
 * (a tampered envelope, a bad signature length) are values, not exceptions.
 */
import { fail, ok, type Result } from "../../../shared/errors.ts";
import type { SignInputWire } from "../../../shared/rpc.ts";
import { ALGORITHMS, type KemAlgorithmName, type SignatureAlgorithmName } from "../crypto/algorithms.ts";
import { CryptoInputError } from "../crypto/errors.ts";
import { openEnvelope, sealEnvelope } from "../crypto/hpke-envelope.ts";
import type { CryptoProvider, PrivateKeyHandle } from "../crypto/provider.ts";

export interface VersionRef {
  keyId: string;
  algorithm: string;
  version: number;
  publicKey: Uint8Array;
}

/** Input errors from the provider become 400s that name the field; anything else propagates. */
async function guard<T>(field: string, run: () => Promise<T>): Promise<Result<T>> {
  try {
    return ok(await run());
  } catch (error) {
    if (error instanceof CryptoInputError) return fail("invalid_request", `${field}: ${error.message}`);
    throw error;
  }
}

export function encrypt(provider: CryptoProvider, ref: VersionRef, plaintext: Uint8Array, aad: Uint8Array) {
  return guard("plaintext", async () => ({
    ciphertext: await sealEnvelope(provider, ref.algorithm as KemAlgorithmName, ref.keyId, ref.version, ref.publicKey, plaintext, aad),
    key_version: ref.version,
  }));
}

export async function decrypt(
  provider: CryptoProvider,
  ref: VersionRef,
  handle: PrivateKeyHandle,
  envelope: Uint8Array,
  aad: Uint8Array,
): Promise<Result<{ plaintext: Uint8Array; key_version: number }>> {
  const opened = await openEnvelope(provider, handle, envelope, aad, { keyId: ref.keyId, keyVersion: ref.version });
  return opened.ok ? ok({ plaintext: opened.value, key_version: ref.version }) : fail("decrypt_failed");
}

export function encapsulate(provider: CryptoProvider, ref: VersionRef) {
  return guard("key", async () => {
    const { ciphertext, sharedSecret } = await provider.encapsulate(ref.algorithm as KemAlgorithmName, ref.publicKey);
    return { ciphertext, shared_secret: sharedSecret, key_version: ref.version };
  });
}

export function decapsulate(provider: CryptoProvider, ref: VersionRef, handle: PrivateKeyHandle, ciphertext: Uint8Array) {
  const spec = ALGORITHMS[ref.algorithm as KemAlgorithmName];
  if (ciphertext.length !== spec.ciphertextLength) {
    return Promise.resolve(fail("invalid_request", `body.ciphertext: must be ${spec.ciphertextLength} bytes for ${spec.name}`));
  }
  // FIPS 203 §6.3: a wrong ciphertext of the right length yields a pseudorandom secret, not an error.
  return guard("body.ciphertext", async () => ({
    shared_secret: await provider.decapsulate(handle, ciphertext),
    key_version: ref.version,
  }));
}

export function sign(provider: CryptoProvider, ref: VersionRef, handle: PrivateKeyHandle, input: SignInputWire) {
  return guard("body", async () => ({
    signature: await provider.sign(handle, "mu" in input ? { mu: input.mu } : { message: input.message }, {
      ...("context" in input && input.context ? { context: input.context } : {}),
    }),
    key_version: ref.version,
  }));
}

export function verify(provider: CryptoProvider, ref: VersionRef, input: SignInputWire, signature: Uint8Array) {
  return guard("body", async () => ({
    valid: await provider.verify(
      ref.algorithm as SignatureAlgorithmName,
      ref.publicKey,
      "mu" in input ? { mu: input.mu } : { message: input.message },
      signature,
      "context" in input ? input.context : undefined,
    ),
    key_version: ref.version,
  }));
}
