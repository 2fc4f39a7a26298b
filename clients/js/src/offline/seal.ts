/**
 * Encryption to a pqkms public key without calling the service.
 *
 * `seal` produces the service's own HPKE envelope (architecture §7, type 0x01):
 *   "PQK" 0x01 | 0x01 | key id (16) | key version (u32) | kem_id | kdf_id | aead_id | enc | ct
 * with RFC 9180 base mode single shot, info = that 31-byte header, aad = the caller's aad. It is the
 * kms's own code (hpke-envelope.ts `sealEnvelope` over hpke.ts and envelope.ts, with the pure
 * NobleProvider for encapsulation), not a second implementation, so what it writes is what the
 * service's decrypt reads, by construction; the tests also open it with @hpke/core.
 *
 * `sealImportMaterial` wraps key material for an import job: the same HPKE (hpke.ts `sealBase`)
 * with the job's KEM and its architecture §7 suite, info = ASCII "pqkms import v1" ‖ the job id's
 * 16 UUID bytes, aad = ASCII name of the target key's algorithm; the output is enc ‖ ct.
 *
 * Trust boundary: runs in the caller's process with the caller's plaintext; nothing leaves it but
 * the returned bytes. The public key is untrusted input, checked before use (lengths, and FIPS 203
 * §7.2's modulus check inside encapsulation).
 */
import { ALGORITHMS, type KemAlgorithmName } from "../../../../workers/kms/src/crypto/algorithms.ts";
import { concatBytes, fromBase64, utf8, uuidToBytes } from "../../../../workers/kms/src/crypto/bytes.ts";
import { CryptoInputError } from "../../../../workers/kms/src/crypto/errors.ts";
import { sealEnvelope } from "../../../../workers/kms/src/crypto/hpke-envelope.ts";
import { sealBase } from "../../../../workers/kms/src/crypto/hpke.ts";
import { NobleProvider } from "../../../../workers/kms/src/crypto/noble-provider.ts";
import { OfflineInputError, requireBytes } from "./errors.ts";
import { parsePublicKey, type PublicKey, type PublicKeyInput } from "./public-key.ts";

/** Pure TypeScript (noble) and Web Crypto's CSPRNG and AES-GCM: runs wherever Web Crypto does. */
const provider = new NobleProvider();

/** KEMs an import job wraps with (the job's `wrapping_algorithm`). */
export const IMPORT_WRAPPING_ALGORITHMS: readonly KemAlgorithmName[] = Object.freeze(["ML-KEM-768", "X-Wing"]);
/** The fixed start of an import job's HPKE info. */
const IMPORT_INFO_LABEL = utf8("pqkms import v1");

export interface SealOptions {
  /** Bound to the envelope: decrypt must be given the same bytes. Default empty. */
  readonly aad?: Uint8Array;
  /** The key id the header names, when the public key's form does not carry it (PEM, SPKI, JWK). */
  readonly keyId?: string;
  /** The key version the header names, likewise. */
  readonly version?: number;
}

function kemKey(key: PublicKey, field: string): KemAlgorithmName {
  const spec = ALGORITHMS[key.algorithm];
  if (spec.kind !== "kem") throw new OfflineInputError("wrong_key_type", field, `${key.algorithm} is a signing key: seal needs an encryption (KEM) key`);
  return spec.name;
}

// The remaining encapsulation refusal is a public key that fails FIPS 203 §7.2's modulus check or,
// for X-Wing, has a low-order X25519 part: the key is not a valid one.
async function refuseBadKey<T>(field: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CryptoInputError) throw new OfflineInputError("invalid_public_key", field, error.message);
    throw error;
  }
}

/**
 * Encrypts `plaintext` to a KEM public key (ML-KEM-512/768/1024, X-Wing) as an architecture §7 HPKE
 * envelope that `POST /v1/keys/{key}/decrypt` (or `/v1/decrypt`) opens with the same aad.
 */
export async function seal(publicKey: PublicKeyInput, plaintext: Uint8Array, options: SealOptions = {}): Promise<Uint8Array> {
  const key = parsePublicKey(publicKey, { keyId: options.keyId, version: options.version });
  const algorithm = kemKey(key, "publicKey");
  if (key.keyId === undefined || key.version === undefined) {
    throw new OfflineInputError(
      "missing_key_id",
      key.keyId === undefined ? "options.keyId" : "options.version",
      "the envelope names its key id and version (architecture §7): pass the public-key endpoint's whole answer, or { keyId, version } with a PEM, SPKI or JWK",
    );
  }
  const bytes = requireBytes("plaintext", plaintext);
  const aad = options.aad === undefined ? new Uint8Array(0) : requireBytes("options.aad", options.aad);
  const { keyId, version } = key;
  return refuseBadKey("publicKey", () => sealEnvelope(provider, algorithm, keyId, version, key.raw, bytes, aad));
}

