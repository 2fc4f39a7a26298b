/**
 * The one error vocabulary of pqkms (architecture §6): a closed list of codes, each with its HTTP status
 * and title. Every Worker speaks it; the gateway renders it as RFC 9457 problem+json.
 * Expected failures cross RPC as values (`Failure`), never as thrown errors, because a thrown
 * error loses its custom fields on the way across an RPC boundary.
 */

export const ERRORS = {
  invalid_request: { status: 400, title: "Invalid request" },
  invalid_json: { status: 400, title: "Malformed JSON body" },
  unsupported_operation: { status: 400, title: "Operation not supported by this key" },
  decrypt_failed: { status: 400, title: "Decryption failed" },
  missing_api_key: { status: 401, title: "API key required" },
  invalid_api_key: { status: 401, title: "Invalid API key" },
  invalid_admin_token: { status: 401, title: "Invalid admin token" },
  tenant_suspended: { status: 403, title: "Tenant suspended" },
  access_denied: { status: 403, title: "Access denied" },
  plan_restricted: { status: 403, title: "Not allowed by plan" },
  quota_exceeded: { status: 403, title: "Monthly operation quota exceeded" },
  not_found: { status: 404, title: "Not found" },
  tenant_not_found: { status: 404, title: "Tenant not found" },
  api_key_not_found: { status: 404, title: "API key not found" },
  key_not_found: { status: 404, title: "Key not found" },
  alias_not_found: { status: 404, title: "Alias not found" },
  audit_segment_not_found: { status: 404, title: "Audit segment not found" },
  import_job_not_found: { status: 404, title: "Import job not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "Conflict" },
  idempotency_conflict: { status: 409, title: "Idempotency key reused with a different request" },
  key_disabled: { status: 409, title: "Key disabled" },
  // An import job is single use and lives 24 hours (architecture §5, key import): afterwards its
  // private key is destroyed, so the job is gone for good.
  import_job_gone: { status: 410, title: "Import job already used or expired" },
  payload_too_large: { status: 413, title: "Request body too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  rate_limited: { status: 429, title: "Rate limit exceeded" },
  internal_error: { status: 500, title: "Internal error" },
  misconfigured: { status: 503, title: "Service misconfigured" },
  rate_limiter_unavailable: { status: 503, title: "Rate limiter unavailable" },
  policy_unavailable: { status: 503, title: "Policy engine unavailable" },
  kms_unavailable: { status: 503, title: "Key service unavailable" },
  database_unavailable: { status: 503, title: "Database unavailable" },
  audit_unavailable: { status: 503, title: "Audit archive or signing key unavailable" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

/**
 * `reason` is a fixed, non-secret word for why a parser or check refused its input (envelope
 * decoding, SPKI, unwrapping): for logs and tests, never for an API response.
 */
export interface Failure<R extends string = string> {
  ok: false;
  /** `reasons`: every problem found, when a check reports more than one (a configuration's secrets). */
  error: {
    code: ErrorCode;
    detail?: string;
    rule?: string;
    reason?: R;
    reasons?: string[];
    /** Seconds after which a refused request may be retried (RFC 9110 §10.2.3 `Retry-After`). */
    retryAfter?: number;
  };
}
export interface Success<T> {
  ok: true;
  value: T;
}
export type Result<T, R extends string = string> = Success<T> | Failure<R>;

export const ok = <T>(value: T): Success<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, detail?: string, rule?: string): Failure => ({
  ok: false,
  error: rule === undefined ? { code, ...(detail === undefined ? {} : { detail }) } : { code, rule, ...(detail === undefined ? {} : { detail }) },
});

/** A failure with a fixed `reason` (see `Failure`). */
export const failBecause = <R extends string>(code: ErrorCode, reason: R): Failure<R> => ({ ok: false, error: { code, reason } });

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERRORS, value);
}
