/**
 * RFC 9457 problem details: the one shape of every failure the gateway answers. `ApiError` is the
 * one exception type routes and stages throw; `app.onError` renders it. Anything else that reaches
 * `onError` is an internal error: logged with the request id, answered with a fixed message.
 */
import { ERRORS, type ErrorCode } from "../../../shared/errors.ts";

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly rule: string | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail?: string, options: { rule?: string; headers?: Record<string, string> } = {}) {
    super(detail ?? ERRORS[code].title);
    this.name = "ApiError";
    this.code = code;
    this.detail = detail;
    this.rule = options.rule;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return ERRORS[this.code].status;
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  request_id: string;
  rule?: string;
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** The realm of tenant API keys; admin and metrics credentials name their own (see admin-auth.ts). */
export const API_KEY_REALM = "pqkms";

/**
 * RFC 9110 §11.6.1: every 401 carries a `WWW-Authenticate` challenge. RFC 6750 §3: a request that
 * sent no credentials gets the bare challenge; one whose credential was refused adds
 * `error="invalid_token"`. Routes with another realm set the header themselves; it wins.
 */
export function challengeFor(code: ErrorCode): string | undefined {
  if (ERRORS[code].status !== 401) return undefined;
  return code === "missing_api_key" ? `Bearer realm="${API_KEY_REALM}"` : `Bearer realm="${API_KEY_REALM}", error="invalid_token"`;
}

export function problemBody(error: ApiError, requestId: string): ProblemBody {
  const { status, title } = ERRORS[error.code];
  return {
    type: `https://pqkms.dev/problems/${error.code.replaceAll("_", "-")}`,
    title,
    status,
    detail: error.detail ?? title,
    code: error.code,
    request_id: requestId,
    ...(error.rule === undefined ? {} : { rule: error.rule }),
  };
}
