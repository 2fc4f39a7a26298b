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

/** Seconds in the hot window's age bound. */
const DAY_S = 24 * 3600;

/**
 * Events one tenant's vault holds once its hot window is full (architecture §9): the newest
 * `hot_events`, and none older than `hot_days`, whichever is fewer.
 */
export function hotWindowEvents(opsPerS, measured) {
  const a = measured.audit_archive;
  return Math.min(a.hot_events, opsPerS * a.hot_days * DAY_S);
}

/** Bytes of the hot window in one tenant's vault at steady state: bounded whatever the rate. */
export function hotWindowBytes(opsPerS, measured) {
  return hotWindowEvents(opsPerS, measured) * measured.per_operation.vault_bytes;
}

/**
 * Segments one tenant's log closes per second: one per `segment_events` events, or one per
 * `segment_seconds` when events come slower than that (a segment closes by age too), never more
 * than one per event.
 */
export function segmentsPerS(opsPerS, measured) {
  const a = measured.audit_archive;
  return Math.min(opsPerS, Math.max(opsPerS / a.segment_events, 1 / a.segment_seconds));
}

/**
 * A month of `tenants` tenants each running `opsPerS` operations of `op` per second, all the time,
 * their hot windows full. Returns usage, storage and the bill by line (USD), allowances of the paid
 * plan deducted.
 */
export function monthly({ tenants, opsPerS, op }, measured, limits) {
  const w = limits.workers;
  const d = limits.durable_objects;
  const d1 = limits.d1;
  const r2 = limits.r2;
  const per = measured.per_operation;
  const a = measured.audit_archive;
  const ops = tenants * opsPerS * SECONDS_PER_MONTH;
  const segments = tenants * segmentsPerS(opsPerS, measured) * SECONDS_PER_MONTH;
  const cpuMs = ops * requestCpuMs(op, measured).ms;
  // The vault is busy for about its CPU time per operation, plus its alarm archiving the event
  // (gzip mostly): duration billed at 128 MB while active.
  const gbS = ops * ((op.vault_cpu_ms + a.cpu_ms_per_event) / 1000) * d.memory_gb_billed;
  // The hot window is bounded, so the vault's storage is a steady GB-month, not a monthly addition;
  // the segment rows it keeps (checkpoint rows leave with their events) do add up, slowly.
  const doGbPerTenant = hotWindowBytes(opsPerS, measured) / 1e9;
  const doGbKeptAdded = (segments * a.vault_bytes_per_segment) / 1e9;
  const r2Gb = (ops * per.r2_bytes_per_event + segments * a.r2_bytes_per_segment) / 1e9;
  const d1Gb = (ops * per.d1_bytes * (per.d1_rows_written > 0 ? 1 : 0)) / 1e9;
  const d1Rows = ops * per.d1_rows_written + segments * a.d1_rows_written_per_segment + tenants * measured.per_tenant.d1_writes_per_s * SECONDS_PER_MONTH;
  const doRequests = ops * per.do_requests + segments * a.do_requests_per_segment;
  const doRows = ops * (per.do_rows_written + a.do_rows_written_per_event) + segments * a.do_rows_written_per_segment;
  const classA = segments * a.r2_class_a_per_segment;
  const lines = {
    "Workers base": w.paid_base_usd_per_month,
    "Workers requests": overage(ops * per.workers_requests, w.requests_included_per_month, w.usd_per_million_requests / 1e6),
    "Workers CPU": overage(cpuMs, w.cpu_ms_included_per_month, w.usd_per_million_cpu_ms / 1e6),
    "DO requests": overage(doRequests, d.requests_included_per_month, d.usd_per_million_requests / 1e6),
    "DO duration": overage(gbS, d.duration_gb_s_included_per_month, d.usd_per_million_gb_s / 1e6),
    "DO rows written": overage(doRows, d.sqlite_rows_written_included_per_month, d.usd_per_million_rows_written / 1e6),
    // The full hot windows held all month, plus the segment rows added this month.
    "DO storage (hot windows)": overage(tenants * doGbPerTenant + doGbKeptAdded, d.storage_gb_month_included, d.usd_per_gb_month),
    "D1 rows written": overage(d1Rows, d1.rows_written_included_per_month, d1.usd_per_million_rows_written / 1e6),
    "D1 storage (added this month)": overage(d1Gb, d1.storage_gb_month_included, d1.usd_per_gb_month),
    // The archive is kept: what is added this month is billed from the next on, until deleted.
    "R2 storage (added this month)": overage(r2Gb, r2.storage_gb_month_included, r2.usd_per_gb_month),
    "R2 Class A (archive puts)": overage(classA, r2.class_a_included_per_month, r2.usd_per_million_class_a / 1e6),
  };
  const total = Object.values(lines).reduce((x, y) => x + y, 0);
  return { ops, segments, cpuMs, gbS, doGbPerTenant, doGbKeptAdded, r2Gb, classA, doRequests, doRows, d1Gb, d1Rows, lines, total, usdPerMillionOps: ops > 0 ? (total * 1e6) / ops : NaN };
}

