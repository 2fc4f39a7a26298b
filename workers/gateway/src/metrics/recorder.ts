/**
 * Wires the counters to requests: counts every response by route pattern (never the concrete path,
 * which would carry key ids), method and status; flushes the isolate's deltas to the MetricsStore
 * DO in the background when due. A failed flush keeps the deltas for the next one.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { counters, type CounterDelta } from "./counters.ts";

function store(env: Env) {
  return env.METRICS.get(env.METRICS.idFromName("global"));
}

export async function flushCounters(env: Env, now: number): Promise<void> {
  const deltas: CounterDelta[] = counters.take(now);
  if (deltas.length === 0) return;
  try {
    await store(env).add(deltas);
  } catch {
    counters.restore(deltas);
  }
}

export async function readCounters(env: Env): Promise<CounterDelta[]> {
  await flushCounters(env, Date.now());
  return store(env).snapshot();
}

function routePattern(c: Context<AppEnv>): string {
  const pattern = c.req.routePath;
  return pattern && pattern !== "*" && pattern !== "/*" ? pattern : "unmatched";
}

export const recordMetrics: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  // Tenant routes also carry their operation, by the catalog's name (the audit log's vocabulary).
  const operation = c.get("operation");
  const labels = { route: routePattern(c), method: c.req.method, status: String(c.res.status) };
  counters.inc("pqkms_requests_total", operation === undefined ? labels : { ...labels, operation });
  const now = Date.now();
  if (counters.due(now)) c.executionCtx.waitUntil(flushCounters(c.env, now));
};
