// The scaling model's arithmetic, pure (no I/O): from measured per-operation costs
// (bench/measured.json) and Cloudflare's published limits and prices (bench/cloudflare-limits.json)
// to what one tenant's vault sustains, what all tenants share, what a month costs and which limit
// binds first. bench/scale-model.mjs prints the tables of docs/scaling.md with it;
// test/node/bench/scale-model.test.ts checks it by hand-computed cases.

/** Storage and monthly allowances are counted over 30-day months, as Cloudflare bills GB-months. */
export const SECONDS_PER_MONTH = 30 * 24 * 3600;

/**
 * What one tenant's vault (one Durable Object, single-threaded) sustains for an operation: the
 * measured ceiling when there is one, else one core's worth of its vault CPU; never more than the
 * pace of one at a time per tenant (min_interval_s: the seconds one such operation holds its slot) nor the object's soft request limit.
 */
export function vaultCeiling(op, limits) {
  const candidates = [
    op.vault_ops_per_s !== undefined
      ? { opsPerS: op.vault_ops_per_s, boundBy: "measured ceiling" }
      : { opsPerS: 1000 / op.vault_cpu_ms, boundBy: "vault CPU (1000 ÷ CPU ms)" },
    { opsPerS: limits.durable_objects.soft_limit_requests_per_second_per_object, boundBy: "Durable Object soft limit" },
  ];
  if (op.min_interval_s !== undefined) candidates.push({ opsPerS: 1 / op.min_interval_s, boundBy: "one at a time per tenant" });
  return candidates.reduce((a, b) => (b.opsPerS < a.opsPerS ? b : a));
}

/**
 * CPU of one whole request for the operation: measured when there is a figure, else estimated as an
 * authenticated request without crypto (GET /v1/tenant) plus what the vault spends above its floor.
 */
export function requestCpuMs(op, measured) {
  if (op.request_cpu_ms !== undefined) return { ms: op.request_cpu_ms, source: "measured" };
  const ms = measured.request_cpu_ms["GET /v1/tenant"] + Math.max(0, op.vault_cpu_ms - measured.vault_floor_cpu_ms);
  return { ms, source: "estimated" };
}

/** Which Workers CPU limits a request of `cpuMs` fits. */
export function cpuFits(cpuMs, limits) {
  return { free: cpuMs <= limits.workers.cpu_ms_per_request_free, paidDefault: cpuMs <= limits.workers.cpu_ms_per_request_paid_default };
}

/** Usage beyond an allowance, priced; never negative. */
export function overage(used, included, pricePerUnit) {
  return Math.max(0, used - included) * pricePerUnit;
}

/**
 * A month of `tenants` tenants each running `opsPerS` operations of `op` per second, all the time.
 * Returns usage, storage added and the bill by line (USD), allowances of the paid plan deducted.
 */
export function monthly({ tenants, opsPerS, op }, measured, limits) {
  const w = limits.workers;
  const d = limits.durable_objects;
  const d1 = limits.d1;
  const per = measured.per_operation;
  const ops = tenants * opsPerS * SECONDS_PER_MONTH;
  const cpuMs = ops * requestCpuMs(op, measured).ms;
  // The vault is busy for about its CPU time per operation: duration billed at 128 MB while active.
  const gbS = ops * (op.vault_cpu_ms / 1000) * d.memory_gb_billed;
  const doGb = (ops * per.vault_bytes) / 1e9;
  const d1Gb = (ops * per.d1_bytes * (per.d1_rows_written > 0 ? 1 : 0)) / 1e9;
  const d1Rows = ops * per.d1_rows_written + tenants * measured.per_tenant.d1_writes_per_s * SECONDS_PER_MONTH;
  const lines = {
    "Workers base": w.paid_base_usd_per_month,
    "Workers requests": overage(ops * per.workers_requests, w.requests_included_per_month, w.usd_per_million_requests / 1e6),
    "Workers CPU": overage(cpuMs, w.cpu_ms_included_per_month, w.usd_per_million_cpu_ms / 1e6),
    "DO requests": overage(ops * per.do_requests, d.requests_included_per_month, d.usd_per_million_requests / 1e6),
    "DO duration": overage(gbS, d.duration_gb_s_included_per_month, d.usd_per_million_gb_s / 1e6),
    "DO rows written": overage(ops * per.do_rows_written, d.sqlite_rows_written_included_per_month, d.usd_per_million_rows_written / 1e6),
    // Storage added this month, billed from the next on (it stays unless deleted).
    "DO storage (added this month)": overage(doGb, d.storage_gb_month_included, d.usd_per_gb_month),
    "D1 rows written": overage(d1Rows, d1.rows_written_included_per_month, d1.usd_per_million_rows_written / 1e6),
    "D1 storage (added this month)": overage(d1Gb, d1.storage_gb_month_included, d1.usd_per_gb_month),
  };
  const total = Object.values(lines).reduce((a, b) => a + b, 0);
  return { ops, cpuMs, gbS, doGbPerTenant: doGb / tenants, d1Gb, d1Rows, lines, total, usdPerMillionOps: ops > 0 ? (total * 1e6) / ops : NaN };
}

