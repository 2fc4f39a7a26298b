/**
 * Keys at rest (architecture §8): each key version's secret (its seed) is stored wrapped with AES-256-GCM
 * under a per-tenant wrapping key, with AAD that binds the blob to where it belongs.
 *
 * Per-tenant wrapping key (Web Crypto, non-extractable):
 *   HKDF-SHA256(IKM = KEK, salt = "pqkms/tenant-wrap/v1", info = UTF-8(tenant id)) → 32-byte AES-256-GCM key
 *
 * Wrapped blob (what the vault stores, with the KEK id in its own column):
 *   0x01 (blob format) | IV (12 bytes, fresh from the CSPRNG for every wrap) | ciphertext ‖ tag (16)
 *
 * AAD, with every variable-length field length-prefixed so that no two different bindings can
 * encode to the same bytes (lp(s) = u16 big-endian byte length of UTF-8(s) ‖ UTF-8(s)):
 *   "pqkms/v1" | lp(tenant id) | lp(key id) | u32 BE key version | lp(algorithm) | lp(KEK id)
 *
 * A blob copied to another tenant, key, version, algorithm or KEK id fails to unwrap: the tenant
 * changes the key, and every field changes the AAD (SP 800-38D: authentication covers the AAD).
 *
 * An import job's private key (architecture §5, key import) is wrapped the same way under its own
 * label, "pqkms/import-job/v1" in place of "pqkms/v1", with the job id in the key id's place and
 * version 0: a job's blob never unwraps as a key version's, nor a key version's as a job's.
 *
 * Trust boundary: runs in the TenantVault DO with the KEK from Worker secrets. Blobs come from the
 * DO's own storage; a failed unwrap means corruption or misplacement and is reported as such.
 */
import { arrayBufferBacked, concatBytes, systemRandom, u16be, u32be, utf8, type RandomSource } from "./bytes.ts";
import { failBecause, ok, type Result } from "../../../shared/errors.ts";
import { assertBytes, CryptoInputError } from "./errors.ts";
import type { Keyring } from "./kek.ts";

export const TENANT_WRAP_SALT = "pqkms/tenant-wrap/v1";
export const WRAP_AAD_LABEL = "pqkms/v1";
export const IMPORT_JOB_AAD_LABEL = "pqkms/import-job/v1";
const BLOB_FORMAT = 0x01;
const IV_LENGTH = 12; // SP 800-38D §8.2: 96-bit IVs
const TAG_LENGTH = 16;
const MAX_FIELD_BYTES = 0xffff;

/** Where a secret belongs, besides its tenant and KEK (which the wrapping key carries). */
export interface SecretBinding {
  readonly keyId: string;
  readonly version: number;
  readonly algorithm: string;
  /** Whose secret this is: a key version's (the default) or an import job's (its own AAD label). */
  readonly domain?: "key-version" | "import-job";
}

/** The binding of an import job's private key: its own domain, the job id, version 0. */
export function importJobBinding(jobId: string, algorithm: string): SecretBinding {
  return { keyId: jobId, version: 0, algorithm, domain: "import-job" };
}

/** Web Crypto's key type, spelled so it resolves under both the Workers and the Node type definitions. */
type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.deriveKey>>;

/** The Web Crypto keys behind WrappingKey handles, reachable only from this module. */
const KEYS = new WeakMap<WrappingKey, WebCryptoKey>();

/** A tenant's AES-256-GCM wrapping key under one KEK: a handle; the key is non-extractable. */
export class WrappingKey {
  readonly tenantId: string;
  readonly kekId: string;

  private constructor(tenantId: string, kekId: string, key: WebCryptoKey) {
    this.tenantId = tenantId;
    this.kekId = kekId;
    KEYS.set(this, key);
  }

  /** Derives the wrapping key for `tenantId` under the KEK `kekId` (default: the active one). */
  static async derive(keyring: Keyring, tenantId: string, kekId: string = keyring.activeId): Promise<WrappingKey> {
    const operation = "derive wrapping key";
    checkField(operation, "tenant id", tenantId);
    const kek = keyring.keys.get(kekId);
    if (kek === undefined) throw new CryptoInputError(operation, `no KEK with id "${kekId}" in the keyring`);
    const base = await crypto.subtle.importKey("raw", arrayBufferBacked(kek), "HKDF", false, ["deriveKey"]);
    const key = await crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt: utf8(TENANT_WRAP_SALT), info: utf8(tenantId) },
      base,
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
    return new WrappingKey(tenantId, kekId, key);
  }

  toJSON(): { tenantId: string; kekId: string } {
    return { tenantId: this.tenantId, kekId: this.kekId };
  }
}

