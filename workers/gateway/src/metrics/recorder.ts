/**
 * Wires the counters to requests: counts every response by route pattern (never the concrete path,
 * which would carry key ids), method and status; flushes the isolate's deltas in the background
 * when due. A failed flush keeps the deltas for the next one.
 *
 * Each isolate flushes to one MetricsStore shard of METRICS_SHARDS, picked at random once per
 * isolate, so the platform's flushes spread over that many objects instead of converging on one;
 * `/metrics` reads every shard and sums them (a few scrapes a minute against flushes from every
 * isolate). The same objects run under `npm start` and the tests, offline.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { counters, mergeSeries, type CounterDelta } from "./counters.ts";

export const METRICS_SHARDS = 16;

export function shardName(n: number): string {
  return `shard-${n}`;
}

function store(env: Env, shard: number) {
  return env.METRICS.get(env.METRICS.idFromName(shardName(shard)));
}

/** This isolate's shard, picked on first use (randomness is not available at module load). */
let ownShard: number | undefined;

export async function flushCounters(env: Env, now: number): Promise<void> {
  const deltas: CounterDelta[] = counters.take(now);
  if (deltas.length === 0) return;
  ownShard ??= Math.floor(Math.random() * METRICS_SHARDS);
  try {
    await store(env, ownShard).add(deltas);
  } catch {
    counters.restore(deltas);
  }
}

/** Every shard's totals, merged. Any shard that cannot be read fails the whole read: no partial totals. */
export async function readCounters(env: Env): Promise<CounterDelta[]> {
  await flushCounters(env, Date.now());
  const shards = await Promise.all(Array.from({ length: METRICS_SHARDS }, (_, n) => store(env, n).snapshot()));
  return mergeSeries(shards);
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
