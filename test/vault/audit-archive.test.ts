/**
 * The audit archive inside a real vault (architecture §9): the archiver is built on the DO's own
 * storage and the real R2 binding, with a clock and small limits given by the test. Events leave the
 * vault only after R2 has confirmed their segment and a checkpoint is stored; a failing put, or a
 * restart between the put and the row's update, loses nothing and duplicates nothing.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { manifestObjectKey, parseSegmentText, segmentId, segmentObjectKey, type ManifestLine } from "../../workers/shared/audit/archive-format.ts";
import { verifyChain, type AuditEvent } from "../../workers/shared/audit/chain.ts";
import { fail, ok, type Result } from "../../workers/shared/errors.ts";
import type { ArchiveConfig } from "../../workers/kms/src/vault/archive-plan.ts";
import { AuditArchive, type ArchiveBucket, type SegmentCheckpointer, type SegmentRow } from "../../workers/kms/src/vault/audit-archive.ts";
import { AuditLog } from "../../workers/kms/src/vault/audit-log.ts";
import { backoffMs } from "../../workers/kms/src/vault/outbox.ts";
import { newVault, type TestVault } from "./helpers.ts";

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const SMALL: ArchiveConfig = { segmentEvents: 100, segmentAgeMs: 60_000, hotAgeMs: 24 * HOUR, hotEvents: 300 };

/** Signs nothing: records what it was asked for, and answers as told (the platform key's stand-in in tests). */
class RecordingCheckpointer implements SegmentCheckpointer {
  lines: ManifestLine[] = [];
  failing = false;
  async forSegment(_tenant: string, line: ManifestLine): Promise<Result<{ seq: number }>> {
    if (this.failing) return fail("audit_unavailable", "signing key unavailable");
    this.lines.push(line);
    return ok({ seq: line.last_seq });
  }
}

const realBucket: ArchiveBucket = env.AUDIT_ARCHIVE;
/** The real bucket, except that puts whose key contains `part` throw. */
function failingPuts(part: string): ArchiveBucket {
  return {
    put: ((key: string, value: ArrayBuffer | string, options?: R2PutOptions) =>
      key.includes(part) ? Promise.reject(new Error("R2 unavailable")) : env.AUDIT_ARCHIVE.put(key, value, options)) as R2Bucket["put"],
    get: env.AUDIT_ARCHIVE.get.bind(env.AUDIT_ARCHIVE),
  };
}

interface Setup {
  bucket?: ArchiveBucket;
  checkpointer?: SegmentCheckpointer;
  config?: ArchiveConfig;
}

/** Runs `body` in the vault with an archiver (built anew per call, as after a restart) and an appender. */
function inVault<T>(vault: TestVault, now: number, setup: Setup, body: (tools: {
  archive: AuditArchive;
  append: (n: number, time: number) => void;
  sql: SqlStorage;
}) => Promise<T> | T): Promise<T> {
  return runInDurableObject(vault.stub, (_instance, state) => {
    const archive = new AuditArchive({
      storage: state.storage, bucket: setup.bucket ?? realBucket, tenant: vault.tenantId, config: setup.config ?? SMALL,
      now: () => now, checkpointer: setup.checkpointer,
    });
    const append = (n: number, time: number) =>
      state.storage.transactionSync(() => {
        const log = new AuditLog(state.storage.sql, vault.tenantId);
        for (let i = 0; i < n; i++) {
          log.append({ time, apiKeyId: "api-key-1", requestId: `req-${i}`, operation: "keys.get", keyId: null, keyVersion: null, outcome: "allowed" });
        }
      });
    return body({ archive, append, sql: state.storage.sql });
  });
}

const rows = (sql: SqlStorage) => sql.exec<SegmentRow>("SELECT * FROM audit_segments ORDER BY first_seq").toArray();
const eventCount = (sql: SqlStorage) => sql.exec<{ n: number }>("SELECT count(*) AS n FROM audit_events").one().n;

async function segmentEvents(tenant: string, id: string): Promise<AuditEvent[]> {
  const object = await env.AUDIT_ARCHIVE.get(segmentObjectKey(tenant, id));
  if (object === null) return expect.fail(`segment ${id} is not in R2`);
  const text = await new Response(object.body.pipeThrough(new DecompressionStream("gzip"))).text();
  return parseSegmentText(text) ?? expect.fail("segment text does not parse");
}

