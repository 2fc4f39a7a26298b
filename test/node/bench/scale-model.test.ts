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
  overage,
  requestCpuMs,
  sharedCeilingOpsPerS,
  vaultCeiling,
  type Limits,
  type Measured,
  type Operation,
} from "../../../bench/scale-model-lib.mjs";

const BENCH = path.resolve(import.meta.dirname, "../../../bench");

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
};

const measured: Measured = {
  request_cpu_ms: { "GET /v1/tenant": 1.2 },
  vault_floor_cpu_ms: 1.5,
  operations: [],
  per_operation: { workers_requests: 1, do_requests: 2, do_rows_written: 3, d1_rows_written: 1, vault_bytes: 400, d1_bytes: 400 },
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
    const expected: Record<string, number> = {
      "Workers base": 5,
      "Workers requests": 15.92 * 0.3,
      "Workers CPU": 47.76 * 0.02,
      "DO requests": 50.84 * 0.15,
      "DO duration": 0, // 13,271 GB-s, under the 400,000 included
      "DO rows written": 27.76,
      "DO storage (added this month)": (10.368 - 5) * 0.2,
      "D1 rows written": 0, // 25.92 M + 2.592 M usage rows, under the 50 M included
      "D1 storage (added this month)": (10.368 - 5) * 0.75,
    };
    for (const [line, usd] of Object.entries(expected)) expect(m.lines[line], line).toBeCloseTo(usd, 6);
    expect(m.total).toBeCloseTo(51.2168, 6);
    expect(m.gbS).toBeCloseTo(13_271.04, 6);
    expect(m.doGbPerTenant).toBeCloseTo(1.0368, 10);
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
    expect(rows[0]?.utilisation).toBeCloseTo(1.1, 10); // 1,000 + 100 usage writes/s against ~1,000
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

  it("gives the total operations/s the shared database allows", () => {
    expect(sharedCeilingOpsPerS(1000, measured, limits)).toBe(900);
    expect(sharedCeilingOpsPerS(20_000, measured, limits)).toBe(0);
    expect(sharedCeilingOpsPerS(1000, { ...measured, per_operation: { ...measured.per_operation, d1_rows_written: 0 } }, limits)).toBe(Infinity);
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
    for (const platform of ["workers", "durable_objects", "d1"] as const) {
      const urls = Object.entries(published[platform]).filter(([k]) => k.startsWith("url_")).map(([, v]) => String(v));
      expect(urls.length, platform).toBeGreaterThan(0);
      for (const url of urls) expect(url).toMatch(/^https:\/\/developers\.cloudflare\.com\//);
    }
  });
});
