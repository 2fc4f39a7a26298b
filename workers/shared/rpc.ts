/**
 * Types that cross RPC between the pqkms Workers. Written out by hand so both sides agree on the
 * shape even where generated RPC types would collapse; every call returns a `Result`.
 */
import type { SignInputWire } from "./sign-input.ts";
import type { Result } from "./errors.ts";
import type { Placement } from "./placement.ts";
import type { AuditOperation, Operation } from "./operations.ts";
import type { Plan } from "./plans.ts";
import type { KeyOrigin, KeyState, VersionState } from "./key-states.ts";
import type { Scope } from "./scopes.ts";

/** Who is calling: set by the gateway from the resolved API key, never from client input. */
export interface CallContext {
  tenantId: string;
  /** Namespace of the tenant's vault and signer, from its D1 row (placement.ts); the kms never reads D1 for it. */
  placement: Placement;
  apiKeyId: string;
  requestId: string;
}

/** The monthly-quota reservation the RateLimiter made for this request (architecture §4 rule 4). */
export interface QuotaFacts {
  used: number;
  limit: number;
  /** True when this request did not fit in what was left of the quota. */
  exceeded: boolean;
  /** When the quota resets (start of next calendar month, UTC, ms). */
  resetsAt: number;
}

export interface PolicyRequest {
  tenantId: string;
  apiKeyId: string;
  scopes: Scope[];
  /** Key ids the API key is restricted to; null = every key of the tenant. */
  keyRestriction: string[] | null;
  operation: Operation;
  keyId: string | null;
  algorithm: string | null;
  sourceIp: string | null;
  requestId: string;
  quota: QuotaFacts | null;
  /** The tenant's revision (`updated_at`) as the gateway resolved it: lets the policy cache tenant facts. */
  tenantRevision?: number;
  /**
   * The tenant's row at that revision, as the gateway's stage 3 read it: the policy then reads only
   * the tenant's rules, not the row again. Absent: the policy reads the row.
   */
  tenant?: { status: "active" | "suspended"; plan: Plan; maxKeys: number | null };
}

export type PolicyDecision =
  | { allow: true }
  | { allow: false; rule: string; code: "tenant_suspended" | "access_denied" | "plan_restricted" | "quota_exceeded"; detail: string };

export interface VaultSummary {
  tenantId: string;
  keyCount: number;
}

export type KeyStateName = KeyState;
export type PublicKeyFormatName = "raw" | "spki" | "pem" | "jwk";

/**
 * One version of a key as the API shows it: its state, when a pending destruction happens, and
 * when it last performed a cryptographic operation (to the minute; null: never since recorded).
 */
export interface KeyVersionView {
  version: number;
  state: VersionState;
  created_at: string;
  destruction_date: string | null;
  last_used_at: string | null;
}

/** A key as the API shows it (architecture §5): metadata only, never any secret field. */
export interface KeyView {
  id: string;
  name: string | null;
  description: string | null;
  labels: Record<string, string>;
  algorithm: string;
  purpose: "encrypt" | "sign" | "mac";
  state: KeyStateName;
  /** `imported`: every version's material came from an import (never rotated by the vault). */
  origin: KeyOrigin;
  primary_version: number;
  min_decryption_version: number;
  deletion_window_days: number;
  versions: KeyVersionView[];
  created_at: string;
  updated_at: string;
  deletion_date: string | null;
  /** Automatic rotation: the ISO 8601 period, when it is next due (RFC 3339), versions kept decryptable. */
  rotation_period: string | null;
  next_rotation_at: string | null;
  keep_decryption_versions: number | null;
}

export interface CreateKeyInput {
  algorithm: string;
  name?: string;
  description?: string;
  labels?: Record<string, string>;
  deletion_window_days?: number;
  rotation_period?: string;
  keep_decryption_versions?: number;
  /** `imported`: the key is created with no version, `pending_import` until its material is imported. */
  origin?: KeyOrigin;
}

export interface UpdateKeyInput {
  name?: string | null;
  description?: string | null;
  labels?: Record<string, string>;
  min_decryption_version?: number;
  /** null removes the schedule. */
  rotation_period?: string | null;
  keep_decryption_versions?: number | null;
}

export interface ListKeysInput {
  algorithm?: string;
  name?: string;
  label?: { key: string; value: string };
  /** An API key's key restriction: list these keys only. */
  keyIds?: string[];
  state?: KeyStateName;
  limit: number;
  cursor?: string;
}

/** An alias as the API shows it: its name, the key it points to and that key's purpose. */
export interface AliasView {
  name: string;
  key_id: string;
  purpose: "encrypt" | "sign" | "mac";
  created_at: string;
  updated_at: string;
}

export interface ListAliasesInput {
  /** Only aliases of this key. */
  key_id?: string;
  /** An API key's key restriction: aliases of these keys only. */
  keyIds?: string[];
  limit: number;
  cursor?: string;
}

/** The KEMs an import job's key may use: the envelope suites of architecture §7 for each. */
export type ImportWrappingAlgorithm = "ML-KEM-768" | "X-Wing";

/**
 * An import job as the API shows it (architecture §5, key import): its public key in every format
 * (`jwk` null where no specification defines one, X-Wing), never its private key.
 */
export interface ImportJobView {
  id: string;
  wrapping_algorithm: ImportWrappingAlgorithm;
  public_key: { raw: string; spki: string; pem: string; jwk: Record<string, string> | null };
  /** `active` until used or expired; then its private key is destroyed (a tombstone is kept). */
  state: "active" | "used" | "expired";
  created_at: string;
  expires_at: string;
  used_at: string | null;
  /** The key and version the job's one import made, or null. */
  key_id: string | null;
  key_version: number | null;
}