function keyOf(operation: string, wrappingKey: WrappingKey): WebCryptoKey {
  const key = wrappingKey instanceof WrappingKey ? KEYS.get(wrappingKey) : undefined;
  if (key === undefined) throw new CryptoInputError(operation, "not a WrappingKey from WrappingKey.derive");
  return key;
}

function checkField(operation: string, name: string, value: unknown): asserts value is string {
  if (typeof value !== "string" || value.length === 0) throw new CryptoInputError(operation, `${name} must be a non-empty string`);
  if (utf8(value).length > MAX_FIELD_BYTES) throw new CryptoInputError(operation, `${name} is too long`);
}

function lengthPrefixed(value: string): Uint8Array {
  const bytes = utf8(value);
  return concatBytes(u16be(bytes.length), bytes);
}

/** The AAD bytes for a secret, as documented at the top of this module. */
export function wrapAad(tenantId: string, kekId: string, binding: SecretBinding): Uint8Array {
  const operation = "wrap aad";
  checkField(operation, "tenant id", tenantId);
  checkField(operation, "KEK id", kekId);
  checkField(operation, "key id", binding?.keyId);
  checkField(operation, "algorithm", binding.algorithm);
  if (!Number.isInteger(binding.version) || binding.version < 0 || binding.version > 0xffffffff) {
    throw new CryptoInputError(operation, "version must be a u32");
  }
  return concatBytes(
    utf8(binding.domain === "import-job" ? IMPORT_JOB_AAD_LABEL : WRAP_AAD_LABEL),
    lengthPrefixed(tenantId),
    lengthPrefixed(binding.keyId),
    u32be(binding.version),
    lengthPrefixed(binding.algorithm),
    lengthPrefixed(kekId),
  );
}

/** Wraps `secret` for storage. Two wraps of the same secret differ (fresh IV each time). */
export async function wrapSecret(wrappingKey: WrappingKey, secret: Uint8Array, binding: SecretBinding, random: RandomSource = systemRandom): Promise<Uint8Array> {
  const key = keyOf("wrap secret", wrappingKey);
  assertBytes("wrap secret", "secret", secret);
  if (secret.length === 0) throw new CryptoInputError("wrap secret", "secret must not be empty");
  const aad = wrapAad(wrappingKey.tenantId, wrappingKey.kekId, binding);
  const iv = random(IV_LENGTH);
  if (iv.length !== IV_LENGTH) throw new CryptoInputError("wrap secret", "random source returned the wrong length");
  const params = { name: "AES-GCM", iv, additionalData: arrayBufferBacked(aad), tagLength: TAG_LENGTH * 8 };
  const sealed = new Uint8Array(await crypto.subtle.encrypt(params, key, arrayBufferBacked(secret)));
  return concatBytes(Uint8Array.of(BLOB_FORMAT), iv, sealed);
}

/**
 * Unwraps a blob from `wrapSecret`. Fails (without saying which field differed) unless tenant,
 * KEK id, key id, version and algorithm all match the ones it was wrapped with.
 */
export async function unwrapSecret(wrappingKey: WrappingKey, blob: Uint8Array, binding: SecretBinding): Promise<Result<Uint8Array, "unwrap_failed">> {
  const key = keyOf("unwrap secret", wrappingKey);
  const aad = wrapAad(wrappingKey.tenantId, wrappingKey.kekId, binding);
  if (!(blob instanceof Uint8Array) || blob.length < 1 + IV_LENGTH + TAG_LENGTH || blob[0] !== BLOB_FORMAT) return failBecause("internal_error", "unwrap_failed");
  const params = { name: "AES-GCM", iv: blob.slice(1, 1 + IV_LENGTH), additionalData: arrayBufferBacked(aad), tagLength: TAG_LENGTH * 8 };
  try {
    return ok(new Uint8Array(await crypto.subtle.decrypt(params, key, blob.slice(1 + IV_LENGTH))));
  } catch {
    return failBecause("internal_error", "unwrap_failed");
  }
}
