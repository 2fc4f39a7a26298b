/**
 * The failures each operation can answer, for /openapi.json, derived from the route's declaration
 * (its access kind and whether it has a key path parameter, other parameters or a body) plus the
 * codes the route names itself (`RouteSpec.errors`). Codes come from the one closed list in
 * workers/shared/errors.ts; each status becomes an `application/problem+json` response whose
 * description and examples name its possible codes. Also the documented headers.
 */
import { ERRORS, type ErrorCode } from "../../../shared/errors.ts";
import { API_KEY_REALM, challengeFor, PROBLEM_CONTENT_TYPE, problemBody, ApiError } from "./problem.ts";
import type { AnyRoute } from "./route-spec.ts";

/** Failures any stage before the handler can answer on a tenant route (architecture §3). */
const TENANT_PIPELINE: readonly ErrorCode[] = [
  "missing_api_key",
  "invalid_api_key",
  "tenant_suspended",
  "access_denied",
  "plan_restricted",
  "quota_exceeded",
  "rate_limited",
  "misconfigured",
  "database_unavailable",
  "rate_limiter_unavailable",
  "policy_unavailable",
  "kms_unavailable",
];
const ADMIN_PIPELINE: readonly ErrorCode[] = ["invalid_admin_token", "misconfigured", "database_unavailable"];
const BODY: readonly ErrorCode[] = ["invalid_request", "invalid_json", "payload_too_large", "unsupported_media_type"];
const KEY_PARAM: readonly ErrorCode[] = ["key_not_found", "key_disabled"];

export function errorCodesOf(spec: AnyRoute): ErrorCode[] {
  const codes = new Set<ErrorCode>(["internal_error"]);
  const access = spec.access;
  if (access.kind === "tenant") TENANT_PIPELINE.forEach((c) => codes.add(c));
  if (access.kind === "admin") ADMIN_PIPELINE.forEach((c) => codes.add(c));
  if (access.kind === "tenant" && access.keyParam !== undefined) KEY_PARAM.forEach((c) => codes.add(c));
  if (spec.body) BODY.forEach((c) => codes.add(c));
  if (spec.query || (spec.params && !(access.kind === "tenant" && access.keyParam !== undefined))) codes.add("invalid_request");
  for (const code of spec.errors ?? []) codes.add(code);
  return [...codes];
}

const ref = (kind: "headers" | "parameters" | "schemas", name: string) => ({ $ref: `#/components/${kind}/${name}` });

export const HEADERS = {
  "X-Request-ID": {
    description:
      "The request's id: the client's own X-Request-ID when it is 8–128 characters of [A-Za-z0-9._:-] starting with a letter or digit, else a fresh UUID. Quote it when reporting a problem; every audit event of the request carries it.",
    schema: { type: "string" },
  },
  RateLimit: {
    description:
      'The tenant\'s remaining request budget (draft-ietf-httpapi-ratelimit-headers, structured field): `"tenant";r=<requests remaining>;t=<seconds until the bucket is full again>`.',
    schema: { type: "string" },
  },
  "RateLimit-Policy": {
    description: 'The tenant\'s rate-limit policy: `"tenant";q=<burst>;w=<seconds to refill the burst>`.',
    schema: { type: "string" },
  },
  "Retry-After": {
    description:
      "Seconds to wait before retrying (RFC 9110 §10.2.3): on 429, until the tenant's rate limit admits the request again; on 503 for an unavailable dependency (database, rate limiter, policy, kms), a short pause.",
    schema: { type: "integer", minimum: 1 },
  },
  "WWW-Authenticate": {
    description: `The authentication challenge (RFC 9110 §11.6.1): \`Bearer realm="${API_KEY_REALM}"\` for tenant routes, \`Bearer realm="pqkms-admin"\` for admin routes, \`Bearer realm="pqkms-metrics"\` for /metrics; \`error="invalid_token"\` is added when a credential was sent and refused (RFC 6750 §3).`,
    schema: { type: "string" },
  },
} as const;

/** Header names as component keys (no dashes, so generators make plain identifiers). */
export const HEADER_COMPONENTS: Record<string, (typeof HEADERS)[keyof typeof HEADERS]> = {
  RequestId: HEADERS["X-Request-ID"],
  RateLimit: HEADERS.RateLimit,
  RateLimitPolicy: HEADERS["RateLimit-Policy"],
  RetryAfter: HEADERS["Retry-After"],
  WWWAuthenticate: HEADERS["WWW-Authenticate"],
};

/** Headers of a successful answer. */
export function successHeaders(spec: AnyRoute): Record<string, unknown> {
  return {
    "X-Request-ID": ref("headers", "RequestId"),
    ...(spec.access.kind === "tenant" ? { RateLimit: ref("headers", "RateLimit"), "RateLimit-Policy": ref("headers", "RateLimitPolicy") } : {}),
  };
}

function problemHeaders(spec: AnyRoute, status: number): Record<string, unknown> {
  return {
    "X-Request-ID": ref("headers", "RequestId"),
    ...(status === 401 ? { "WWW-Authenticate": ref("headers", "WWWAuthenticate") } : {}),
    ...(status === 429 || status === 503 ? { "Retry-After": ref("headers", "RetryAfter") } : {}),
    ...(status === 429 ? { RateLimit: ref("headers", "RateLimit"), "RateLimit-Policy": ref("headers", "RateLimitPolicy") } : {}),
  };
}

const EXAMPLE_REQUEST_ID = "0b8f5b5e-6c3a-4d7e-9f1a-2c4b6d8e0a1c";

/** `components/examples`: one problem body per code, shared by every response that can carry it. */
export function problemExamples(codes: Iterable<ErrorCode>): Record<string, unknown> {
  return Object.fromEntries(
    [...new Set(codes)].sort().map((code) => [code, { summary: ERRORS[code].title, value: problemBody(new ApiError(code), EXAMPLE_REQUEST_ID) }]),
  );
}

/** One problem response per status the route can fail with, each listing its codes. */
export function problemResponses(spec: AnyRoute): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(spec)) {
    const status = ERRORS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    if (spec.responses[status] !== undefined) continue;
    const list = codes.map((code) => `\`${code}\` (${ERRORS[code].title})`).join(", ");
    const examples = Object.fromEntries(codes.map((code) => [code, { $ref: `#/components/examples/${code}` }]));
    const challenge = status === 401 ? codes.map(challengeFor).find((c) => c !== undefined) : undefined;
    responses[String(status)] = {
      description: `${codes.length === 1 ? "Code" : "One of the codes"}: ${list}.${challenge ? " Carries WWW-Authenticate." : ""}`,
      headers: problemHeaders(spec, status),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ref("schemas", "Problem"), examples } },
    };
  }
  return responses;
}
