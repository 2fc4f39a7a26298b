/**
 * The gateway's Hono app: request context and standard headers, the 1 MiB body limit, every
 * route from the registry (each behind its pipeline stages), and one error handler that renders
 * RFC 9457 problem details for every failure.
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./app-env.ts";
import { ApiError, PROBLEM_CONTENT_TYPE, problemBody } from "./http/problem.ts";
import { setStandardHeaders, requestContext } from "./http/request-id.ts";
import { allowedMethods, mountRoutes, type AnyRoute } from "./http/routes.ts";
import { adminRoutes } from "./routes/admin.ts";
import { apiKeyRoutes } from "./routes/api-keys.ts";
import { systemRoutes } from "./routes/system.ts";
import { tenantRoutes } from "./routes/tenant.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

export const ROUTES: readonly AnyRoute[] = [
  ...systemRoutes(() => ROUTES),
  ...adminRoutes,
  ...tenantRoutes,
  ...apiKeyRoutes,
];

function problem(c: Context<AppEnv>, error: ApiError): Response {
  const requestId = c.get("requestId") ?? crypto.randomUUID();
  const response = new Response(JSON.stringify(problemBody(error, requestId)), {
    status: error.status,
    headers: { "Content-Type": PROBLEM_CONTENT_TYPE, ...error.headers },
  });
  setStandardHeaders(response.headers, requestId);
  return response;
}

/** Redacts anything that looks like a token, key or long hex/base64 run before a log line. */
export function redact(text: string): string {
  return text.replace(/pqk_[0-9A-Za-z]+/g, "pqk_[redacted]").replace(/[A-Za-z0-9+/_=-]{24,}/g, "[redacted]");
}

export function createApp(routes: readonly AnyRoute[] = ROUTES): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", requestContext);
  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("payload_too_large", `The request body exceeds ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  mountRoutes(app, routes);

  app.notFound((c) => {
    const allow = allowedMethods(routes, c.req.path);
    if (allow.length > 0) {
      return problem(c, new ApiError("method_not_allowed", `${c.req.method} is not allowed here`, { headers: { Allow: allow.join(", ") } }));
    }
    return problem(c, new ApiError("not_found", `No route for ${c.req.method} ${c.req.path}`));
  });

  app.onError((error, c) => {
    if (error instanceof ApiError) return problem(c, error);
    console.error(
      JSON.stringify({ level: "error", request_id: c.get("requestId"), error: error.name, message: redact(error.message) }),
    );
    return problem(c, new ApiError("internal_error", "An internal error occurred; quote the request id when reporting it"));
  });
  return app;
}
