/**
 * Emergency policy fail-open (architecture §4), as stage 6 applies it when the policy engine cannot be
 * reached. Off (the default, or expired), the request is 503 `policy_unavailable`: fail closed.
 * On, it opens only what cannot be known without the engine: the gateway runs the engine's own
 * rules itself, over the facts the engine would have read from D1 (facts.ts); only if those
 * cannot be read either does it fall back to the rules that need nothing beyond the caller's
 * resolved context (tenant status, scopes and key restriction, the plan's algorithms on create,
 * the quota the limiter just reserved). An outage never turns a `keys:read` key into one that can
 * sign, nor lets a request past the tenant's IP allow-list while D1 can still say so. Each request
 * let through is audited as critical first: no audit, no proceed. Switched by routes/fail-open.ts.
 */
import type { Context } from "hono";
import type { PolicyDecision, PolicyRequest } from "../../../shared/rpc.ts";
import { readFacts } from "../../../shared/policy/facts.ts";
import { evaluate, monthlyQuota, planLimits, scopesAndRestriction, tenantActive, type PolicyFacts, type Rule } from "../../../shared/policy/rules.ts";
import type { AppEnv, AuthContext } from "../app-env.ts";
import { activeFailOpen, readFailOpen, type FailOpenSetting } from "../db/settings.ts";
import { withDeadline } from "../http/deadline.ts";
import { ApiError } from "../http/problem.ts";
import { callKms } from "../kms/client.ts";
import { counters } from "../metrics/counters.ts";
import { recordPolicyEvent, refuseIfDenied } from "./deny.ts";

export const POLICY_DEADLINE_MS = 3_000;

/** The rules that need no fact the policy Worker reads from D1 (architecture §4 rules 1, 2, 4, and 3 on create). */
const LOCAL_RULES: readonly Rule[] = [tenantActive, scopesAndRestriction, planLimits, monthlyQuota];

/** Pure: what the local rules decide for this caller, with the facts stage 3 resolved. */
function localDecision(auth: AuthContext, request: PolicyRequest, now: number): PolicyDecision {
  const facts: PolicyFacts = {
    now,
    tenant: { status: auth.tenant.status, plan: auth.tenant.plan, maxKeys: auth.limits.maxKeys },
    keyAlgorithm: null,
    keyCount: null,
    tenantRules: [],
  };
  return evaluate(request, facts, LOCAL_RULES);
}

/** The gateway's own decision while fail-open is on, and whether every rule could be checked. */
async function fallbackDecision(c: Context<AppEnv>, request: PolicyRequest): Promise<{ decision: PolicyDecision; complete: boolean }> {
  const now = Date.now();
  try {
    const facts = await withDeadline("policy facts", POLICY_DEADLINE_MS, () => readFacts(c.env.DB, request, now));
    return { decision: evaluate(request, facts), complete: true };
  } catch {
    return { decision: localDecision(c.get("auth"), request, now), complete: false };
  }
}

export async function failOpenOrClose(c: Context<AppEnv>, request: PolicyRequest): Promise<void> {
  let active: FailOpenSetting | null;
  try {
    active = activeFailOpen(await readFailOpen(c.env.DB), Date.now());
  } catch {
    active = null;
  }
  if (active === null) throw new ApiError("policy_unavailable");
  const { decision, complete } = await fallbackDecision(c, request);
  refuseIfDenied(c, request, decision);
  const checked = complete ? "every rule checked by the gateway" : "policy facts unreadable: tenant rules and key facts not checked";
  const detail = `policy engine unavailable; allowed by emergency fail-open until ${new Date(active.until).toISOString()} (${active.reason}); ${checked}`;
  try {
    await callKms(() => recordPolicyEvent(c, request, { outcome: "allowed", rule: "fail_open", severity: "critical", detail }));
  } catch {
    throw new ApiError("policy_unavailable");
  }
  counters.inc("pqkms_fail_open_allowances_total");
}