/**
 * Every limit this deployment meets as it grows, with the point where it binds, for `tenants`
 * tenants at `opsPerS` each of `op` on `isolates` gateway isolates. `utilisation` ≥ 1 means broken
 * now; the list is sorted, most binding first. `months` limits are storage filling up.
 */
export function limitsReached({ tenants, opsPerS, op, isolates }, measured, limits) {
  const per = measured.per_operation;
  const a = measured.audit_archive;
  const soft = limits.durable_objects.soft_limit_requests_per_second_per_object;
  const objectBytes = limits.durable_objects.storage_bytes_per_object;
  const ceiling = vaultCeiling(op, limits);
  const total = tenants * opsPerS;
  const segmentsTotalPerS = tenants * segmentsPerS(opsPerS, measured);
  const d1WritesPerS = total * per.d1_rows_written + segmentsTotalPerS * a.d1_rows_written_per_segment + tenants * measured.per_tenant.d1_writes_per_s;
  const windowGb = (a.hot_events * per.vault_bytes) / 1e9;
  const out = [
    { limit: `one tenant's vault (${ceiling.boundBy})`, scope: "per tenant", capacity: ceiling.opsPerS, load: opsPerS, unit: "ops/s" },
    { limit: "RateLimiter object soft limit", scope: "per tenant", capacity: soft, load: opsPerS, unit: "requests/s" },
    { limit: "D1 write throughput (one database)", scope: "all tenants", capacity: limits.d1.queries_per_second_at_1ms, load: d1WritesPerS, unit: "writes/s" },
    // Isolates flush into one of `metrics_shards` objects at random: the busiest shard takes about 1/N.
    { limit: "MetricsStore shard soft limit", scope: "all isolates", capacity: soft, load: (isolates * measured.per_isolate.metrics_requests_per_s) / (measured.per_isolate.metrics_shards ?? 1), unit: "requests/s" },
    // Every log's checkpoints are signed by the platform's one vault: one request per segment.
    { limit: "platform vault (checkpoint signatures) soft limit", scope: "all tenants", capacity: soft, load: segmentsTotalPerS * a.do_requests_per_segment, unit: "requests/s" },
    // Bounded: never fills at any rate, at most hot_events × vault_bytes.
    { limit: `vault storage: hot window (bounded: at most ${windowGb.toFixed(2)} of 10 GB)`, scope: "per tenant", capacity: objectBytes, load: hotWindowBytes(opsPerS, measured), unit: "bytes" },
  ];
  const rows = out.map((x) => ({ ...x, utilisation: x.load / x.capacity }));
  const perSecondToMonths = (bytesPerS, capacity) => (bytesPerS > 0 ? capacity / (bytesPerS * SECONDS_PER_MONTH) : Infinity);
  // What does grow in the vault: one segment row and one checkpoint row per segment, beside the window.
  rows.push({ limit: "vault storage: segment rows (10 GB less a full window)", scope: "per tenant", months: perSecondToMonths(segmentsPerS(opsPerS, measured) * a.vault_bytes_per_segment, objectBytes - a.hot_events * per.vault_bytes) });
  rows.push({ limit: "D1 database size (10 GB)", scope: "all tenants", months: perSecondToMonths(total * per.d1_bytes * (per.d1_rows_written > 0 ? 1 : 0), limits.d1.max_database_bytes) });
  return rows.sort((x, y) => (y.utilisation ?? 0) - (x.utilisation ?? 0));
}

/**
 * Total operations/s over all `tenants` active tenants at which a shared limit saturates: the D1
 * write stream (rows per operation, one archive status row per segment, the usage copies) or the
 * platform vault signing one checkpoint per segment, whichever comes first. Full segments assumed
 * (at these rates no segment closes by age).
 */
export function sharedCeilingOpsPerS(tenants, measured, limits) {
  const per = measured.per_operation;
  const a = measured.audit_archive;
  const spare = Math.max(0, limits.d1.queries_per_second_at_1ms - tenants * measured.per_tenant.d1_writes_per_s);
  const d1 = spare / (per.d1_rows_written + a.d1_rows_written_per_segment / a.segment_events);
  const signer = (limits.durable_objects.soft_limit_requests_per_second_per_object * a.segment_events) / a.do_requests_per_segment;
  return Math.min(d1, signer);
}
