/** Requests and facts for the pure policy rules' tests: everything allowed unless a test says otherwise. */
import type { Plan } from "../../../workers/shared/plans.ts";
import type { PolicyRequest, QuotaFacts } from "../../../workers/shared/rpc.ts";
import { SCOPES } from "../../../workers/shared/scopes.ts";
import type { PolicyFacts, TenantRuleFacts } from "../../../workers/shared/policy/rules.ts";

export const NOW = Date.UTC(2026, 10, 22, 12);

export const NO_FACTS: PolicyFacts = { now: NOW, tenant: null, keyAlgorithm: null, keyCount: null, tenantRules: [] };

export function facts(overrides: Partial<PolicyFacts> & { plan?: Plan; maxKeys?: number; status?: "active" | "suspended" } = {}): PolicyFacts {
  const { plan = "pro", maxKeys = 1000, status = "active", ...rest } = overrides;
  return { ...NO_FACTS, tenant: { status, plan, maxKeys }, ...rest };
}

export function request(overrides: Partial<PolicyRequest> = {}): PolicyRequest {
  return {
    tenantId: "tenant-1",
    apiKeyId: "api-key-1",
    scopes: [...SCOPES],
    keyRestriction: null,
    operation: "tenant.read",
    keyId: null,
    algorithm: null,
    sourceIp: null,
    requestId: "req-00000001",
    quota: null,
    ...overrides,
  };
}

export function quota(overrides: Partial<QuotaFacts> = {}): QuotaFacts {
  return { used: 1, limit: 100, exceeded: false, resetsAt: Date.UTC(2026, 11, 1), ...overrides };
}

export const ipAllow = (value: string): TenantRuleFacts => ({ kind: "ip_allow", value });
export const operationDeny = (value: string): TenantRuleFacts => ({ kind: "operation_deny", value });
