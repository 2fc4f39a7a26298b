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
