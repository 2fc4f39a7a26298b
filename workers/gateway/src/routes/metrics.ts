/**
 * `GET /metrics`: Prometheus text. On the skip list (no tenant API key), but never open: it needs
 * a Bearer token, ADMIN_TOKEN or a separate METRICS_TOKEN, compared in constant time. The series
 * carry route patterns, statuses and rule ids only: no tenant ids, key ids or other tenant data; the
 * audit archive's gauges are totals over every log.
 */
import { timingSafeEqualText } from "../auth/token.ts";
import { loadConfig } from "../config.ts";
import { bearerToken } from "../http/credentials.ts";
import { ApiError } from "../http/problem.ts";
import { route } from "../http/route-spec.ts";
import { readCounters } from "../metrics/recorder.ts";
import { renderGauges, renderPrometheus, type Gauge } from "../metrics/counters.ts";
import { archiveLag, readArchiveTotals, type ArchiveLag } from "../db/archive-lag.ts";

const MIN_METRICS_TOKEN_LENGTH = 32;

/** The audit archive's lag over every log (architecture §9), as gauges: alert on these, not on /ready. */
function archiveGauges(lag: ArchiveLag): Gauge[] {
  return [
    { name: "pqkms_audit_archive_lag_seconds", help: "Age in seconds of the oldest audit event not yet archived to R2, over every log", value: lag.max_lag_seconds },
    { name: "pqkms_audit_unarchived_events", help: "Audit events not yet archived to R2, summed over every log", value: lag.unarchived_events },
    { name: "pqkms_audit_archive_failing_logs", help: "Audit logs whose last archive attempt failed", value: lag.logs_failing },
  ];
}

export const metricsRoutes = [
  route({
    method: "get",
    path: "/metrics",
    summary: "Platform counters in Prometheus text format (Bearer ADMIN_TOKEN or METRICS_TOKEN)",
    operationId: "getMetrics",
    tag: "system",
    access: { kind: "public" },
    errors: ["invalid_admin_token", "misconfigured", "database_unavailable"],
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
      const [series, totals] = await Promise.all([
        readCounters(c.env).catch(() => {
          throw new ApiError("internal_error", "Metrics are unavailable");
        }),
        // A scrape that cannot read the archive's lag fails whole: a missing gauge would read as no lag.
        readArchiveTotals(c.env.DB).catch(() => {
          throw new ApiError("database_unavailable");
        }),
      ]);
      const text = renderPrometheus(series) + renderGauges(archiveGauges(archiveLag(totals, Date.now())));
      return c.text(text, 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
    },
  }),
];
