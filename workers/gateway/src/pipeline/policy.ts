/**
 * Stage 6: ask the policy Worker (typed RPC) whether this caller may perform this operation.
 * The answer is validated: an unreachable, throwing, slow or malformed policy engine is 503
 * `policy_unavailable` — never an allow (DESIGN §3). A deny is 403 with the deciding rule.
 */
import { z } from "zod";
import type { Operation } from "../../../shared/operations.ts";
import type { PolicyDecision, PolicyRequest } from "../../../shared/rpc.ts";
import type { AuthContext } from "../app-env.ts";
import { ApiError } from "../http/problem.ts";
import { withDeadline } from "./deadline.ts";

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

export function policyRequest(auth: AuthContext, target: PolicyTarget, requestId: string): PolicyRequest {
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
  };
}

export async function checkPolicy(policy: Env["POLICY"], request: PolicyRequest): Promise<void> {
  let answer: unknown;
  try {
    answer = await withDeadline<unknown>("policy", POLICY_DEADLINE_MS, async () => policy.evaluate(request));
  } catch {
    throw new ApiError("policy_unavailable");
  }
  const parsed = DecisionSchema.safeParse(answer);
  if (!parsed.success) throw new ApiError("policy_unavailable");
  const decision: PolicyDecision = parsed.data;
  if (!decision.allow) throw new ApiError(decision.code, decision.detail, { rule: decision.rule });
}
