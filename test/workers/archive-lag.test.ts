/**
 * The audit archive's lag in `/ready` and `/metrics` (architecture §9), read from the
 * `audit_archive_status` rows the kms vaults upsert. D1 is shared by every test file, so the rows
 * written here are recognisably extreme (an event unarchived since 1970, trillions of events
 * behind), the assertions bound what other files' logs can add, and the rows are removed after.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { failingBinding, json, request, requestWithEnv } from "./helpers.ts";

interface StatusRow {
  log: string;
  head_seq: number;
  archived_through: number;
  oldest_unarchived_at: number | null;
  last_error: string | null;
}

const written: string[] = [];

async function writeStatus(row: Omit<StatusRow, "log">): Promise<string> {
  const log = `lag-test-${crypto.randomUUID()}`;
  written.push(log);
  await env.DB.prepare(
    "INSERT INTO audit_archive_status (log, head_seq, archived_through, oldest_unarchived_at, last_error, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
  )
    .bind(log, row.head_seq, row.archived_through, row.oldest_unarchived_at, row.last_error, Date.now())
    .run();
  return log;
}

afterEach(async () => {
  for (const log of written.splice(0)) await env.DB.prepare("DELETE FROM audit_archive_status WHERE log = ?").bind(log).run();
});

interface Readiness {
  status: string;
  reasons: string[];
  audit_archive: { logs_behind: number; max_lag_seconds: number; logs_failing: number } | null;
}

async function readiness(): Promise<{ status: number; body: Readiness }> {
  const response = await request("GET", "/ready");
  return { status: response.status, body: await json<Readiness>(response) };
}

async function gauges(): Promise<{ text: string; value: (name: string) => number }> {
  const response = await request("GET", "/metrics", { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } });
  expect(response.status).toBe(200);
  const text = await response.text();
  const value = (name: string) => {
    const match = new RegExp(`^${name} (\\d+)$`, "m").exec(text);
    if (!match) throw new Error(`no sample of ${name} in /metrics`);
    return Number(match[1]);
  };
  return { text, value };
}

/** An event unarchived since 1 ms after the epoch: no real log is further behind. */
const SINCE_EPOCH = 1;
const FAR_BEHIND = 5_000_000_000_000;

describe("/ready", () => {
  it("reports the largest lag, the logs behind and the logs failing, and stays ready while the archive lags", async () => {
    const before = await readiness();
    await writeStatus({ head_seq: FAR_BEHIND, archived_through: 0, oldest_unarchived_at: SINCE_EPOCH, last_error: "R2 put failed: 503" });
    await writeStatus({ head_seq: 40, archived_through: 40, oldest_unarchived_at: null, last_error: null });
    const t0 = Date.now();
    const after = await readiness();
    const t1 = Date.now();

    expect(after.status).toBe(200);
    expect(after.body.status).toBe("ready");
    expect(after.body.reasons).toEqual([]);
    const lag = after.body.audit_archive;
    expect(lag?.max_lag_seconds).toBeGreaterThanOrEqual(Math.floor((t0 - SINCE_EPOCH) / 1000));
    expect(lag?.max_lag_seconds).toBeLessThanOrEqual(Math.floor((t1 - SINCE_EPOCH) / 1000));
    // The fully archived row adds nothing; the failing one is one more of each.
    expect(lag?.logs_failing).toBe((before.body.audit_archive?.logs_failing ?? 0) + 1);
    expect(lag?.logs_behind).toBeGreaterThanOrEqual(1);
  });

  it("is not ready, naming D1 and reporting no lag, when the lag cannot be read", async () => {
    const { binding } = failingBinding<D1Database>("d1");
    const response = await requestWithEnv({ DB: binding }, "GET", "/ready");
    expect(response.status).toBe(503);
    expect(await json(response)).toEqual({ status: "not_ready", reasons: ["D1 is unreachable"], audit_archive: null });
  });
});

describe("/metrics", () => {
  it("exposes the archive's lag, unarchived events and failing logs as gauges, without any log's name", async () => {
    const before = await gauges();
    const log = await writeStatus({ head_seq: FAR_BEHIND + 7, archived_through: 7, oldest_unarchived_at: SINCE_EPOCH, last_error: "R2 put failed: 503" });
    const t0 = Date.now();
    const after = await gauges();
    const t1 = Date.now();

    for (const name of ["pqkms_audit_archive_lag_seconds", "pqkms_audit_unarchived_events", "pqkms_audit_archive_failing_logs"]) {
      expect(after.text).toContain(`# TYPE ${name} gauge\n`);
      expect(after.text).toMatch(new RegExp(`^# HELP ${name} \\S`, "m"));
    }
    expect(after.value("pqkms_audit_archive_lag_seconds")).toBeGreaterThanOrEqual(Math.floor((t0 - SINCE_EPOCH) / 1000));
    expect(after.value("pqkms_audit_archive_lag_seconds")).toBeLessThanOrEqual(Math.floor((t1 - SINCE_EPOCH) / 1000));
    // Other files' logs add at most a few thousand events: far fewer than this row's.
    expect(after.value("pqkms_audit_unarchived_events")).toBeGreaterThanOrEqual(FAR_BEHIND);
    expect(after.value("pqkms_audit_unarchived_events")).toBeLessThan(FAR_BEHIND + 1_000_000_000);
    expect(after.value("pqkms_audit_archive_failing_logs")).toBe(before.value("pqkms_audit_archive_failing_logs") + 1);
    expect(after.text).not.toContain(log);
  });

  it("fails the scrape, rather than reading as no lag, when D1 cannot be read", async () => {
    const { binding } = failingBinding<D1Database>("d1");
    const response = await requestWithEnv({ DB: binding }, "GET", "/metrics", { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } });
    expect(response.status).toBe(503);
    expect((await json(response)).code).toBe("database_unavailable");
  });
});
