/**
 * Stage 6: ask the policy Worker (typed RPC) whether this caller may perform this operation.
 * The answer is validated: an unreachable, throwing, slow or malformed policy engine is 503
 * `policy_unavailable` — never an allow (DESIGN §3), except under an admin's time-boxed emergency
 * fail-open for an unreachable engine. A deny is 403 with the deciding rule, and audited.
 *
 * Fail-open opens only what cannot be known without the engine. While it is on, the gateway runs
 * the engine's own rules itself, over the facts the engine would have read from D1 (facts.ts);
 * only if those cannot be read either does it fall back to the rules that need nothing beyond the
 * caller's resolved context (tenant status, scopes and key restriction, the plan's algorithms on
 * create, the quota the limiter just reserved). An outage never turns a `keys:read` key into one
 * that can sign, nor lets a request past the tenant's IP allow-list while D1 can still say so.
 */
import type { Context } from "hono";
import * as z from "zod";
import type { Operation } from "../../../shared/operations.ts";
import type { PolicyDecision, PolicyRequest, QuotaFacts, RecordedEvent } from "../../../shared/rpc.ts";
import { readFacts } from "../../../shared/policy/facts.ts";
import { evaluate, monthlyQuota, planLimits, scopesAndRestriction, tenantActive, type PolicyFacts, type Rule } from "../../../shared/policy/rules.ts";
import type { AppEnv, AuthContext } from "../app-env.ts";
import { activeFailOpen, readFailOpen, type FailOpenSetting } from "../db/settings.ts";
import { counters } from "../metrics/counters.ts";
import { callKms } from "../kms/client.ts";
import { ApiError } from "../http/problem.ts";
import { withDeadline } from "../http/deadline.ts";

const POLICY_DEADLINE_MS = 3_000;

const DecisionSchema = z.discriminatedUnion("allow", [
  z.object({ allow: z.literal(true) }),
  z.object({
    allow: z.literal(false),
    rule: z.string().min(1).max(100),
    code: z.enum(["tenant_suspended", "access_denied", "plan_restricted", "quota_exceeded"]),
    detail: z.string().max(500),
  }),
]);

export interface PolicyTarget {
  operation: Operation;
  keyId: string | null;
  algorithm: string | null;
}

export function policyRequest(auth: AuthContext, target: PolicyTarget, requestId: string, quota: QuotaFacts | null): PolicyRequest {
  return {
    tenantId: auth.tenantId,
    apiKeyId: auth.apiKeyId,
    scopes: auth.scopes,
    keyRestriction: auth.keyRestriction,
    operation: target.operation,
    keyId: target.keyId,
    algorithm: target.algorithm,
    sourceIp: auth.sourceIp,
    requestId,
    quota,
    tenantRevision: auth.tenant.updatedAt,
  };
}

/**
 * Asks the policy engine. A deny is audited in the tenant's log (in the background: the request is
 * refused either way) and answered 403. An unreachable engine is 503 — unless a platform admin has
 * switched on emergency fail-open, in which case the request proceeds and is audited as critical
 * first (no audit, no proceed). A malformed answer is never treated as an outage: 503 always.
 */
export async function checkPolicy(c: Context<AppEnv>, request: PolicyRequest): Promise<void> {
  let answer: unknown;
  try {
    answer = await withDeadline<unknown>("policy", POLICY_DEADLINE_MS, async () => c.env.POLICY.evaluate(request));
  } catch {
    await failOpenOrClose(c, request);
    return;
  }
  const parsed = DecisionSchema.safeParse(answer);
  if (!parsed.success) throw new ApiError("policy_unavailable");
  refuseIfDenied(c, request, parsed.data);
}

const NO_FACTS = { now: 0, tenant: null, keyAlgorithm: null, keyCount: null, tenantRules: [] } satisfies PolicyFacts;

/**
 * Stage 6, first half: DESIGN §4 rule 2 (the operation's scope; the key restriction, once the key is
 * known), decided by the same rule function the engine runs, before the request body is read. It
 * needs no fact beyond the caller's resolved context, so no engine call; a deny is audited and
 * answered like any other.
 */
export function authorize(c: Context<AppEnv>, request: PolicyRequest): void {
  const denied = scopesAndRestriction(request, NO_FACTS);
  if (denied !== null) refuseIfDenied(c, request, denied);
}

/** A deny is audited in the tenant's log in the background (the request is refused either way). */
function refuseIfDenied(c: Context<AppEnv>, request: PolicyRequest, decision: PolicyDecision): void {
  if (decision.allow) return;
  c.executionCtx.waitUntil(
    record(c, request, { outcome: "denied", rule: decision.rule, severity: "warning", detail: decision.detail }).catch(() => undefined),
  );
  throw new ApiError(decision.code, decision.detail, { rule: decision.rule });
}

/** The rules that need no fact the policy Worker reads from D1 (DESIGN §4 rules 1, 2, 4, and 3 on create). */
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

async function failOpenOrClose(c: Context<AppEnv>, request: PolicyRequest): Promise<void> {
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
    await callKms(() => record(c, request, { outcome: "allowed", rule: "fail_open", severity: "critical", detail }));
  } catch {
    throw new ApiError("policy_unavailable");
  }
  counters.inc("pqkms_fail_open_allowances_total");
}

async function record(
  c: Context<AppEnv>,
  request: PolicyRequest,
  event: Pick<RecordedEvent, "outcome" | "rule" | "severity" | "detail">,
) {
  const call = { tenantId: request.tenantId, apiKeyId: request.apiKeyId, requestId: request.requestId };
  return c.env.KMS.recordEvent(call, { operation: request.operation, keyId: request.keyId, ...event });
}
