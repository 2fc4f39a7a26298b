// Types of bench/scale-model-lib.mjs for its test (test/node/bench/scale-model.test.ts); the
// shapes are those of bench/measured.json and bench/cloudflare-limits.json.
export interface Operation {
  name: string;
  vault_cpu_ms: number;
  request_cpu_ms?: number;
  vault_ops_per_s?: number;
  min_interval_s?: number;
  remeasure?: boolean;
}
export interface Measured {
  request_cpu_ms: Record<string, number> & { "GET /v1/tenant": number };
  vault_floor_cpu_ms: number;
  operations: Operation[];
  per_operation: {
    workers_requests: number;
    do_requests: number;
    do_rows_written: number;
    d1_rows_written: number;
    vault_bytes: number;
    r2_bytes_per_event: number;
    d1_bytes: number;
  };
  audit_archive: {
    hot_events: number;
    hot_days: number;
    segment_events: number;
    segment_seconds: number;
    cpu_ms_per_event: number;
    r2_bytes_per_segment: number;
    r2_class_a_per_segment: number;
    do_requests_per_segment: number;
    do_rows_written_per_segment: number;
    do_rows_written_per_event: number;
    d1_rows_written_per_segment: number;
    vault_bytes_per_segment: number;
  };
  per_tenant: { d1_writes_per_s: number };
  per_isolate: { metrics_requests_per_s: number };
}
export interface Limits {
  workers: {
    cpu_ms_per_request_free: number;
    cpu_ms_per_request_paid_default: number;
    paid_base_usd_per_month: number;
    requests_included_per_month: number;
    usd_per_million_requests: number;
    cpu_ms_included_per_month: number;
    usd_per_million_cpu_ms: number;
  };
  durable_objects: {
    soft_limit_requests_per_second_per_object: number;
    storage_bytes_per_object: number;
    requests_included_per_month: number;
    usd_per_million_requests: number;
    duration_gb_s_included_per_month: number;
    usd_per_million_gb_s: number;
    memory_gb_billed: number;
    sqlite_rows_written_included_per_month: number;
    usd_per_million_rows_written: number;
    storage_gb_month_included: number;
    usd_per_gb_month: number;
  };
  d1: {
    max_database_bytes: number;
    queries_per_second_at_1ms: number;
    rows_written_included_per_month: number;
    usd_per_million_rows_written: number;
    storage_gb_month_included: number;
    usd_per_gb_month: number;
  };
  r2: {
    storage_gb_month_included: number;
    usd_per_gb_month: number;
    class_a_included_per_month: number;
    usd_per_million_class_a: number;
    class_b_included_per_month: number;
    usd_per_million_class_b: number;
  };
}
export interface Scenario {
  tenants: number;
  opsPerS: number;
  op: Operation;
}
export interface LimitRow {
  limit: string;
  scope: string;
  capacity?: number;
  load?: number;
  unit?: string;
  utilisation?: number;
  months?: number;
}

export const SECONDS_PER_MONTH: number;
export function vaultCeiling(op: Operation, limits: Limits): { opsPerS: number; boundBy: string };
export function requestCpuMs(op: Operation, measured: Measured): { ms: number; source: "measured" | "estimated" };
export function cpuFits(cpuMs: number, limits: Limits): { free: boolean; paidDefault: boolean };
export function overage(used: number, included: number, pricePerUnit: number): number;
export function hotWindowEvents(opsPerS: number, measured: Measured): number;
export function hotWindowBytes(opsPerS: number, measured: Measured): number;
export function segmentsPerS(opsPerS: number, measured: Measured): number;
export function monthly(
  scenario: Scenario,
  measured: Measured,
  limits: Limits,
): {
  ops: number;
  segments: number;
  cpuMs: number;
  gbS: number;
  doGbPerTenant: number;
  doGbKeptAdded: number;
  r2Gb: number;
  classA: number;
  doRequests: number;
  doRows: number;
  d1Gb: number;
  d1Rows: number;
  lines: Record<string, number>;
  total: number;
  usdPerMillionOps: number;
};
export function limitsReached(scenario: Scenario & { isolates: number }, measured: Measured, limits: Limits): LimitRow[];
export function sharedCeilingOpsPerS(tenants: number, measured: Measured, limits: Limits): number;