/**
 * Every limit this deployment meets as it grows, with the point where it binds, for `tenants`
 * tenants at `opsPerS` each of `op` on `isolates` gateway isolates. `utilisation` ≥ 1 means broken
 * now; the list is sorted, most binding first. `months` limits are storage filling up.
 */
export function limitsReached({ tenants, opsPerS, op, isolates }, measured, limits) {
  const per = measured.per_operation;
  const ceiling = vaultCeiling(op, limits);
  const total = tenants * opsPerS;
  const d1WritesPerS = total * per.d1_rows_written + tenants * measured.per_tenant.d1_writes_per_s;
  const out = [
    { limit: `one tenant's vault (${ceiling.boundBy})`, scope: "per tenant", capacity: ceiling.opsPerS, load: opsPerS, unit: "ops/s" },
    { limit: "RateLimiter object soft limit", scope: "per tenant", capacity: limits.durable_objects.soft_limit_requests_per_second_per_object, load: opsPerS, unit: "requests/s" },
    { limit: "D1 write throughput (one database)", scope: "all tenants", capacity: limits.d1.queries_per_second_at_1ms, load: d1WritesPerS, unit: "writes/s" },
    // Isolates flush into one of `metrics_shards` objects at random: the busiest shard takes about 1/N.
    { limit: "MetricsStore shard soft limit", scope: "all isolates", capacity: limits.durable_objects.soft_limit_requests_per_second_per_object, load: (isolates * measured.per_isolate.metrics_requests_per_s) / (measured.per_isolate.metrics_shards ?? 1), unit: "requests/s" },
  ];
  const rows = out.map((x) => ({ ...x, utilisation: x.load / x.capacity }));
  const perSecondToMonths = (bytesPerS, capacity) => (bytesPerS > 0 ? capacity / (bytesPerS * SECONDS_PER_MONTH) : Infinity);
  rows.push({ limit: "Durable Object storage (10 GB, one tenant's vault)", scope: "per tenant", months: perSecondToMonths(opsPerS * per.vault_bytes, limits.durable_objects.storage_bytes_per_object) });
  rows.push({ limit: "D1 database size (10 GB)", scope: "all tenants", months: perSecondToMonths(total * per.d1_bytes * (per.d1_rows_written > 0 ? 1 : 0), limits.d1.max_database_bytes) });
  return rows.sort((a, b) => (b.utilisation ?? 0) - (a.utilisation ?? 0));
}

/** Total operations/s over all tenants at which a shared limit saturates (Infinity if it never does). */
export function sharedCeilingOpsPerS(tenants, measured, limits) {
  const per = measured.per_operation;
  if (per.d1_rows_written <= 0) return Infinity;
  const spare = limits.d1.queries_per_second_at_1ms - tenants * measured.per_tenant.d1_writes_per_s;
  return Math.max(0, spare) / per.d1_rows_written;
}
