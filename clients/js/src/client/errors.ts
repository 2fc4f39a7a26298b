/**
 * The one error every call rejects with (besides an abort, which rejects with the signal's own
 * reason): the gateway's RFC 9457 problem, a network failure, or an answer the client cannot read.
 */
import type { components } from "../generated/openapi.ts";

/** The codes the gateway answers with (its problem+json `code`), from the OpenAPI document. */
export type ProblemCode = components["schemas"]["Problem"]["code"];

/**
 * What went wrong: a gateway problem code, or one of the client's own:
 * `network_error` (no answer: DNS, connection refused or reset, TLS) and
 * `invalid_response` (an answer that is not what the API documents).
 */
export type PqkmsErrorCode = ProblemCode | "network_error" | "invalid_response";

/** A failed call. `status` is the HTTP status, 0 when no answer arrived. */
export class PqkmsError extends Error {
  override readonly name = "PqkmsError";
  /** HTTP status of the answer; 0 for `network_error`. */
  readonly status: number;
  /** The problem's machine-readable code (see {@link PqkmsErrorCode}). */
  readonly code: PqkmsErrorCode;
  /** The policy rule that denied the call (403 `access_denied`, `plan_restricted`), when one did. */
  readonly rule: string | undefined;
  /** The request's id (`X-Request-ID`): quote it when reporting a problem; audit events carry it. */
  readonly requestId: string | undefined;
  /** The gateway's human-readable explanation; for 400 it names the field that was wrong. */
  readonly detail: string;
  /** Seconds the gateway asked to wait before trying again (`Retry-After` on 429 and 503). */
  readonly retryAfter: number | undefined;

  /** @internal Built by the client; applications read it, they do not construct it. */
  constructor(fields: {
    status: number;
    code: PqkmsErrorCode;
    detail: string;
    rule?: string | undefined;
    requestId?: string | undefined;
    retryAfter?: number | undefined;
    cause?: unknown;
  }) {
    super(`${fields.code}: ${fields.detail}${fields.requestId ? ` (request ${fields.requestId})` : ""}`, { cause: fields.cause });
    this.status = fields.status;
    this.code = fields.code;
    this.rule = fields.rule;
    this.requestId = fields.requestId;
    this.detail = fields.detail;
    this.retryAfter = fields.retryAfter;
  }
}

/** An answer the client cannot read as the API documents it. */
export function invalidResponse(detail: string, response?: Response): PqkmsError {
  return new PqkmsError({ status: response?.status ?? 0, code: "invalid_response", detail, requestId: response?.headers.get("X-Request-ID") ?? undefined });
}
