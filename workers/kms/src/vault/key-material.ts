/**
 * Key material inside the TenantVault (architecture §8): fresh secrets for new key versions, wrapped for
 * storage, and stored secrets loaded back into provider handles, kept in a bounded in-memory cache.
 * The only vault module that sees plaintext secrets, each for the length of one call: seeds are
 * wiped after use, cached handles zeroed when evicted.
 *
 * Trust boundary: secrets in, handles out. Wrapped blobs come from the vault's own storage; one
 * that does not unwrap under its own binding (tenant, key, version, algorithm, KEK) was moved or
 * altered and is never used.
 */
import { fail, type Failure } from "../../../shared/errors.ts";
import { ALGORITHMS, type AlgorithmName, type KemAlgorithmName } from "../crypto/algorithms.ts";
import { concatBytes, utf8, uuidToBytes, wipe } from "../crypto/bytes.ts";
import { openBase } from "../crypto/hpke.ts";
import { parseKeyring, type KekEnv, type Keyring } from "../crypto/kek.ts";
import type { CryptoProvider, MacKeyHandle, PrivateKeyHandle, SecretKeyHandle } from "../crypto/provider.ts";
import { importJobBinding, unwrapSecret, wrapSecret, WrappingKey, type SecretBinding } from "../crypto/wrap.ts";
import { KeyCache } from "./key-cache.ts";

/** A loaded key version: a private key, a symmetric AEAD key, or an HMAC key. */
export type LoadedKey = PrivateKeyHandle | SecretKeyHandle | MacKeyHandle;

/** A new key version's material, ready to store: nothing in it is secret but the handle. */
export interface NewMaterial {
  /** The raw public key; null for symmetric keys, which have none. */
  publicKey: Uint8Array | null;
  wrapped: Uint8Array;
  kekId: string;
  handle: LoadedKey;
}

/** An import job's key as stored: its public key and its wrapped private key (architecture §5). */
export interface JobKey {
  publicKey: Uint8Array;
  wrapped: Uint8Array;
  kekId: string;
}

/** What `unseal` needs of an import job's row. */
export interface SealedTo {
  jobId: string;
  algorithm: KemAlgorithmName;
  wrapped: ArrayBuffer;
  kekId: string;
}

/** RFC 9180 `info` of an import: ASCII "pqkms import v1" ‖ the job id's 16 UUID bytes (architecture §5). */
export function importInfo(jobId: string): Uint8Array {
  const id = uuidToBytes(jobId);
  if (id === undefined) throw new TypeError("an import job id is a UUID");
  return concatBytes(utf8("pqkms import v1"), id);
}

/** Where a stored secret lives: what `load` needs from the key and version rows. */
export interface StoredSecret {
  keyId: string;
  version: number;
  algorithm: AlgorithmName;
  wrapped: ArrayBuffer | null;
  kekId: string;
}

export class KeyMaterial {
  readonly #provider: CryptoProvider;
  readonly #env: KekEnv;
  readonly #cache: KeyCache<LoadedKey>;
  #keyring: Keyring | undefined;
  readonly #wrappingKeys = new Map<string, Promise<WrappingKey>>();

  constructor(provider: CryptoProvider, env: KekEnv, cacheCapacity: number) {
    this.#provider = provider;
    this.#env = env;
    this.#cache = new KeyCache<LoadedKey>(cacheCapacity);
  }