export interface ImportMaterial {
  /** The import job's id (a UUID); optional when the job's own answer is given as the public key. */
  readonly jobId?: string;
  /** The algorithm of the key the material is for, e.g. "ML-DSA-65". */
  readonly algorithm: string;
  /** The key's stored secret in the layout of architecture §7 (e.g. the 32-byte ML-DSA seed ξ). */
  readonly material: Uint8Array;
}

/** The parts of `POST /v1/import-jobs`' answer that sealing needs: its id and its public key in every format. */
export interface ImportJobAnswer {
  readonly id: string;
  readonly wrapping_algorithm: string;
  readonly public_key: { readonly spki: string } & Readonly<Record<string, unknown>>;
}

function isImportJobAnswer(value: unknown): value is ImportJobAnswer {
  return typeof value === "object" && value !== null && "wrapping_algorithm" in value && "public_key" in value;
}

/** The job's public key and id, from the job's answer (its SPKI, which names the KEM) or from a public key and `jobId`. */
function importJob(job: PublicKeyInput | ImportJobAnswer, jobId: string | undefined): { key: PublicKey; jobId: unknown } {
  if (!isImportJobAnswer(job)) return { key: parsePublicKey(job, {}, "jobPublicKey"), jobId };
  const spki = typeof job.public_key?.spki === "string" ? fromBase64(job.public_key.spki) : undefined;
  if (spki === undefined) throw new OfflineInputError("invalid_argument", "jobPublicKey.public_key.spki", "must be base64 text");
  const key = parsePublicKey(spki, {}, "jobPublicKey.public_key.spki");
  if (key.algorithm !== job.wrapping_algorithm) {
    throw new OfflineInputError("unknown_algorithm", "jobPublicKey.public_key.spki", `is an ${key.algorithm} key, but the job says ${String(job.wrapping_algorithm)}`);
  }
  if (jobId !== undefined && jobId.toLowerCase() !== String(job.id).toLowerCase()) {
    throw new OfflineInputError("invalid_argument", "jobId", `${JSON.stringify(jobId)} disagrees with the job's id ${JSON.stringify(job.id)}`);
  }
  return { key, jobId: job.id };
}

/**
 * Wraps key material to an import job's public key (ML-KEM-768 or X-Wing): returns enc ‖ ct, the
 * bytes whose base64 is `wrapped_material` in `POST /v1/keys/{key}/import`. `job` is the job's
 * answer, or its public key in any form `parsePublicKey` takes together with `jobId`.
 */
export async function sealImportMaterial(job: PublicKeyInput | ImportJobAnswer, { jobId: givenJobId, algorithm, material }: ImportMaterial): Promise<Uint8Array> {
  const { key, jobId } = importJob(job, givenJobId);
  const kem = kemKey(key, "jobPublicKey");
  if (!IMPORT_WRAPPING_ALGORITHMS.includes(kem)) {
    throw new OfflineInputError("wrong_key_type", "jobPublicKey", `import jobs wrap with ${IMPORT_WRAPPING_ALGORITHMS.join(" or ")}, not ${kem}`);
  }
  const jobIdBytes = typeof jobId === "string" ? uuidToBytes(jobId) : undefined;
  if (jobIdBytes === undefined) throw new OfflineInputError("invalid_argument", "jobId", `not a UUID: ${JSON.stringify(jobId)}`);
  const target = typeof algorithm === "string" && Object.hasOwn(ALGORITHMS, algorithm) ? ALGORITHMS[algorithm as keyof typeof ALGORITHMS] : undefined;
  if (target === undefined) throw new OfflineInputError("unknown_algorithm", "algorithm", `unknown algorithm ${JSON.stringify(algorithm)}`);
  const secret = requireBytes("material", material);
  if (secret.length !== target.secretLength) {
    throw new OfflineInputError("wrong_length", "material", `${target.name} key material is ${target.secretLength} bytes, got ${secret.length}`);
  }
  const info = concatBytes(IMPORT_INFO_LABEL, jobIdBytes);
  const { enc, ciphertext } = await refuseBadKey("jobPublicKey", () => sealBase(provider, kem, ALGORITHMS[kem].hpke, key.raw, info, utf8(target.name), secret));
  return concatBytes(enc, ciphertext);
}
