/**
 * Types that cross RPC between the pqkms Workers. Written out by hand so both sides agree on the
 * shape even where generated RPC types would collapse; every call returns a `Result`.
 */
import type { Operation } from "./operations.ts";
import type { Scope } from "./scopes.ts";

/** Who is calling: set by the gateway from the resolved API key, never from client input. */
export interface CallContext {
  tenantId: string;
  apiKeyId: string;
  requestId: string;
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
}

export type PolicyDecision =
  | { allow: true }
  | { allow: false; rule: string; code: "tenant_suspended" | "access_denied" | "plan_restricted" | "quota_exceeded"; detail: string };

export interface VaultSummary {
  tenantId: string;
  keyCount: number;
}
