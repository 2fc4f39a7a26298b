/**
 * The cryptographic operations of a key version, given a usable key (state already checked by the
 * vault) and, where needed, its loaded key. Each returns a Result; expected failures (a tampered
 * envelope, a bad signature length) are values, not exceptions.
 *
 * HMAC keys (RFC 2104) make and check tags with the loaded key; their tags are always full length.
 *
 * Encryption is HPKE to the public key for KEM keys and an AEAD envelope for symmetric keys (architecture
 * §7); only the latter needs the secret to encrypt, so it is loaded lazily.
 */
import { fail, ok, type Failure, type Result } from "../../../shared/errors.ts";
import type { SignInputWire } from "../../../shared/rpc.ts";
import { DATA_KEY_ALGORITHM, generateDataKey, openAeadEnvelope, sealAeadEnvelope } from "../crypto/aead-envelope.ts";
import { ALGORITHMS, isAlgorithmName, type AlgorithmName, type KemAlgorithmName, type SignatureAlgorithmName } from "../crypto/algorithms.ts";
import type { Envelope } from "../crypto/envelope.ts";
import { CryptoInputError } from "../crypto/errors.ts";
import { openEnvelope, sealEnvelope } from "../crypto/hpke-envelope.ts";
import type { CryptoProvider, MacKeyHandle, PrivateKeyHandle, SecretKeyHandle } from "../crypto/provider.ts";
import type { LoadedKey } from "./key-material.ts";

export interface VersionRef {
  keyId: string;
  algorithm: AlgorithmName;
  version: number;
  /** Null for symmetric keys. */
  publicKey: Uint8Array | null;
}

/** Loads the version's key when an operation needs it (a failure if its material is unusable). */
export type LoadKey = () => Promise<LoadedKey | Failure>;

const isFailure = (value: LoadedKey | Failure): value is Failure => "ok" in value;

function isSymmetric(ref: VersionRef): boolean {
  return isAlgorithmName(ref.algorithm) && ALGORITHMS[ref.algorithm].kind === "aead";
}

/** The vault checks each operation against the key's algorithm first, so a mismatch here is a bug. */
function privateKey(key: LoadedKey): PrivateKeyHandle {
  if (!("publicKey" in key)) throw new TypeError("expected a private key");
  return key;
}

function secretKey(key: LoadedKey): SecretKeyHandle {
  if ("publicKey" in key || !isAlgorithmName(key.algorithm) || ALGORITHMS[key.algorithm].kind !== "aead") throw new TypeError("expected a symmetric key");
  return key as SecretKeyHandle;
}

function macKey(key: LoadedKey): MacKeyHandle {
  if ("publicKey" in key || !isAlgorithmName(key.algorithm) || ALGORITHMS[key.algorithm].kind !== "mac") throw new TypeError("expected an HMAC key");
  return key as MacKeyHandle;
}

