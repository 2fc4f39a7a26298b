/**
 * Stage 6: the policy check (architecture §3, §4), as middleware, in two steps around input validation.
 * Authorization comes first: a caller without the operation's scope, or whose key restriction
 * leaves out the key in the path, is refused (403, audited) before its body is read, so a
 * malformed body never tells it more than "not allowed". Then the input is validated (400 naming
 * the field), and the policy Worker (typed RPC) decides with everything the rules need, the
 * algorithm on create included. Where only the input names the key (`keyFrom`: key-less decrypt,
 * an alias's new target), its key restriction is checked as soon as the input is read.
 * A batch is the exception to that order: its operation, and so its scope, is named by its body,
 * which is therefore read first (`batch`, routes/batch.ts); its extra items are charged here.
 *
 * The engine's answer is validated: an unreachable, throwing, slow or malformed policy engine is
 * 503 `policy_unavailable` — never an allow — except under an admin's time-boxed emergency
 * fail-open for an unreachable engine (fail-open.ts). A deny is 403 with the deciding rule, and
 * audited (deny.ts).
 */
import type { Context, MiddlewareHandler } from "hono";
import * as z from "zod";
import { OPERATIONS, type Operation } from "../../../shared/operations.ts";
import { BATCH_PLANS, type Plan } from "../../../shared/plans.ts";
import type { PolicyDecision, PolicyRequest, QuotaFacts } from "../../../shared/rpc.ts";
import { scopesAndRestriction, type PolicyFacts } from "../../../shared/policy/rules.ts";
import type { AppEnv, AuthContext } from "../app-env.ts";
import { withDeadline } from "../http/deadline.ts";
import { parseInput } from "../http/input.ts";
import { ApiError } from "../http/problem.ts";
import type { AnyRoute, TenantAccess } from "../http/route-spec.ts";
import { refuseIfDenied } from "./deny.ts";
import { failOpenOrClose, POLICY_DEADLINE_MS } from "./fail-open.ts";
import { charge } from "./rate-limit.ts";
import { keyIdFromPath, resolveAliasName, resolveKeyRef } from "./key-ref.ts";

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
    tenant: { status: auth.tenant.status, plan: auth.tenant.plan, maxKeys: auth.tenant.maxKeys },
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
 * Stage 6, first half: architecture §4 rule 2 (the operation's scope; the key restriction, once the key is
 * known), decided by the same rule function the engine runs, before the request body is read. It
 * needs no fact beyond the caller's resolved context, so no engine call; a deny is audited and
 * answered like any other.
 */
export function authorize(c: Context<AppEnv>, request: PolicyRequest): void {
  const denied = scopesAndRestriction(request, NO_FACTS);
  if (denied !== null) refuseIfDenied(c, request, denied);
}

export function policy(access: TenantAccess, spec: AnyRoute, clock?: () => number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const auth = c.get("auth");
    // A batch is the operation its body names, so its body is read first (batch.ts).
    const early = access.batch === undefined ? null : await parseInput(c, spec);
    const batch = early === null ? null : (access.batch?.(early) ?? null);
    const operation = batch?.operation ?? access.operation;
    if (batch !== null) c.set("operation", operation);
    const target = (keyId: string | null) => ({ operation, keyId, algorithm: null });
    const segment = access.keyParam === undefined ? null : (c.req.param(access.keyParam) ?? "");
    // The key id as the path spells it, so that a denial is audited against the key it named.
    const spelled = segment === null ? null : keyIdFromPath(segment);
    authorize(c, policyRequest(auth, target(spelled), c.get("requestId"), null));
    let keyId: string | null = null;
    if (segment !== null) {
      keyId = await resolveKeyRef(c, segment);
    } else if (access.aliasParam !== undefined) {
      keyId = await resolveAliasName(c, c.req.param(access.aliasParam) ?? "", "alias_not_found");
    }
    if (keyId !== null) {
      // A key id spelled in the path was checked above; an alias's key is checked here, once known.
      if (keyId !== spelled) authorize(c, policyRequest(auth, target(keyId), c.get("requestId"), null));
      c.set("keyId", keyId);
    }
    const input = early ?? (await parseInput(c, spec));
    const named = access.keyFrom?.(input) ?? null;
    if (named !== null) {
      keyId = named;
      authorize(c, policyRequest(auth, target(keyId), c.get("requestId"), null));
      c.set("keyId", keyId);
    }
    if (batch !== null) {
      refuseIfDenied(c, policyRequest(auth, target(keyId), c.get("requestId"), null), batchAllowed(auth.tenant.plan));
      if (batch.items > 1) await charge(c, (batch.items - 1) * OPERATIONS[operation].cost, clock);
    }
    const full = { operation, keyId, algorithm: access.algorithm?.(input) ?? null };
    await checkPolicy(c, policyRequest(auth, full, c.get("requestId"), c.get("quota")));
    c.set("input", input);
    await next();
  };
}

/** Batches are a feature of the paying plans (README, Limits); refused like any plan rule, audited. */
function batchAllowed(plan: Plan): PolicyDecision {
  return BATCH_PLANS.has(plan) ? { allow: true } : { allow: false, rule: "plan_batch", code: "plan_restricted", detail: `The ${plan} plan does not include batches` };
}
