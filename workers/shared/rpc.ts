/**
 * Types that cross RPC between the pqkms Workers. Written out by hand so both sides agree on the
 * shape even where generated RPC types would collapse; every call returns a `Result`.
 */
import type { AuditOperation, Operation } from "./operations.ts";
import type { Plan } from "./plans.ts";
import type { KeyState } from "./key-states.ts";
import type { Scope } from "./scopes.ts";

/** Who is calling: set by the gateway from the resolved API key, never from client input. */
export interface CallContext {
  tenantId: string;
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

/** A key as the API shows it (architecture §5): metadata only, never any secret field. */
export interface KeyView {
  id: string;
  name: string | null;
  description: string | null;
  labels: Record<string, string>;
  algorithm: string;
  purpose: "encrypt" | "sign";
  state: KeyStateName;
  primary_version: number;
  min_decryption_version: number;
  deletion_window_days: number;
  versions: { version: number; state: "enabled" | "destroyed"; created_at: string }[];
  created_at: string;
  updated_at: string;
  deletion_date: string | null;
}

export interface CreateKeyInput {
  algorithm: string;
  name?: string;
  description?: string;
  labels?: Record<string, string>;
  deletion_window_days?: number;
}

export interface UpdateKeyInput {
  name?: string | null;
  description?: string | null;
  labels?: Record<string, string>;
  min_decryption_version?: number;
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
  purpose: "encrypt" | "sign";
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

export type LifecycleActionName = "disable" | "enable" | "schedule_deletion" | "cancel_deletion";

export interface PublicKeyView {
  key_id: string;
  version: number;
  algorithm: string;
  format: PublicKeyFormatName;
  /** base64 for raw and spki, PEM text for pem, a JWK object for jwk. */
  public_key: string | Record<string, string>;
}

export type { SignInputWire } from "./sign-input.ts";

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
