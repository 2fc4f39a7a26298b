/**
 * The policy rules (architecture §4), evaluated in order; the first deny ends evaluation and is the one
 * reported. Each rule is a pure function of the request and the facts read for it (the clock is one
 * of the facts), so every rule is tested with plain tables.
 */
import { OPERATIONS } from "../operations.ts";
import { IMPORT_OPERATIONS, IMPORT_PLANS, OPERATIONS_AFTER_DOWNGRADE, planAllowsAlgorithm, type Plan } from "../plans.ts";
import type { PolicyDecision, PolicyRequest } from "../rpc.ts";
import { cidrContains, parseCidr } from "./cidr.ts";

export interface TenantFacts {
  status: "active" | "suspended";
  plan: Plan;
  /** Effective key limit (plan or override). */
  maxKeys: number;
}

export interface TenantRuleFacts {
  kind: "ip_allow" | "operation_deny";
  value: string;
}

export interface PolicyFacts {
  now: number;
  /** Null when the tenant does not exist (deleted or never created). */
  tenant: TenantFacts | null;
  /** The algorithm of the key the request names, when known; null otherwise. */
  keyAlgorithm: string | null;
  /** The tenant's live keys, read for `keys.create`; null when not read. */
  keyCount: number | null;
  tenantRules: TenantRuleFacts[];
}

type Deny = Extract<PolicyDecision, { allow: false }>;
export type Rule = (request: PolicyRequest, facts: PolicyFacts) => Deny | null;

const deny = (rule: string, code: Deny["code"], detail: string): Deny => ({ allow: false, rule, code, detail });

/** Rule 1: the tenant is active. */
export const tenantActive: Rule = (_request, facts) => {
  if (facts.tenant === null) return deny("tenant_status", "access_denied", "Unknown tenant");
  if (facts.tenant.status !== "active") return deny("tenant_status", "tenant_suspended", "The tenant is suspended");
  return null;
};

/**
 * Operations over a whole audit log (architecture §9): an archived segment holds every key's events and
 * a checkpoint commits to all of them, while an API key restricted to some keys reads its keys'
 * events only. Such a key is refused them whatever key it names.
 */
export const WHOLE_LOG_OPERATIONS: ReadonlySet<string> = new Set([
  "audit.exports.list", "audit.exports.get", "audit.checkpoints.list", "audit.checkpoints.create",
]);

/** Rule 2: the API key holds the operation's scope, and its key restriction (if any) covers the key. */
export const scopesAndRestriction: Rule = (request) => {
  const needed = OPERATIONS[request.operation].scope;
  if (!request.scopes.includes(needed)) return deny("scopes", "access_denied", `This API key lacks the ${needed} scope`);
  if (request.keyRestriction !== null && WHOLE_LOG_OPERATIONS.has(request.operation)) {
    return deny("key_restriction", "access_denied", "This API key is restricted to some keys; the audit archive and its checkpoints cover every key's events");
  }
  if (request.keyRestriction !== null && request.keyId !== null && !request.keyRestriction.includes(request.keyId.toLowerCase())) {
    return deny("key_restriction", "access_denied", "This API key is not allowed to use this key");
  }
  return null;
};

/**
 * Rule 3: the plan allows the algorithm, key import (IMPORT_PLANS), and the key count on create. A key whose algorithm the
 * plan no longer allows (after a downgrade) stays readable: it can still decrypt, decapsulate,
 * verify and be managed, but never create, rotate, encrypt or sign anew (OPERATIONS_AFTER_DOWNGRADE).
 */
export const planLimits: Rule = (request, facts) => {
  if (facts.tenant === null) return null;
  const plan = facts.tenant.plan;
  if (IMPORT_OPERATIONS.has(request.operation) && !IMPORT_PLANS.has(plan)) {
    return deny("plan_import", "plan_restricted", `The ${plan} plan does not include key import`);
  }
  const algorithm = request.algorithm ?? facts.keyAlgorithm;
  if (algorithm !== null && !planAllowsAlgorithm(plan, algorithm) && !OPERATIONS_AFTER_DOWNGRADE.has(request.operation)) {
    return deny("plan_algorithm", "plan_restricted", `The ${plan} plan does not include ${algorithm}`);
  }
  if (request.operation === "keys.create" && facts.keyCount !== null && facts.keyCount >= facts.tenant.maxKeys) {
    return deny("plan_max_keys", "plan_restricted", `The tenant has reached its limit of ${facts.tenant.maxKeys} keys`);
  }
  return null;
};

/**
 * Operations a tenant can always perform, quota or not: seeing its own tenant and usage, so a
 * tenant whose quota is used up can still find out why and until when.
 */
export const QUOTA_EXEMPT: ReadonlySet<string> = new Set(["tenant.read", "usage.read"]);

/** Rule 4: the monthly operation quota is not exhausted (the limiter reserved this request's units). */
export const monthlyQuota: Rule = (request) => {
  if (request.quota === null || !request.quota.exceeded || QUOTA_EXEMPT.has(request.operation)) return null;
  const resets = new Date(request.quota.resetsAt).toISOString();
  return deny("monthly_quota", "quota_exceeded", `The monthly quota of ${request.quota.limit} operations is used up; it resets at ${resets}`);
};

export function operationMatches(pattern: string, operation: string): boolean {
  return pattern.endsWith(".*") ? operation.startsWith(pattern.slice(0, -1)) : pattern === operation;
}

/** Rule 5: the tenant's own rules — source-IP allow-list (once any exists) and operation denies. */
export const tenantRules: Rule = (request, facts) => {
  const allowList = facts.tenantRules.filter((r) => r.kind === "ip_allow");
  if (allowList.length > 0) {
    const ip = request.sourceIp;
    const inside = ip !== null && allowList.some((r) => {
      const range = parseCidr(r.value);
      return range !== null && cidrContains(range, ip);
    });
    if (!inside) return deny("tenant_ip_allow", "access_denied", "The request's source address is not in the tenant's allow-list");
  }
  const denied = facts.tenantRules.find((r) => r.kind === "operation_deny" && operationMatches(r.value, request.operation));
  if (denied) return deny("tenant_operation_deny", "access_denied", `The tenant denies ${request.operation} (${denied.value})`);
  return null;
};

export const RULES: readonly Rule[] = [tenantActive, scopesAndRestriction, planLimits, monthlyQuota, tenantRules];

export function evaluate(request: PolicyRequest, facts: PolicyFacts, rules: readonly Rule[] = RULES): PolicyDecision {
  for (const rule of rules) {
    const denied = rule(request, facts);
    if (denied) return denied;
  }
  return { allow: true };
}
