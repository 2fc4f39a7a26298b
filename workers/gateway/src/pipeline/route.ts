/**
 * Stage 7: forward to the kms Worker over typed RPC with the injected context. Expected failures
 * come back as values and become problem responses; a kms Worker that throws or hangs is 503
 * `kms_unavailable` (its message is never shown to the client).
 */
import type { Result } from "../../../shared/errors.ts";
import type { CallContext } from "../../../shared/rpc.ts";
import type { AuthContext } from "../app-env.ts";
import { ApiError } from "../http/problem.ts";
import { withDeadline } from "./deadline.ts";

const KMS_DEADLINE_MS = 25_000;

export function callContext(auth: AuthContext, requestId: string): CallContext {
  return { tenantId: auth.tenantId, apiKeyId: auth.apiKeyId, requestId };
}

export async function callKms<T>(call: () => Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await withDeadline("kms", KMS_DEADLINE_MS, call);
  } catch {
    throw new ApiError("kms_unavailable");
  }
  if (typeof result !== "object" || result === null || typeof result.ok !== "boolean") throw new ApiError("kms_unavailable");
  if (!result.ok) throw new ApiError(result.error.code, result.error.detail);
  return result.value;
}
