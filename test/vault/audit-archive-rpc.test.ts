/**
 * The audit archive through the vault's real alarm and RPC methods, with the kms Worker's own
 * AUDIT_* vars (segments of 2,000 events): appends set the alarm only when a segment is due, the
 * alarm puts the segment to R2 and copies the lag to D1, `auditSegments`/`auditSegment` serve it,
 * and another log's segment id answers exactly like a missing one.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { parseSegmentText, segmentId } from "../../workers/shared/audit/archive-format.ts";
import { verifyChain } from "../../workers/shared/audit/chain.ts";
import type { RecordedEvent } from "../../workers/shared/rpc.ts";
import { configReasons } from "../../workers/kms/src/config.ts";
import { publishStatus } from "../../workers/kms/src/vault/audit-exports.ts";
import { TenantVault } from "../../workers/kms/src/vault/tenant-vault.ts";
import { newVault, runAlarmNow, value, type TestVault } from "./helpers.ts";

const SEGMENT = 2000; // AUDIT_SEGMENT_EVENTS in workers/kms/wrangler.toml
const denied: RecordedEvent = { operation: "keys.get", keyId: null, outcome: "denied", rule: "test", severity: "warning", detail: null };

// The gateway's migration creates this table; the vault only upserts into it.
beforeAll(async () => {
  await env.DB.prepare(
    `CREATE TABLE IF NOT EXISTS audit_archive_status (log TEXT PRIMARY KEY, head_seq INTEGER NOT NULL, archived_through INTEGER NOT NULL,
       oldest_unarchived_at INTEGER, last_error TEXT, updated_at INTEGER NOT NULL)`,
  ).run();
});

/** Records `n` events inside the vault (direct calls: the same path as RPC, without n round trips). */
async function record(vault: TestVault, n: number): Promise<{ bytesPerEvent: number; alarm: number | null }> {
  return runInDurableObject(vault.stub, async (instance: TenantVault, state) => {
    const before = state.storage.sql.databaseSize;
    for (let i = 0; i < n; i++) value(await instance.recordEvent({ ...vault.call, requestId: `req-${i}` }, denied));
    await Promise.resolve();
    return { bytesPerEvent: (state.storage.sql.databaseSize - before) / n, alarm: await state.storage.getAlarm() };
  });
}

describe("the audit archive through the alarm", () => {
  it("arms the alarm from appends, archives a full segment, and serves it to this log only", async () => {
    const vault = await newVault();
    const first = await record(vault, 1);
    // The first append after a start arms the alarm for when that event's segment is due by age.
    const oldest = value(await vault.stub.auditEvents(vault.call, { limit: 1 })).events[0];
    expect(first.alarm).toBe(Date.parse(oldest?.time ?? "") + 3_600_000);
    const filled = await record(vault, SEGMENT - 1);
    // The segment is full: the alarm is due now.
    expect(filled.alarm).toBeLessThanOrEqual(Date.now());
    await runAlarmNow(vault);

    const listed = value(await vault.stub.auditSegments(vault.call, { limit: 10 }));
    const id = segmentId(1, SEGMENT);
    // The platform's audit key signed the segment's checkpoint, at its last event.
    expect(listed.segments.map((s) => [s.id, s.count, s.checkpoint_seq])).toEqual([[id, SEGMENT, SEGMENT]]);
    expect(listed.status).toMatchObject({ head_seq: SEGMENT, archived_through: SEGMENT, unarchived_events: 0, lag_seconds: 0, last_error: null });
    // Archived and checkpointed, but inside the hot window (30 days): the events stay, still queryable.
    expect(listed.status.hot_events).toBe(SEGMENT);
    const hot = value(await vault.stub.auditEvents(vault.call, { requestId: "req-0", limit: 5 }));
    expect(hot.events.map((e) => e.seq).sort((a, b) => a - b)).toEqual([1, 2]);

    const got = value(await vault.stub.auditSegment(vault.call, id));
    const gz = new Uint8Array(await new Response(got.body).arrayBuffer());
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", gz))].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect([gz.byteLength, digest]).toEqual([got.segment.bytes, got.segment.sha256]);
    const events = parseSegmentText(await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"))).text()) ?? [];
    expect(verifyChain(events)).toEqual({ valid: true, checked: SEGMENT });

    const row = await env.DB.prepare("SELECT head_seq, archived_through, oldest_unarchived_at, last_error FROM audit_archive_status WHERE log = ?")
      .bind(vault.tenantId).first();
    expect(row).toEqual({ head_seq: SEGMENT, archived_through: SEGMENT, oldest_unarchived_at: null, last_error: null });

    // Another tenant asking for this id gets what a missing or malformed id gets.
    const other = await newVault();
    await record(other, 1);
    const foreign = await other.stub.auditSegment(other.call, id);
    expect(foreign).toEqual({ ok: false, error: { code: "audit_segment_not_found", detail: "no archived segment with this id in this log" } });
    expect(await other.stub.auditSegment(other.call, segmentId(1, 1))).toEqual(foreign);
    expect(await other.stub.auditSegment(other.call, "../x")).toEqual(foreign);
    expect(value(await other.stub.archiveStatus(other.call))).toMatchObject({ head_seq: 1, archived_through: 0, unarchived_events: 1, hot_from_seq: 1 });
    console.log(`audit archive: vault ${filled.bytesPerEvent.toFixed(1)} B/event (databaseSize over ${SEGMENT - 1} events),`
      + ` R2 ${(got.segment.bytes / SEGMENT).toFixed(1)} B/event (gzip segment)`);
  });

  it("goes on when D1's status row cannot be written", async () => {
    const broken = { prepare: () => { throw new Error("D1 unavailable"); } } as unknown as D1Database;
    const status = { head_seq: 1, archived_through: 1, oldest_unarchived_at: null, last_error: null } as Parameters<typeof publishStatus>[2];
    expect(await publishStatus(broken, "platform", status, Date.now())).toBe(false);
    expect(await publishStatus(env.DB, "platform-test", status, Date.now())).toBe(true);
  });

  it("refuses every call, naming the var, when an AUDIT_* var is not a positive integer", async () => {
    const vault = await newVault();
    const bad = { ...env, AUDIT_HOT_DAYS: "0" } as unknown as KmsEnv;
    expect(configReasons(bad)).toContain("AUDIT_HOT_DAYS must be an integer from 1 to 36500");
    await runInDurableObject(vault.stub, async (_instance, state) => {
      const misconfigured = new TenantVault(state, bad);
      expect(await misconfigured.archiveStatus(vault.call)).toEqual({ ok: false, error: { code: "misconfigured", detail: "AUDIT_HOT_DAYS must be an integer from 1 to 36500" } });
    });
  });
});
