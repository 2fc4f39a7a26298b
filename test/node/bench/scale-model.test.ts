/**
 * The scaling model's arithmetic (bench/scale-model-lib.mjs, docs/scaling.md) against cases worked
 * out by hand, and the committed inputs (bench/measured.json, bench/cloudflare-limits.json) against
 * the fields the model reads, so neither can drift silently.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  SECONDS_PER_MONTH,
  cpuFits,
  limitsReached,
  monthly,
  hotWindowBytes,
  hotWindowEvents,
  overage,
  requestCpuMs,
  segmentsPerS,
  sharedCeilingOpsPerS,
  vaultCeiling,
  type Limits,
  type Measured,
  type Operation,
} from "../../../bench/scale-model-lib.mjs";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const BENCH = path.join(ROOT, "bench");

const limits: Limits = {
  workers: {
    cpu_ms_per_request_free: 10,
    cpu_ms_per_request_paid_default: 30_000,
    paid_base_usd_per_month: 5,
    requests_included_per_month: 10_000_000,
    usd_per_million_requests: 0.3,
    cpu_ms_included_per_month: 30_000_000,
    usd_per_million_cpu_ms: 0.02,
  },
  durable_objects: {
    soft_limit_requests_per_second_per_object: 1000,
    storage_bytes_per_object: 10e9,
    requests_included_per_month: 1_000_000,
    usd_per_million_requests: 0.15,
    duration_gb_s_included_per_month: 400_000,
    usd_per_million_gb_s: 12.5,
    memory_gb_billed: 0.128,
    sqlite_rows_written_included_per_month: 50_000_000,
    usd_per_million_rows_written: 1,
    storage_gb_month_included: 5,
    usd_per_gb_month: 0.2,
  },
  d1: {
    max_database_bytes: 10e9,
    queries_per_second_at_1ms: 1000,
    rows_written_included_per_month: 50_000_000,
    usd_per_million_rows_written: 1,
    storage_gb_month_included: 5,
    usd_per_gb_month: 0.75,
  },
  r2: {
    storage_gb_month_included: 10,
    usd_per_gb_month: 0.015,
    class_a_included_per_month: 1_000_000,
    usd_per_million_class_a: 4.5,
    class_b_included_per_month: 10_000_000,
    usd_per_million_class_b: 0.36,
  },
};

const measured: Measured = {
  request_cpu_ms: { "GET /v1/tenant": 1.2 },
  vault_floor_cpu_ms: 1.5,
  operations: [],
  per_operation: { workers_requests: 1, do_requests: 2, do_rows_written: 3, d1_rows_written: 1, vault_bytes: 400, r2_bytes_per_event: 100, d1_bytes: 400 },
  audit_archive: {
    hot_events: 1_000_000,
    hot_days: 30,
    segment_events: 2000,
    segment_seconds: 3600,
    cpu_ms_per_event: 0.02,
    r2_bytes_per_segment: 5000,
    r2_class_a_per_segment: 3,
    do_requests_per_segment: 1,
    do_rows_written_per_segment: 5,
    do_rows_written_per_event: 1,
    d1_rows_written_per_segment: 1,
    vault_bytes_per_segment: 5000,
  },
  per_tenant: { d1_writes_per_s: 0.1 },
  per_isolate: { metrics_requests_per_s: 0.2 },
};

const op = (fields: Partial<Operation>): Operation => ({ name: "op", vault_cpu_ms: 4, ...fields });

describe("one tenant's vault", () => {
  it("takes the measured ceiling when there is one, else one core's worth of vault CPU", () => {
    expect(vaultCeiling(op({ vault_ops_per_s: 370 }), limits)).toEqual({ opsPerS: 370, boundBy: "measured ceiling" });
    expect(vaultCeiling(op({ vault_cpu_ms: 4 }), limits).opsPerS).toBe(250);
  });

  it("is capped by the object's soft limit and by the vault's spacing of slow signatures", () => {
    expect(vaultCeiling(op({ vault_cpu_ms: 0.5 }), limits)).toEqual({ opsPerS: 1000, boundBy: "Durable Object soft limit" });
    expect(vaultCeiling(op({ vault_cpu_ms: 1000, min_interval_s: 4 }), limits)).toEqual({ opsPerS: 0.25, boundBy: "one at a time per tenant" });
    expect(vaultCeiling(op({ vault_cpu_ms: 5000, min_interval_s: 4 }), limits).opsPerS).toBe(0.2);
  });

  it("estimates a request's CPU as an authenticated request plus the vault's work above its floor", () => {
    expect(requestCpuMs(op({ request_cpu_ms: 2.9 }), measured)).toEqual({ ms: 2.9, source: "measured" });
    const estimate = requestCpuMs(op({ vault_cpu_ms: 4 }), measured);
    expect(estimate.source).toBe("estimated");
    expect(estimate.ms).toBeCloseTo(1.2 + 4 - 1.5, 10);
    expect(cpuFits(10, limits)).toEqual({ free: true, paidDefault: true });
    expect(cpuFits(10.01, limits)).toEqual({ free: false, paidDefault: true });
  });
});

describe("a month", () => {
  it("prices only what exceeds an allowance", () => {
    expect(overage(100, 30, 2)).toBe(140);
    expect(overage(10, 30, 2)).toBe(0);
  });

  it("adds up every line for 10 tenants at 1 operation/s (worked by hand)", () => {
    const m = monthly({ tenants: 10, opsPerS: 1, op: op({ vault_cpu_ms: 4, request_cpu_ms: 3 }) }, measured, limits);
    expect(SECONDS_PER_MONTH).toBe(2_592_000);
    expect(m.ops).toBe(25_920_000);
    expect(m.segments).toBeCloseTo(12_960, 6); // one per 2,000 events
    const expected: Record<string, number> = {
      "Workers base": 5,
      "Workers requests": 15.92 * 0.3,
      "Workers CPU": 47.76 * 0.02,
      "DO requests": 50.85296 * 0.15, // 51.84 M + 12,960 checkpoint signatures, less 1 M
      "DO duration": 0, // 13,337 GB-s, under the 400,000 included
      "DO rows written": 53.7448, // 4 per operation (with its deletion) + 5 per segment, less 50 M
      "DO storage (hot windows)": 0, // 10 windows of 0.4 GB + 0.0648 GB of segment rows, under 5
      "D1 rows written": 0, // 25.92 M + 12,960 status rows + 2.592 M usage rows, under the 50 M included
      "D1 storage (added this month)": (10.368 - 5) * 0.75,
      "R2 storage (added this month)": 0, // 2.592 + 0.0648 GB, under 10
      "R2 Class A (archive puts)": 0, // 38,880 puts, under 1 M
    };
    expect(Object.keys(m.lines).sort()).toEqual(Object.keys(expected).sort());
    for (const [line, usd] of Object.entries(expected)) expect(m.lines[line], line).toBeCloseTo(usd, 6);
    expect(m.total).toBeCloseTo(76.129944, 6);
    expect(m.gbS).toBeCloseTo(13_337.3952, 6);
    expect(m.doGbPerTenant).toBeCloseTo(0.4, 10); // the window is full: 1,000,000 events × 400 B
    expect(m.r2Gb).toBeCloseTo(2.6568, 10);
  });

  it("bills the hot windows as held, the archive as added, and three puts per segment (1,000 tenants at 10/s)", () => {
    const m = monthly({ tenants: 1000, opsPerS: 10, op: op({ vault_cpu_ms: 4, request_cpu_ms: 3 }) }, measured, limits);
    expect(m.ops).toBe(25_920_000_000);
    expect(m.segments).toBeCloseTo(12_960_000, 3);
    // 1,000 × 0.4 GB of windows + 64.8 GB of segment rows, less 5 GB, at $0.20.
    expect(m.lines["DO storage (hot windows)"]).toBeCloseTo(459.8 * 0.2, 6);
    // 2,592 GB of gzip events + 64.8 GB of manifests and checkpoints, less 10 GB, at $0.015.
    expect(m.lines["R2 storage (added this month)"]).toBeCloseTo(2646.8 * 0.015, 6);
    expect(m.lines["R2 Class A (archive puts)"]).toBeCloseTo(37.88 * 4.5, 6);
    expect(m.lines["DO requests"]).toBeCloseTo(51_851.96 * 0.15, 6);
    expect(m.doGbPerTenant).toBeCloseTo(0.4, 10); // the same as at 1/s: bounded
  });

  it("adds no D1 storage once operations write no row there", () => {
    const none = { ...measured, per_operation: { ...measured.per_operation, d1_rows_written: 0 } };
    expect(monthly({ tenants: 10, opsPerS: 1, op: op({}) }, none, limits).d1Gb).toBe(0);
  });
});

describe("where it breaks", () => {
  it("finds the shared D1 write stream first when every operation writes a row there", () => {
    const rows = limitsReached({ tenants: 1000, opsPerS: 1, op: op({}), isolates: 1000 }, measured, limits);
    expect(rows[0]?.limit).toBe("D1 write throughput (one database)");
    expect(rows[0]?.utilisation).toBeCloseTo(1.1005, 10); // 1,000 + 0.5 archive status + 100 usage writes/s against ~1,000
    const d1Size = rows.find((r) => r.limit.startsWith("D1 database size"));
    expect(d1Size?.months).toBeCloseTo(10e9 / (1000 * 400 * SECONDS_PER_MONTH), 10);
  });

  it("finds one tenant's vault first when the operation is slow and nothing is shared", () => {
    const lean = { ...measured, per_operation: { ...measured.per_operation, d1_rows_written: 0 } };
    const rows = limitsReached({ tenants: 10, opsPerS: 100, op: op({ vault_cpu_ms: 13.9 }), isolates: 10 }, lean, limits);
    expect(rows[0]?.limit).toMatch(/^one tenant's vault/);
    expect(rows[0]?.utilisation).toBeCloseTo(1.39, 10);
    expect(rows.find((r) => r.limit.startsWith("D1 database size"))?.months).toBe(Infinity);
  });

  it("holds a bounded hot window: the event bound or the age bound, whichever is fewer", () => {
    expect(hotWindowEvents(0.1, measured)).toBeCloseTo(259_200, 6); // 30 days at 0.1/s
    expect(hotWindowEvents(100, measured)).toBe(1_000_000);
    expect(hotWindowBytes(1_000_000, measured)).toBe(400_000_000);
    const rows = (opsPerS: number) => limitsReached({ tenants: 10, opsPerS, op: op({}), isolates: 10 }, measured, limits);
    const window = (opsPerS: number) => rows(opsPerS).find((r) => r.limit.startsWith("vault storage: hot window"));
    expect(window(100)?.limit).toContain("at most 0.40 of 10 GB");
    expect(window(100)?.utilisation).toBeCloseTo(0.04, 10);
    expect(window(100)?.months).toBeUndefined(); // bounded: it never fills
    expect(window(0.1)?.utilisation).toBeCloseTo(0.010368, 10);
    // The segment rows do grow: 0.05 segments/s × 5,000 B into 10 GB less the 0.4 GB window.
    const kept = rows(100).find((r) => r.limit.startsWith("vault storage: segment rows"));
    expect(kept?.months).toBeCloseTo(9.6e9 / (250 * SECONDS_PER_MONTH), 10);
  });

  it("closes a segment per 2,000 events, or per hour when slower, never more than one per event", () => {
    expect(segmentsPerS(10, measured)).toBeCloseTo(0.005, 12);
    expect(segmentsPerS(0.1, measured)).toBeCloseTo(1 / 3600, 12);
    expect(segmentsPerS(1e-4, measured)).toBeCloseTo(1e-4, 12);
    expect(segmentsPerS(0, measured)).toBe(0);
  });

  it("loads the platform's vault with one checkpoint signature per segment of every log", () => {
    const lean = { ...measured, per_operation: { ...measured.per_operation, d1_rows_written: 0 } };
    const rows = limitsReached({ tenants: 10_000, opsPerS: 100, op: op({ vault_cpu_ms: 0.5 }), isolates: 10 }, lean, limits);
    const signer = rows.find((r) => r.limit.startsWith("platform vault"));
    expect(signer?.load).toBeCloseTo(500, 8); // 1,000,000 operations/s ÷ 2,000
    expect(signer?.utilisation).toBeCloseTo(0.5, 10);
    // The D1 stream carries those segments' status rows too: 500 + 1,000 usage writes/s.
    expect(rows.find((r) => r.limit.startsWith("D1 write"))?.utilisation).toBeCloseTo(1.5, 10);
  });

  it("gives the total operations/s the shared database and the platform's vault allow", () => {
    expect(sharedCeilingOpsPerS(1000, measured, limits)).toBeCloseTo(900 / 1.0005, 8);
    expect(sharedCeilingOpsPerS(20_000, measured, limits)).toBe(0);
    const lean = { ...measured, per_operation: { ...measured.per_operation, d1_rows_written: 0 } };
    expect(sharedCeilingOpsPerS(1000, lean, limits)).toBeCloseTo(1_800_000, 6); // 900 status rows/s × 2,000
    const slowSigner = { ...lean, audit_archive: { ...lean.audit_archive, do_requests_per_segment: 2 } };
    expect(sharedCeilingOpsPerS(1000, slowSigner, limits)).toBe(1_000_000); // 1,000 requests/s × 2,000 ÷ 2
  });
});

describe("the committed inputs", () => {
  const read = <T>(file: string) => JSON.parse(readFileSync(path.join(BENCH, file), "utf8")) as T;
  const committed = read<Measured>("measured.json");
  const published = read<Limits>("cloudflare-limits.json");

  it("give every operation a finite ceiling, request CPU and monthly bill", () => {
    expect(committed.operations.length).toBeGreaterThan(0);
    for (const o of committed.operations) {
      expect(vaultCeiling(o, published).opsPerS, o.name).toBeGreaterThan(0);
      expect(Number.isFinite(requestCpuMs(o, committed).ms), o.name).toBe(true);
      expect(Number.isFinite(monthly({ tenants: 100, opsPerS: 1, op: o }, committed, published).total), o.name).toBe(true);
    }
  });

  it("cite a published page for each platform", () => {
    for (const platform of ["workers", "durable_objects", "d1", "r2"] as const) {
      const urls = Object.entries(published[platform]).filter(([k]) => k.startsWith("url_")).map(([, v]) => String(v));
      expect(urls.length, platform).toBeGreaterThan(0);
      for (const url of urls) expect(url).toMatch(/^https:\/\/developers\.cloudflare\.com\//);
    }
  });

  it("model the hot window and segments the kms Worker is configured with", () => {
    const toml = readFileSync(path.join(ROOT, "workers/kms/wrangler.toml"), "utf8");
    const variable = (name: string) => Number(new RegExp(`^${name} = "(\\d+)"`, "m").exec(toml)?.[1]);
    expect(committed.audit_archive.hot_events).toBe(variable("AUDIT_HOT_EVENTS"));
    expect(committed.audit_archive.hot_days).toBe(variable("AUDIT_HOT_DAYS"));
    expect(committed.audit_archive.segment_events).toBe(variable("AUDIT_SEGMENT_EVENTS"));
    expect(committed.audit_archive.segment_seconds).toBe(variable("AUDIT_SEGMENT_SECONDS"));
  });
});