/** `POST /v1/keys/{key}/import`, decoded: the sealed material and, optionally, the public key to expect. */
export interface ImportKeyInput {
  importJobId: string;
  /** `enc ‖ ct` of RFC 9180 base mode single shot (architecture §5). */
  wrappedMaterial: Uint8Array;
  /** Raw public key or SPKI (DER); compared with the one derived from the material. */
  expectedPublicKey: Uint8Array | null;
}

export type LifecycleActionName = "disable" | "enable" | "schedule_deletion" | "cancel_deletion";

/** What can be done to one version of a key (architecture §5). */
export type VersionActionName = "disable" | "enable" | "schedule_destruction" | "cancel_destruction";

export interface PublicKeyView {
  key_id: string;
  version: number;
  algorithm: string;
  format: PublicKeyFormatName;
  /** base64 for raw and spki, PEM text for pem, a JWK object for jwk. */
  public_key: string | Record<string, string>;
}

export type { SignInputWire } from "./sign-input.ts";

/** A batch of one crypto operation on one key (architecture §5): the items of its single calls. */
export type BatchRequest =
  | { operation: "encrypt"; items: { plaintext: Uint8Array; aad: Uint8Array }[] }
  | { operation: "decrypt"; items: { ciphertext: Uint8Array; aad: Uint8Array }[] }
  | { operation: "sign"; items: SignInputWire[] }
  | { operation: "verify"; items: { input: SignInputWire; signature: Uint8Array; version: number | null }[] }
  | { operation: "mac"; items: { message: Uint8Array }[] }
  | { operation: "verify-mac"; items: { message: Uint8Array; mac: Uint8Array; version: number | null }[] };

export type BatchOperation = BatchRequest["operation"];

/** One outcome per item, in order: the single call's answer, or its failure. */
export type BatchResults = Result<Record<string, Uint8Array | number | boolean>>[];

export interface AuditEventView {
  seq: number;
  id: string;
  time: string;
  api_key_id: string | null;
  request_id: string | null;
  operation: string;
  key_id: string | null;
  key_version: number | null;
  outcome: "allowed" | "denied" | "failed";
  rule: string | null;
  severity: "info" | "warning" | "critical";
  detail: string | null;
  prev_hash: string;
  hash: string;
}

/** The tenant id of the platform's own audit log (admin actions such as fail-open). Not a UUID, so
 * it can never be a tenant's id. */
export const PLATFORM_AUDIT_TENANT = "platform";

/** An audit event recorded on behalf of the gateway or policy (denials, fail-open allowances). */
export interface RecordedEvent {
  operation: AuditOperation;
  keyId: string | null;
  outcome: "allowed" | "denied" | "failed";
  rule: string | null;
  severity: "info" | "warning" | "critical";
  detail: string | null;
}

// ---- audit at scale (architecture §9): archive, checkpoints, the platform's audit keys ----------

/** One archived segment (`GET /v1/audit-exports`): its manifest line with times as RFC 3339. */
export interface AuditSegmentView {
  id: string;
  first_seq: number;
  last_seq: number;
  count: number;
  first_time: string;
  last_time: string;
  prev_hash: string;
  last_hash: string;
  /** Hex SHA-256 of the object (the gzip bytes `GET /v1/audit-exports/{id}` streams). */
  sha256: string;
  bytes: number;
  archived_at: string;
  /** The seq of the checkpoint signed for it, or null while that signature is still pending. */
  checkpoint_seq: number | null;
}

/** A checkpoint as `GET /v1/audit-checkpoints` lists it (`SignedCheckpoint` in archive-format.ts). */
export interface AuditCheckpointView {
  seq: number;
  payload: string;
  signature: string;
  key_id: string;
}

/** One version of the platform's ML-DSA-65 audit signing key (`GET /v1/audit-keys`). */
export interface AuditKeyView {
  /** RFC 7638 thumbprint of its JWK; also the JWK's `kid`. */
  key_id: string;
  algorithm: "ML-DSA-65";
  /** Checkpoints signed from `valid_from` until `valid_until` (null: the current key) are its. */
  valid_from: string;
  valid_until: string | null;
  status: "current" | "retired";
  public_key: { pem: string; jwk: Record<string, string> };
}

/** How far a log's archive is behind (`/ready`, `/metrics`, `GET /v1/audit-exports`). */
export interface ArchiveStatus {
  head_seq: number;
  /** Every event up to this seq is in R2 (0: none yet). */
  archived_through: number;
  unarchived_events: number;
  /** Age of the oldest event not yet in R2, in seconds (0 when all are). */
  lag_seconds: number;
  /** The oldest event still held in the vault (the hot window's start), or null when it is empty. */
  hot_from_seq: number | null;
  hot_events: number;
  /** The last archive write's error, while it keeps failing; null otherwise. */
  last_error: string | null;
  next_attempt_at: string | null;
}

/** `GET /v1/audit-events/verify`: what was checked, from where, and the first break if any. */
export interface AuditVerdictView {
  valid: boolean;
  checked: number;
  first_broken?: number;
  /** `checkpoint`: from the latest signed checkpoint to the head (the default, bounded cost);
   *  `hot_window`: every event the vault still holds (`?from=window`); `genesis`: no checkpoint yet,
   *  the whole log (still all in the vault). */
  basis: "checkpoint" | "hot_window" | "genesis";
  from_seq: number;
  to_seq: number;
  /** The checkpoint the walk started from, its signature checked too. */
  checkpoint: { seq: number; key_id: string; time: string } | null;
  /** What this check does not cover, in words (the archive: `scripts/audit-archive.ts verify`). */
  note: string;
}
