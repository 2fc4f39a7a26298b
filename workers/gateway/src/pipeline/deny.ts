/**
 * A policy deny (architecture §4): audited in the tenant's log in the background — the request is
 * refused either way — and answered 403 with the rule that decided. Used by stage 6 for the
 * engine's answers and its own scope check, and by emergency fail-open for the gateway's.
 */
import type { Context } from "hono";
import type { PolicyDecision, PolicyRequest, RecordedEvent } from "../../../shared/rpc.ts";
import type { AppEnv } from "../app-env.ts";
import { ApiError } from "../http/problem.ts";

/** A deny is audited in the tenant's log in the background (the request is refused either way). */
export function refuseIfDenied(c: Context<AppEnv>, request: PolicyRequest, decision: PolicyDecision): void {
  if (decision.allow) return;
  c.executionCtx.waitUntil(
    recordPolicyEvent(c, request, { outcome: "denied", rule: decision.rule, severity: "warning", detail: decision.detail }).catch(() => undefined),
  );
  throw new ApiError(decision.code, decision.detail, { rule: decision.rule });
}

/** Writes a policy outcome to the audit log of the request's tenant. */
export async function recordPolicyEvent(
  c: Context<AppEnv>,
  request: PolicyRequest,
  event: Pick<RecordedEvent, "outcome" | "rule" | "severity" | "detail">,
) {
  const call = { tenantId: request.tenantId, placement: c.get("auth").tenant.placement, apiKeyId: request.apiKeyId, requestId: request.requestId };
  return c.env.KMS.recordEvent(call, { operation: request.operation, keyId: request.keyId, ...event });
}
