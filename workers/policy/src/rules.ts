/**
 * The policy rules (DESIGN §4), evaluated in order; the first deny ends evaluation and is the one
 * reported. Each rule is a pure function of the request and the facts read for it.
 */
import { OPERATIONS } from "../../shared/operations.ts";
import type { PolicyDecision, PolicyRequest } from "../../shared/rpc.ts";

export interface TenantFacts {
  status: "active" | "suspended";
}

export interface PolicyFacts {
  /** Null when the tenant does not exist (deleted or never created). */
  tenant: TenantFacts | null;
}

type Deny = Extract<PolicyDecision, { allow: false }>;
export type Rule = (request: PolicyRequest, facts: PolicyFacts) => Deny | null;

/** Rule 1: the tenant is active. */
export const tenantActive: Rule = (_request, facts) => {
  if (facts.tenant === null) return { allow: false, rule: "tenant_status", code: "access_denied", detail: "Unknown tenant" };
  if (facts.tenant.status !== "active") {
    return { allow: false, rule: "tenant_status", code: "tenant_suspended", detail: "The tenant is suspended" };
  }
  return null;
};

/** Rule 2: the API key holds the operation's scope, and its key restriction (if any) covers the key. */
export const scopesAndRestriction: Rule = (request) => {
  const needed = OPERATIONS[request.operation].scope;
  if (!request.scopes.includes(needed)) {
    return { allow: false, rule: "scopes", code: "access_denied", detail: `This API key lacks the ${needed} scope` };
  }
  if (request.keyRestriction !== null && request.keyId !== null && !request.keyRestriction.includes(request.keyId.toLowerCase())) {
    return { allow: false, rule: "key_restriction", code: "access_denied", detail: "This API key is not allowed to use this key" };
  }
  return null;
};

export const RULES: readonly Rule[] = [tenantActive, scopesAndRestriction];

export function evaluate(request: PolicyRequest, facts: PolicyFacts, rules: readonly Rule[] = RULES): PolicyDecision {
  for (const rule of rules) {
    const deny = rule(request, facts);
    if (deny) return deny;
  }
  return { allow: true };
}
