/**
 * What the bench Worker can run (algorithm × operation × path), the binding it reaches the vault
 * through, and the fixed inputs every path is given.
 */
import type { KmsService } from "../../../workers/kms/src/index.ts";
import type { CallContext } from "../../../workers/shared/rpc.ts";

export interface Env {
  KMS: Service<KmsService>;
}

export type Op = "encrypt" | "decrypt" | "encapsulate" | "decapsulate" | "rewrap" | "datakey" | "sign" | "verify" | "mac" | "verify-mac" | "batch-mac";

/** `batch-mac`: one `KMS.batch` call of this many mac items (the API's maximum); timed per item. */
export const BATCH_ITEMS = 100;
/** Operations that are batches, not one of the algorithm's own operations. */
export const BATCH_OPS: ReadonlySet<Op> = new Set(["batch-mac"]);
export type Path = "vault" | "provider" | "native" | "noble" | "prepared";

/** What /ops lists, in report order: algorithm, operations, paths. */
export const CATALOG: { algorithm: string; ops: Op[]; paths: Path[] }[] = [
  { algorithm: "ML-KEM-512", ops: ["encrypt", "decrypt", "encapsulate", "decapsulate"], paths: ["vault", "provider", "noble", "prepared"] },
  { algorithm: "ML-KEM-768", ops: ["encrypt", "decrypt", "encapsulate", "decapsulate"], paths: ["vault", "provider", "native", "noble", "prepared"] },
  { algorithm: "ML-KEM-768", ops: ["rewrap", "datakey"], paths: ["vault", "provider", "native", "noble"] },
  { algorithm: "ML-KEM-1024", ops: ["encrypt", "decrypt", "encapsulate", "decapsulate"], paths: ["vault", "provider", "native", "noble", "prepared"] },
  { algorithm: "X-Wing", ops: ["encrypt", "decrypt", "encapsulate", "decapsulate"], paths: ["vault", "provider", "native", "noble"] },
  { algorithm: "ML-DSA-44", ops: ["sign", "verify"], paths: ["vault", "provider", "native", "noble"] },
  { algorithm: "ML-DSA-65", ops: ["sign", "verify"], paths: ["vault", "provider", "native", "noble"] },
  { algorithm: "ML-DSA-87", ops: ["sign", "verify"], paths: ["vault", "provider", "native", "noble"] },
  { algorithm: "Composite-ML-DSA-65-P256", ops: ["sign", "verify"], paths: ["vault", "provider", "native", "noble"] },
  { algorithm: "SLH-DSA-SHA2-128f", ops: ["sign", "verify"], paths: ["vault", "provider", "noble"] },
  { algorithm: "SLH-DSA-SHA2-128s", ops: ["sign", "verify"], paths: ["vault", "provider", "noble"] },
  { algorithm: "AES-256-GCM", ops: ["encrypt", "decrypt", "rewrap"], paths: ["vault", "provider", "noble"] },
  { algorithm: "ChaCha20-Poly1305", ops: ["encrypt", "decrypt"], paths: ["vault", "provider", "noble"] },
  { algorithm: "HMAC-SHA-256", ops: ["mac", "verify-mac"], paths: ["vault", "provider", "native", "noble"] },
  { algorithm: "HMAC-SHA-256", ops: ["batch-mac"], paths: ["vault"] },
  { algorithm: "HMAC-SHA-512", ops: ["mac", "verify-mac"], paths: ["vault", "provider", "native", "noble"] },
];
/** Operations too slow to calibrate or repeat: the script runs them n = 1, a sample or two per path. */
export const SLOW = new Set(["SLH-DSA-SHA2-128s sign"]);

export const TENANT = "00000000-0000-4000-8000-00000000be0c";
export const CALL: CallContext = { tenantId: TENANT, placement: "default", apiKeyId: "bench", requestId: "bench" };
/** What is encrypted and signed: 32 bytes (a data key's size) and a 64-byte message. */
export const PLAINTEXT = new Uint8Array(32).fill(7);
export const MESSAGE = new Uint8Array(64).fill(9);
export const AAD = new Uint8Array(0);
/** The local key id the provider path's envelopes name. */
export const LOCAL_KEY_ID = "00000000-0000-4000-8000-0000000010ca";
export const BINDING = { keyId: LOCAL_KEY_ID, keyVersion: 1 };
