/**
 * `GET /metrics`: Prometheus text. On the skip list (no tenant API key), but never open: it needs
 * a Bearer token, ADMIN_TOKEN or a separate METRICS_TOKEN, compared in constant time. The series
 * carry route patterns, statuses and rule ids only: no tenant ids, key ids or other tenant data.
 */
import { timingSafeEqualText } from "../auth/token.ts";
import { loadConfig } from "../config.ts";
import { bearerToken } from "../http/credentials.ts";
import { ApiError } from "../http/problem.ts";
import { route } from "../http/route-spec.ts";
import { readCounters } from "../metrics/recorder.ts";
import { renderPrometheus } from "../metrics/counters.ts";

const MIN_METRICS_TOKEN_LENGTH = 32;

export const metricsRoutes = [
  route({
    method: "get",
    path: "/metrics",
    summary: "Platform counters in Prometheus text format (Bearer ADMIN_TOKEN or METRICS_TOKEN)",
    operationId: "getMetrics",
    tag: "system",
    access: { kind: "public" },
    errors: ["invalid_admin_token", "misconfigured"],
    responses: { 200: { description: "Prometheus text exposition format 0.0.4", contentType: "text/plain" } },
    handler: async (c) => {
      const loaded = await loadConfig(c.env);
      if (!loaded.ok) throw new ApiError("misconfigured", "The service is not configured; see /ready");
      const metricsToken = (c.env as unknown as Record<string, unknown>).METRICS_TOKEN;
      const bearer = bearerToken(c.req.header("authorization")) ?? "";
      const admin = timingSafeEqualText(bearer, loaded.value.adminToken);
      const metrics =
        typeof metricsToken === "string" && metricsToken.length >= MIN_METRICS_TOKEN_LENGTH && timingSafeEqualText(bearer, metricsToken);
      if (!admin && !metrics) {
        throw new ApiError("invalid_admin_token", "Send ADMIN_TOKEN or METRICS_TOKEN as a Bearer token", {
          headers: { "WWW-Authenticate": 'Bearer realm="pqkms-metrics"' },
        });
      }
      let series;
      try {
        series = await readCounters(c.env);
      } catch {
        throw new ApiError("internal_error", "Metrics are unavailable");
      }
      return c.text(renderPrometheus(series), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
    },
  }),
];