  /** The KEK ring, parsed once; null while the secrets are missing or malformed. */
  keyring(): Keyring | null {
    if (!this.#keyring) {
      const parsed = parseKeyring(this.#env);
      if (!parsed.ok) return null;
      this.#keyring = parsed.value;
    }
    return this.#keyring;
  }

  #wrappingKey(tenantId: string, keyring: Keyring, kekId: string): Promise<WrappingKey> {
    let key = this.#wrappingKeys.get(kekId);
    if (!key) {
      key = WrappingKey.derive(keyring, tenantId, kekId);
      key.catch(() => this.#wrappingKeys.delete(kekId));
      this.#wrappingKeys.set(kekId, key);
    }
    return key;
  }

  /** Decodes a secret into a handle: a key pair for asymmetric algorithms, an AEAD or HMAC key otherwise. */
  async #decode(algorithm: AlgorithmName, secret: Uint8Array): Promise<{ handle: LoadedKey; publicKey: Uint8Array | null }> {
    const spec = ALGORITHMS[algorithm];
    if (spec.kind === "aead") return { handle: await this.#provider.importSecretKey(spec.name, secret), publicKey: null };
    if (spec.kind === "mac") return { handle: await this.#provider.importMacKey(spec.name, secret), publicKey: null };
    const pair = await this.#provider.deriveKeyPair(algorithm, secret);
    return { handle: pair.privateKey, publicKey: pair.publicKey };
  }

  /** A fresh secret for a new key version, wrapped under the active KEK. */
  async generate(tenantId: string, binding: SecretBinding & { algorithm: AlgorithmName }): Promise<NewMaterial | Failure> {
    const keyring = this.keyring();
    if (!keyring) return fail("misconfigured");
    const secret = this.#provider.generateSeed(binding.algorithm);
    try {
      const { handle, publicKey } = await this.#decode(binding.algorithm, secret);
      const wrapped = await wrapSecret(await this.#wrappingKey(tenantId, keyring, keyring.activeId), secret, binding);
      return { publicKey, wrapped, kekId: keyring.activeId, handle };
    } finally {
      wipe(secret);
    }
  }

  /**
   * A fresh KEM key pair for an import job: the private key leaves only wrapped, under the job's own
   * AAD domain (wrap.ts), and its decoded handle is zeroed before this returns.
   */
  async generateJobKey(tenantId: string, jobId: string, algorithm: KemAlgorithmName): Promise<JobKey | Failure> {
    const keyring = this.keyring();
    if (!keyring) return fail("misconfigured");
    const secret = this.#provider.generateSeed(algorithm);
    try {
      const pair = await this.#provider.deriveKeyPair(algorithm, secret);
      pair.privateKey.destroy();
      const wrapped = await wrapSecret(await this.#wrappingKey(tenantId, keyring, keyring.activeId), secret, importJobBinding(jobId, algorithm));
      return { publicKey: pair.publicKey, wrapped, kekId: keyring.activeId };
    } finally {
      wipe(secret);
    }
  }

  /**
   * Opens material sealed to an import job (RFC 9180 §6.1 OpenBase with the job KEM's envelope
   * suite, architecture §7; info `importInfo`, aad the target algorithm's name), checks it is a
   * stored secret of the target algorithm, and makes it a new version's material, wrapped under
   * the active KEK like a generated one. The plaintext and the job's key are wiped before return.
   */
  async unseal(tenantId: string, job: SealedTo, sealed: Uint8Array, target: SecretBinding & { algorithm: AlgorithmName }): Promise<NewMaterial | Failure> {
    const keyring = this.keyring();
    if (!keyring || !keyring.keys.has(job.kekId)) return fail("misconfigured");
    const kem = ALGORITHMS[job.algorithm];
    if (sealed.length < kem.ciphertextLength + 16) {
      return fail("invalid_request", `body.wrapped_material: ${sealed.length} bytes is shorter than ${job.algorithm}'s enc (${kem.ciphertextLength}) and a tag (16)`);
    }
    const jobSecret = await unwrapSecret(await this.#wrappingKey(tenantId, keyring, job.kekId), new Uint8Array(job.wrapped), importJobBinding(job.jobId, job.algorithm));
    if (!jobSecret.ok) return fail("internal_error", "import job key failed integrity check");
    let secret: Uint8Array | undefined;
    const pair = await this.#provider.deriveKeyPair(job.algorithm, jobSecret.value).finally(() => wipe(jobSecret.value));
    try {
      const enc = sealed.subarray(0, kem.ciphertextLength);
      const ct = sealed.subarray(kem.ciphertextLength);
      secret = await openBase(this.#provider, pair.privateKey, kem.hpke, enc, importInfo(job.jobId), utf8(target.algorithm), ct);
    } catch {
      return fail("invalid_request", `body.wrapped_material: does not open under import job ${job.jobId} with aad "${target.algorithm}" (another job, another target algorithm, or altered bytes)`);
    } finally {
      pair.privateKey.destroy();
    }
    try {
      const wanted = ALGORITHMS[target.algorithm].secretLength;
      if (secret.length !== wanted) {
        return fail("invalid_request", `body.wrapped_material: the sealed material is ${secret.length} bytes; a ${target.algorithm} key's stored secret is ${wanted}`);
      }
      // A secret of the right length can still be no key (a composite's P-256 scalar out of range).
      const decoded = await this.#decode(target.algorithm, secret).catch(() => null);
      if (decoded === null) return fail("invalid_request", `body.wrapped_material: the sealed material is not a valid ${target.algorithm} stored secret`);
      const { handle, publicKey } = decoded;
      try {
        const wrapped = await wrapSecret(await this.#wrappingKey(tenantId, keyring, keyring.activeId), secret, target);
        return { publicKey, wrapped, kekId: keyring.activeId, handle };
      } catch (error) {
        handle.destroy();
        throw error;
      }
    } finally {
      wipe(secret);
    }
  }

  /** Keeps a new version's handle once its rows are committed. */
  remember(keyId: string, version: number, handle: LoadedKey): void {
    this.#cache.set(keyId, version, handle);
  }

  /** The handle of a stored version: from the cache, or unwrapped and decoded (then cached). */
  async load(tenantId: string, stored: StoredSecret): Promise<LoadedKey | Failure> {
    const cached = this.#cache.get(stored.keyId, stored.version);
    if (cached) return cached;
    const keyring = this.keyring();
    if (!keyring) return fail("misconfigured");
    if (stored.wrapped === null || !keyring.keys.has(stored.kekId)) return fail("internal_error", "key material unavailable");
    const binding = { keyId: stored.keyId, version: stored.version, algorithm: stored.algorithm };
    const secret = await unwrapSecret(await this.#wrappingKey(tenantId, keyring, stored.kekId), new Uint8Array(stored.wrapped), binding);
    if (!secret.ok) return fail("internal_error", "key material failed integrity check");
    try {
      const { handle } = await this.#decode(stored.algorithm, secret.value);
      this.#cache.set(stored.keyId, stored.version, handle);
      return handle;
    } finally {
      wipe(secret.value);
    }
  }

  /** Drops and zeroes one cached version (on that version's destruction). */
  forgetVersion(keyId: string, version: number): void {
    this.#cache.evict(keyId, version);
  }

  /** Drops and zeroes every cached version of a key (on destroy). */
  forget(keyId: string): void {
    this.#cache.evictKey(keyId);
  }
}
