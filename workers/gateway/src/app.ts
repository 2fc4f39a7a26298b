/**
 * The gateway's Hono app: request context and standard headers, the 1 MiB body limit, every
 * route from the registry (each behind its pipeline stages), and one error handler that renders
 * RFC 9457 problem details for every failure.
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./app-env.ts";
import { ApiError, challengeFor, PROBLEM_CONTENT_TYPE, problemBody } from "./http/problem.ts";
import { redact } from "./http/redact.ts";
import { setStandardHeaders, requestContext } from "./http/request-id.ts";
import { counters } from "./metrics/counters.ts";
import { recordMetrics } from "./metrics/recorder.ts";
import type { AnyRoute } from "./http/route-spec.ts";
import { allowedMethods, mountRoutes } from "./http/routes.ts";
import type { PipelineOptions } from "./pipeline/stages.ts";
import { adminRoutes } from "./routes/admin.ts";
import { aliasRoutes } from "./routes/aliases.ts";
import { apiKeyRoutes } from "./routes/api-keys.ts";
import { auditRoutes } from "./routes/audit.ts";
import { auditArchiveRoutes } from "./routes/audit-archive.ts";
import { failOpenRoutes } from "./routes/fail-open.ts";
import { batchRoutes } from "./routes/batch.ts";
import { consoleRoutes } from "./routes/console.ts";
import { cryptoRoutes } from "./routes/crypto.ts";
import { importRoutes } from "./routes/import.ts";
import { keylessCryptoRoutes } from "./routes/keyless-crypto.ts";
import { keyRoutes } from "./routes/keys.ts";
import { keyVersionRoutes } from "./routes/key-versions.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { policyRuleRoutes } from "./routes/policy-rules.ts";
import { systemRoutes } from "./routes/system.ts";
import { tenantRoutes } from "./routes/tenant.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

export const ROUTES: readonly AnyRoute[] = [
  ...systemRoutes(() => ROUTES),
  ...consoleRoutes,
  ...metricsRoutes,
  ...adminRoutes,
  ...failOpenRoutes,
  ...tenantRoutes,
  ...apiKeyRoutes,
  ...keyRoutes,
  ...keyVersionRoutes,
  ...cryptoRoutes,
  ...batchRoutes,
  ...importRoutes,
  ...aliasRoutes,
  ...keylessCryptoRoutes,
  ...auditRoutes,
  ...auditArchiveRoutes,
  ...policyRuleRoutes,
];

const DEPENDENCY_OF: Partial<Record<ApiError["code"], string>> = {
  rate_limiter_unavailable: "rate_limiter",
  policy_unavailable: "policy",
  kms_unavailable: "kms",
  database_unavailable: "d1",
};

/** RFC 9110 §10.2.3: a dependency outage is usually brief; tell clients when to try again. */
const DEPENDENCY_RETRY_AFTER_SECONDS = "1";

function countFailure(error: ApiError): void {
  if (error.code === "rate_limited") counters.inc("pqkms_rate_limited_total");
  else if (error.rule !== undefined && error.status === 403) counters.inc("pqkms_policy_denials_total", { rule: error.rule });
  const dependency = DEPENDENCY_OF[error.code];
  if (dependency) counters.inc("pqkms_dependency_failures_total", { dependency });
}

function problem(c: Context<AppEnv>, error: ApiError): Response {
  countFailure(error);
  const requestId = c.get("requestId") ?? crypto.randomUUID();
  const headers = new Headers({ "Content-Type": PROBLEM_CONTENT_TYPE, ...error.headers });
  const challenge = challengeFor(error.code);
  if (challenge !== undefined && !headers.has("WWW-Authenticate")) headers.set("WWW-Authenticate", challenge);
  if (DEPENDENCY_OF[error.code] !== undefined && !headers.has("Retry-After")) headers.set("Retry-After", DEPENDENCY_RETRY_AFTER_SECONDS);
  const response = new Response(JSON.stringify(problemBody(error, requestId)), { status: error.status, headers });
  setStandardHeaders(response.headers, requestId);
  return response;
}

/**
 * D1 failures outside the pipeline's own guarded lookups (admin and self-service routes) are a
 * dependency outage, 503, not an internal error. drizzle wraps them; D1's own messages start D1_.
 */
export function isD1Failure(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e.name === "DrizzleQueryError" || /^D1_/.test(e.message)) return true;
  }
  return false;
}

export function createApp(routes: readonly AnyRoute[] = ROUTES, options: PipelineOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", requestContext);
  app.use("*", recordMetrics);
  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("payload_too_large", `The request body exceeds ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  mountRoutes(app, routes, options);

  app.notFound((c) => {
    const allow = allowedMethods(routes, c.req.path);
    if (allow.length > 0) {
      return problem(c, new ApiError("method_not_allowed", `${c.req.method} is not allowed here`, { headers: { Allow: allow.join(", ") } }));
    }
    return problem(c, new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}`));
  });

  app.onError((error, c) => {
    if (error instanceof ApiError) return problem(c, error);
    if (isD1Failure(error)) return problem(c, new ApiError("database_unavailable"));
    console.error(
      JSON.stringify({ level: "error", request_id: c.get("requestId"), error: error.name, message: redact(error.message) }),
    );
    return problem(c, new ApiError("internal_error", "An internal error occurred; quote the request id when reporting it"));
  });
  return app;
}
