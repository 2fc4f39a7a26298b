/**
 * The problem a failure answered by the kms Worker becomes. A detail is shown only for 4xx
 * failures: a 5xx detail is internal (architecture §6) and is replaced by the fixed title. Pure.
 */
import { ERRORS, isErrorCode } from "../../../shared/errors.ts";
import { ApiError } from "../http/problem.ts";

/** Pure: the problem a kms failure becomes. Unknown codes are a broken dependency, not a verdict. */
export function kmsFailure(error: unknown): ApiError {
  const { code, detail, rule, retryAfter } = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  if (!isErrorCode(code)) return new ApiError("kms_unavailable");
  if (ERRORS[code].status >= 500) return new ApiError(code);
  // RFC 9110 §10.2.3: whole seconds; a refusal that says when to retry (a slow signature in flight) keeps it.
  const headers = typeof retryAfter === "number" && Number.isInteger(retryAfter) && retryAfter > 0 ? { "Retry-After": String(retryAfter) } : undefined;
  return new ApiError(code, typeof detail === "string" ? detail : undefined, {
    ...(typeof rule === "string" ? { rule } : {}),
    ...(headers ? { headers } : {}),
  });
}