describe("the audit archive", () => {
  it("keeps every event while R2 fails, retries after the backoff, then archives and trims", async () => {
    const vault = await newVault();
    const checkpointer = new RecordingCheckpointer();
    const failed = await inVault(vault, T0 + 2 * HOUR, { bucket: failingPuts("/segments/"), checkpointer }, async ({ archive, append, sql }) => {
      append(150, T0);
      const run = await archive.run();
      expect(run).toMatchObject({ archived: 0, deleted: 0, error: "Error: R2 unavailable", next: T0 + 2 * HOUR + backoffMs(0) });
      expect(eventCount(sql)).toBe(150);
      return rows(sql);
    });
    // Only the first range is sealed: nothing is sealed past a segment still waiting for its put.
    expect(failed).toMatchObject([{ id: segmentId(1, 100), state: "sealing", attempts: 1, last_error: "Error: R2 unavailable", sha256: null }]);

    // Before the backoff has passed, nothing is tried; after it, the same range goes to R2.
    const early = await inVault(vault, T0 + 2 * HOUR + 500, { checkpointer }, ({ archive }) => archive.run());
    expect(early).toMatchObject({ archived: 0, error: null, next: T0 + 2 * HOUR + backoffMs(0) });
    const later = await inVault(vault, T0 + 2 * HOUR + backoffMs(0), { checkpointer }, async ({ archive, sql }) => ({
      run: await archive.run(), rows: rows(sql), left: eventCount(sql),
    }));
    // Nothing left to seal; the alarm comes back when the oldest safe event leaves by age (AUDIT_HOT_DAYS).
    expect(later.run).toMatchObject({ archived: 2, checkpointed: 2, error: null, next: T0 + SMALL.hotAgeMs });
    expect(later.rows.map((r) => [r.id, r.state, r.checkpoint_seq, r.attempts, r.last_error])).toEqual([
      [segmentId(1, 100), "archived", 100, 0, null],
      [segmentId(101, 150), "archived", 150, 0, null],
    ]);
    // Archived and checkpointed, but 2 h old (AUDIT_HOT_DAYS: 1 day here) and within the newest 300: all stay.
    expect(later.left).toBe(150);
    expect(checkpointer.lines.map((l) => l.segment)).toEqual([segmentId(1, 100), segmentId(101, 150)]);
    const first = await segmentEvents(vault.tenantId, segmentId(1, 100));
    expect(first.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const stored = await env.AUDIT_ARCHIVE.head(segmentObjectKey(vault.tenantId, segmentId(1, 100)));
    expect(stored?.checksums.sha256 && [...new Uint8Array(stored.checksums.sha256)].map((b) => b.toString(16).padStart(2, "0")).join("")).toBe(later.rows[0]?.sha256);
  });

  it("after a restart between the put and the row's update, puts the same range again: nothing lost, nothing twice", async () => {
    const vault = await newVault();
    await inVault(vault, T0 + HOUR, { bucket: failingPuts("/manifest/") }, async ({ archive, append }) => {
      append(120, T0);
      expect((await archive.run()).error).toBe("Error: R2 unavailable");
    });
    // The segment object is written, its row still `sealing`: the new instance takes it from there.
    expect(await env.AUDIT_ARCHIVE.head(segmentObjectKey(vault.tenantId, segmentId(1, 100)))).not.toBeNull();
    const after = await inVault(vault, T0 + 2 * HOUR, {}, async ({ archive, append, sql }) => {
      const run = await archive.run();
      append(5, T0 + 2 * HOUR);
      return { run, rows: rows(sql), backlog: archive.backlog() };
    });
    expect(after.run).toMatchObject({ archived: 2, error: null });
    expect(after.rows.map((r) => [r.first_seq, r.last_seq, r.state])).toEqual([[1, 100, "archived"], [101, 120, "archived"]]);
    expect(after.backlog).toEqual({ count: 5, oldestTime: T0 + 2 * HOUR });
    const manifest = await env.AUDIT_ARCHIVE.get(manifestObjectKey(vault.tenantId, segmentId(1, 100)));
    expect(await manifest?.json()).toMatchObject({ first_seq: 1, last_seq: 100, sha256: after.rows[0]?.sha256 });
    const events = [...(await segmentEvents(vault.tenantId, segmentId(1, 100))), ...(await segmentEvents(vault.tenantId, segmentId(101, 120)))];
    expect(verifyChain(events)).toEqual({ valid: true, checked: 120 });
  });

  it("deletes only archived, checkpointed events outside the hot window, and keeps appending after", async () => {
    const vault = await newVault();
    const config: ArchiveConfig = { ...SMALL, hotEvents: 1000, hotAgeMs: HOUR };
    const checkpointer = new RecordingCheckpointer();
    checkpointer.failing = true;
    const now = T0 + 3 * HOUR;
    const unsigned = await inVault(vault, now, { checkpointer, config }, async ({ archive, append, sql }) => {
      append(100, T0);
      append(100, T0 + 2.5 * HOUR);
      return { run: await archive.run(), left: eventCount(sql) };
    });
    // Archived, but no checkpoint: the events stay, and the checkpoint is retried after a backoff.
    expect(unsigned.run).toMatchObject({ archived: 2, checkpointed: 0, deleted: 0, error: "audit_unavailable: signing key unavailable", next: now + backoffMs(0) });
    expect(unsigned.left).toBe(200);
    checkpointer.failing = false;
    const signed = await inVault(vault, now + backoffMs(0), { checkpointer, config }, async ({ archive, append, sql }) => {
      const run = await archive.run();
      const hot = sql.exec<{ first: number; last: number }>("SELECT min(seq) AS first, max(seq) AS last FROM audit_events").one();
      append(1, now + backoffMs(0));
      const head = sql.exec<{ seq: number; hash: string; prev_hash: string }>("SELECT seq, hash, prev_hash FROM audit_events ORDER BY seq DESC LIMIT 2").toArray();
      return { run, hot, head };
    });
    // The first 100 are older than the hour of AUDIT_HOT_DAYS here; the second 100 are not.
    expect(signed.run).toMatchObject({ checkpointed: 2, deleted: 100 });
    expect(signed.hot).toEqual({ first: 101, last: 200 });
    expect(signed.head[0]).toMatchObject({ seq: 201, prev_hash: signed.head[1]?.hash });
  });

  it("under sustained appends archives every event exactly once and keeps the vault bounded", async () => {
    const vault = await newVault();
    const checkpointer = new RecordingCheckpointer();
    const ROUNDS = 20;
    const PER_ROUND = 250;
    let now = T0;
    let sizes = { before: 0, after: 0, hotMax: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const at = now;
      now += 61_000;
      const size = await inVault(vault, now, { checkpointer }, async ({ archive, append, sql }) => {
        append(PER_ROUND, at);
        await archive.run();
        return { hot: eventCount(sql), size: (sql as SqlStorage & { databaseSize: number }).databaseSize };
      });
      if (round === 0) sizes.before = size.size;
      sizes = { ...sizes, after: size.size, hotMax: Math.max(sizes.hotMax, size.hot) };
    }
    const total = ROUNDS * PER_ROUND;
    expect(sizes.hotMax).toBeLessThanOrEqual(SMALL.hotEvents);
    // Unbounded, 5,000 events would add over 1 MB; what grows is one small row per segment.
    expect(sizes.after - sizes.before).toBeLessThan(total * 20);
    const segments = await inVault(vault, now, {}, ({ sql }) => rows(sql));
    expect(segments.every((s) => s.state === "archived" && s.checkpoint_seq === s.last_seq)).toBe(true);
    const events: AuditEvent[] = [];
    for (const segment of segments) events.push(...(await segmentEvents(vault.tenantId, segment.id)));
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(verifyChain(events)).toEqual({ valid: true, checked: total });
    const r2Bytes = segments.reduce((sum, s) => sum + (s.bytes ?? 0), 0);
    console.log(`audit archive: ${total} events in ${segments.length} segments, R2 ${(r2Bytes / total).toFixed(1)} B/event;`
      + ` vault ${sizes.before} → ${sizes.after} bytes with ≤ ${sizes.hotMax} hot events`);
  });
});