function publicKeyOf(ref: VersionRef): Uint8Array {
  if (ref.publicKey === null) throw new TypeError(`${ref.algorithm} version ${ref.version} has no public key`);
  return ref.publicKey;
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

export async function encrypt(provider: CryptoProvider, ref: VersionRef, load: LoadKey, plaintext: Uint8Array, aad: Uint8Array) {
  if (!isSymmetric(ref)) {
    return guard("plaintext", async () => ({
      ciphertext: await sealEnvelope(provider, ref.algorithm as KemAlgorithmName, ref.keyId, ref.version, publicKeyOf(ref), plaintext, aad),
      key_version: ref.version,
    }));
  }
  const key = await load();
  if (isFailure(key)) return key;
  return guard("plaintext", async () => ({
    ciphertext: await sealAeadEnvelope(provider, secretKey(key), ref.keyId, ref.version, plaintext, aad),
    key_version: ref.version,
  }));
}

export async function decrypt(
  provider: CryptoProvider,
  ref: VersionRef,
  load: LoadKey,
  envelope: Envelope,
  aad: Uint8Array,
): Promise<Result<{ plaintext: Uint8Array; key_version: number }>> {
  const key = await load();
  if (isFailure(key)) return key;
  const binding = { keyId: ref.keyId, keyVersion: ref.version };
  const opened = isSymmetric(ref)
    ? await openAeadEnvelope(provider, secretKey(key), envelope, aad, binding)
    : await openEnvelope(provider, privateKey(key), envelope, aad, binding);
  return opened.ok ? ok({ plaintext: opened.value, key_version: ref.version }) : fail("decrypt_failed");
}

export function encapsulate(provider: CryptoProvider, ref: VersionRef) {
  return guard("key", async () => {
    const { ciphertext, sharedSecret } = await provider.encapsulate(ref.algorithm as KemAlgorithmName, publicKeyOf(ref));
    return { ciphertext, shared_secret: sharedSecret, key_version: ref.version };
  });
}

export async function decapsulate(provider: CryptoProvider, ref: VersionRef, load: LoadKey, ciphertext: Uint8Array) {
  const spec = ALGORITHMS[ref.algorithm as KemAlgorithmName];
  if (ciphertext.length !== spec.ciphertextLength) {
    return fail("invalid_request", `body.ciphertext: must be ${spec.ciphertextLength} bytes for ${spec.name}`);
  }
  const key = await load();
  if (isFailure(key)) return key;
  // FIPS 203 §6.3: a wrong ciphertext of the right length yields a pseudorandom secret, not an error.
  return guard("body.ciphertext", async () => ({
    shared_secret: await provider.decapsulate(privateKey(key), ciphertext),
    key_version: ref.version,
  }));
}

/** External μ is an ML-DSA notion (FIPS 204 Algorithm 7 line 6); other signature keys refuse it. */
function refusesMu(ref: VersionRef, input: SignInputWire): Failure | null {
  const spec = isAlgorithmName(ref.algorithm) ? ALGORITHMS[ref.algorithm] : undefined;
  const muLength = spec?.kind === "signature" ? spec.muLength : null;
  return "mu" in input && muLength === null ? fail("unsupported_operation", `${ref.algorithm} keys do not sign or verify an external mu`) : null;
}

export async function sign(provider: CryptoProvider, ref: VersionRef, load: LoadKey, input: SignInputWire) {
  const refused = refusesMu(ref, input);
  if (refused) return refused;
  const key = await load();
  if (isFailure(key)) return key;
  return guard("body", async () => ({
    signature: await provider.sign(privateKey(key), "mu" in input ? { mu: input.mu } : { message: input.message }, {
      ...("context" in input && input.context ? { context: input.context } : {}),
    }),
    key_version: ref.version,
  }));
}

export async function verify(provider: CryptoProvider, ref: VersionRef, input: SignInputWire, signature: Uint8Array) {
  const refused = refusesMu(ref, input);
  if (refused) return refused;
  return guard("body", async () => ({
    valid: await provider.verify(
      ref.algorithm as SignatureAlgorithmName,
      publicKeyOf(ref),
      "mu" in input ? { mu: input.mu } : { message: input.message },
      signature,
      "context" in input ? input.context : undefined,
    ),
    key_version: ref.version,
  }));
}

/** HMAC(K, message) with the primary version's key (RFC 2104 §2): the full-length tag. */
export async function mac(provider: CryptoProvider, ref: VersionRef, load: LoadKey, message: Uint8Array) {
  const key = await load();
  if (isFailure(key)) return key;
  return guard("body.message", async () => ({ mac: await provider.mac(macKey(key), message), key_version: ref.version }));
}

/** Checks a tag in constant time (mac.ts); a tag of the wrong length or value is `valid: false`. */
export async function verifyMac(provider: CryptoProvider, ref: VersionRef, load: LoadKey, message: Uint8Array, tag: Uint8Array) {
  const key = await load();
  if (isFailure(key)) return key;
  return guard("body", async () => ({ valid: await provider.verifyMac(macKey(key), message, tag), key_version: ref.version }));
}

/**
 * Rewrap (architecture §5): open the envelope under the version it names, seal the plaintext again under
 * the primary version. The plaintext never leaves the vault and is wiped before returning.
 */
export async function rewrap(
  provider: CryptoProvider,
  source: { ref: VersionRef; load: LoadKey },
  target: { ref: VersionRef; load: LoadKey },
  envelope: Envelope,
  aad: Uint8Array,
): Promise<Result<{ ciphertext: Uint8Array; key_version: number; source_version: number }>> {
  const opened = await decrypt(provider, source.ref, source.load, envelope, aad);
  if (!opened.ok) return opened;
  try {
    const sealed = await encrypt(provider, target.ref, target.load, opened.value.plaintext, aad);
    return sealed.ok ? ok({ ...sealed.value, source_version: source.ref.version }) : sealed;
  } finally {
    opened.value.plaintext.fill(0);
  }
}

/**
 * A data key (architecture §5): a fresh AES-256 key sealed under the primary version, for the caller to
 * encrypt its own data with. The plaintext copy is returned only when asked for, and wiped here.
 */
export async function dataKey(
  provider: CryptoProvider,
  ref: VersionRef,
  load: LoadKey,
  options: { plaintext: boolean; aad: Uint8Array },
): Promise<Result<{ ciphertext: Uint8Array; key_version: number; plaintext: Uint8Array | null; algorithm: string }>> {
  const key = generateDataKey();
  try {
    const sealed = await encrypt(provider, ref, load, key, options.aad);
    if (!sealed.ok) return sealed;
    return ok({ ...sealed.value, plaintext: options.plaintext ? key.slice() : null, algorithm: DATA_KEY_ALGORITHM });
  } finally {
    key.fill(0);
  }
}
