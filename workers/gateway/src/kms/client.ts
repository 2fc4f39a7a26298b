/**
 * The kms client: every call from the gateway to the kms Worker goes through `callKms`, over typed
 * RPC with the caller's context (stage 7, architecture §3). Expected failures come back as values and
 * become problem responses (failure.ts); a kms Worker that throws, hangs or answers something that
 * is not a `Result` with a known code is 503 `kms_unavailable`: fail closed.
 */
import type { Result } from "../../../shared/errors.ts";
import { PLATFORM_AUDIT_TENANT, type CallContext } from "../../../shared/rpc.ts";
import type { Operation } from "../../../shared/operations.ts";
import type { AuthContext } from "../app-env.ts";
import { ApiError } from "../http/problem.ts";
import { withDeadline } from "../http/deadline.ts";
import { kmsFailure } from "./failure.ts";

const KMS_DEADLINE_MS = 25_000;

export function callContext(auth: AuthContext, requestId: string): CallContext {
  return { tenantId: auth.tenantId, placement: auth.tenant.placement, apiKeyId: auth.apiKeyId, requestId };
}

/** The context of a platform admin's call, recorded in the platform's own audit log (always in the default namespace). */
export function platformCallContext(requestId: string): CallContext {
  return { tenantId: PLATFORM_AUDIT_TENANT, placement: "default", apiKeyId: "platform-admin", requestId };
}

export async function callKms<T>(call: () => Promise<Result<T>>): Promise<T> {
  let result: unknown;
  try {
    result = await withDeadline<unknown>("kms", KMS_DEADLINE_MS, call);
  } catch {
    throw new ApiError("kms_unavailable");
  }
  if (typeof result !== "object" || result === null) throw new ApiError("kms_unavailable");
  const answer = result as Partial<Result<T>>;
  if (answer.ok === true) return answer.value as T;
  if (answer.ok === false) throw kmsFailure(answer.error);
  throw new ApiError("kms_unavailable");
}

/**
 * Records a change to who may do what in the tenant (its API keys, its policy rules) in the
 * tenant's audit log, before the change is made: if the event cannot be written, the change is
 * not made, so no such change is ever unaudited (architecture §9).
 */
export async function auditTenantChange(env: Env, call: CallContext, operation: Operation, detail: string): Promise<void> {
  await callKms(() => env.KMS.recordEvent(call, { operation, keyId: null, outcome: "allowed", rule: null, severity: "info", detail }));
}
