/**
 * The vault's audit archive (architecture §9): seals the oldest events into segments, writes each to
 * R2 (`AUDIT_ARCHIVE`, layout in shared/audit/archive-format.ts), has a checkpoint signed for it, and
 * only then lets its events leave the vault (archive-plan.ts decides; this module does the I/O).
 *
 * Order of writes, so a restart or a failed put loses nothing and duplicates nothing:
 * 1. the `audit_segments` row, state `sealing`, with the range and hashes (one transaction);
 * 2. the segment object (R2 checks the SHA-256 it is given), then its manifest line;
 * 3. the row marked `archived`. A failure leaves the row `sealing` with a backoff; the next run puts
 *    the same range again (a put of the same key replaces it with the same bytes' events).
 * Segments are put in order: no range is sealed past a `sealing` one still waiting.
 * 4. the checkpoint (`SegmentCheckpointer`), retried on later runs until it is stored;
 * 5. retention deletes, in bounded batches, events of archived and checkpointed segments that are
 *    past the hot window. A run handles at most MAX_SEGMENTS_PER_RUN segments, so it stays short.
 *
 * Works for any log, the platform's (`platform`) included: the tenant is only a key prefix.
 */
import type { AuditEvent } from "../../../shared/audit/chain.ts";
import { manifestObjectKey, SEGMENT_FORMAT, segmentId, segmentObjectKey, segmentText, type ManifestLine } from "../../../shared/audit/archive-format.ts";
import type { Result } from "../../../shared/errors.ts";
import { sealCount, sealDueAt, trimPlan, type ArchiveConfig, type Backlog } from "./archive-plan.ts";
import { backoffMs } from "./outbox.ts";

/** Signs and stores the checkpoint of an archived segment (the platform's audit key, checkpoints.ts). */
export interface SegmentCheckpointer {
  forSegment(tenant: string, line: ManifestLine): Promise<Result<{ seq: number }>>;
}

/** The part of R2 the archive writes and reads. */
export type ArchiveBucket = Pick<R2Bucket, "put" | "get">;

export interface SegmentRow extends Record<string, SqlStorageValue> {
  id: string;
  first_seq: number;
  last_seq: number;
  count: number;
  first_time: number;
  last_time: number;
  prev_hash: string;
  last_hash: string;
  state: "sealing" | "archived";
  sha256: string | null;
  bytes: number | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
  sealed_at: number;
  archived_at: number | null;
  checkpoint_seq: number | null;
}

export interface ArchiveDeps {
  readonly storage: Pick<DurableObjectStorage, "sql" | "transactionSync">;
  readonly bucket: ArchiveBucket;
  readonly tenant: string;
  readonly config: ArchiveConfig;
  readonly now: () => number;
  /** None until the platform's audit key can sign: events then stay in the vault (never unsigned out). */
  readonly checkpointer?: SegmentCheckpointer | undefined;
}

/** What one run did and when the archive needs the alarm again (null: not until more events come). */
export interface ArchiveRun {
  archived: number;
  checkpointed: number;
  deleted: number;
  /** The error of a put or checkpoint that failed this run, null if none did. */
  error: string | null;
  next: number | null;
  /** Events still unsealed after the run. */
  unsealed: number;
}

/** At most this many segments are put (and as many checkpoints made) per alarm run. */
export const MAX_SEGMENTS_PER_RUN = 10;
/** At most this many events are deleted per alarm run. */
export const TRIM_BATCH = 5_000;
/** An error kept in the row is cut to this length (it names the failure; it never holds a secret). */
const ERROR_LENGTH = 200;

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, ERROR_LENGTH);

export function manifestLine(tenant: string, row: SegmentRow): ManifestLine {
  return {
    format: SEGMENT_FORMAT, tenant, segment: row.id, first_seq: row.first_seq, last_seq: row.last_seq, count: row.count,
    first_time: row.first_time, last_time: row.last_time, prev_hash: row.prev_hash, last_hash: row.last_hash,
    sha256: row.sha256 ?? "", bytes: row.bytes ?? 0,
  };
}

export class AuditArchive {
  readonly #deps: ArchiveDeps;
  readonly #sql: SqlStorage;

  constructor(deps: ArchiveDeps) {
    this.#deps = deps;
    this.#sql = deps.storage.sql;
  }

  /** The last seq already in a segment (sealing or archived); 0 when none. */
  sealedThrough(): number {
    return this.#sql.exec<{ s: number | null }>("SELECT max(last_seq) AS s FROM audit_segments").one().s ?? 0;
  }

  /**
   * The events not yet in any segment, from two index lookups: seqs are contiguous above the
   * sealed ones (retention deletes only a prefix), so nothing counts rows. With `waiting`: whether a
   * sealed segment still waits for its put too.
   */
  backlog(waiting = false): Backlog {
    const sealed = this.sealedThrough();
    const head = this.#sql.exec<{ s: number | null }>("SELECT max(seq) AS s FROM audit_events").one().s ?? 0;
    const oldest = this.#sql.exec<{ time: number }>("SELECT time FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 1", sealed).toArray()[0];
    const backlog = { count: oldest === undefined ? 0 : head - sealed, oldestTime: oldest?.time ?? null };
    return waiting ? { ...backlog, waiting: this.#oldestSealing() !== null } : backlog;
  }

  /** One bounded run: put due segments in order, make missing checkpoints, trim the hot window. */
  async run(): Promise<ArchiveRun> {
    const result: ArchiveRun = { archived: 0, checkpointed: 0, deleted: 0, error: null, next: null, unsealed: 0 };
    for (let n = 0; n < MAX_SEGMENTS_PER_RUN; n++) {
      const row = this.#oldestSealing() ?? this.#seal();
      if (row === null || (row.next_attempt_at ?? 0) > this.#deps.now()) break;
      const error = await this.#put(row);
      if (error !== null) {
        result.error = error;
        break;
      }
      result.archived += 1;
    }
    const checkpoints = await this.#checkpoint();
    result.checkpointed = checkpoints.done;
    result.error ??= checkpoints.error;
    const trimmed = this.#trim();
    result.deleted = trimmed.deleted;
    const backlog = this.backlog();
    result.unsealed = backlog.count;
    result.next = this.#nextRun(backlog, trimmed.deleted === TRIM_BATCH ? this.#deps.now() : trimmed.dueAt);
    return result;
  }

  #oldestSealing(): SegmentRow | null {
    return this.#sql.exec<SegmentRow>("SELECT * FROM audit_segments WHERE state = 'sealing' ORDER BY first_seq LIMIT 1").toArray()[0] ?? null;
  }

  /** Writes the next due range's row, `sealing`, before anything goes to R2; null when none is due. */
  #seal(): SegmentRow | null {
    const now = this.#deps.now();
    const take = sealCount(this.backlog(), this.#deps.config, now);
    if (take === 0) return null;
    return this.#deps.storage.transactionSync(() => {
      const events = this.#events(this.sealedThrough() + 1, Number.MAX_SAFE_INTEGER, take);
      const first = events[0] as AuditEvent;
      const last = events[events.length - 1] as AuditEvent;
      const id = segmentId(first.seq, last.seq);
      this.#sql.exec(
        `INSERT INTO audit_segments (id, first_seq, last_seq, count, first_time, last_time, prev_hash, last_hash, state, sealed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sealing', ?)`,
        id, first.seq, last.seq, events.length, first.time, last.time, first.prev_hash, last.hash, now,
      );
      return this.#sql.exec<SegmentRow>("SELECT * FROM audit_segments WHERE id = ?", id).one();
    });
  }

  #events(fromSeq: number, toSeq: number, limit: number): AuditEvent[] {
    return this.#sql
      .exec<Omit<AuditEvent, "tenant_id">>("SELECT * FROM audit_events WHERE seq BETWEEN ? AND ? ORDER BY seq LIMIT ?", fromSeq, toSeq, limit)
      .toArray()
      .map((row) => ({ ...row, tenant_id: this.#deps.tenant }));
  }

  /** Puts a sealed range's object and manifest line, then marks the row archived; the error, or null. */
  async #put(row: SegmentRow): Promise<string | null> {
    const { bucket, tenant } = this.#deps;
    try {
      const events = this.#events(row.first_seq, row.last_seq, row.count);
      // Events of a sealing segment never leave the vault (#trim), so the whole range is still here.
      if (events.length !== row.count) throw new Error(`segment ${row.id} holds ${events.length} of its ${row.count} events`);
      const bytes = await gzip(segmentText(events));
      const sha256 = hex(await crypto.subtle.digest("SHA-256", bytes));
      await bucket.put(segmentObjectKey(tenant, row.id), bytes, { sha256, httpMetadata: { contentType: "application/gzip" } });
      const line = manifestLine(tenant, { ...row, sha256, bytes: bytes.byteLength });
      await bucket.put(manifestObjectKey(tenant, row.id), JSON.stringify(line), { httpMetadata: { contentType: "application/json" } });
      this.#sql.exec(
        `UPDATE audit_segments SET state = 'archived', sha256 = ?, bytes = ?, archived_at = ?, attempts = 0, last_error = NULL,
           next_attempt_at = NULL WHERE id = ?`,
        sha256, bytes.byteLength, this.#deps.now(), row.id,
      );
      return null;
    } catch (error) {
      return this.#failed(row, error);
    }
  }

  /** Counts a failed attempt on the row and sets when to try again; returns the error text. */
  #failed(row: SegmentRow, error: unknown): string {
    const text = errorText(error);
    this.#sql.exec(
      "UPDATE audit_segments SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
      text, this.#deps.now() + backoffMs(row.attempts), row.id,
    );
    return text;
  }

  /** Makes the checkpoints archived segments still lack, oldest first, stopping at the first failure. */
  async #checkpoint(): Promise<{ done: number; error: string | null }> {
    const { checkpointer, tenant } = this.#deps;
    if (checkpointer === undefined) return { done: 0, error: null };
    const rows = this.#sql
      .exec<SegmentRow>("SELECT * FROM audit_segments WHERE state = 'archived' AND checkpoint_seq IS NULL ORDER BY first_seq LIMIT ?", MAX_SEGMENTS_PER_RUN)
      .toArray();
    let done = 0;
    for (const row of rows) {
      if ((row.next_attempt_at ?? 0) > this.#deps.now()) break;
      let made: Result<{ seq: number }>;
      try {
        made = await checkpointer.forSegment(tenant, manifestLine(tenant, row));
      } catch (error) {
        return { done, error: this.#failed(row, error) };
      }
      if (!made.ok) return { done, error: this.#failed(row, `${made.error.code}${made.error.detail ? `: ${made.error.detail}` : ""}`) };
      this.#sql.exec("UPDATE audit_segments SET checkpoint_seq = ?, attempts = 0, last_error = NULL, next_attempt_at = NULL WHERE id = ?", made.value.seq, row.id);
      done += 1;
    }
    return { done, error: null };
  }

  /** The last seq of the first segments that are all archived and checkpointed (0: none). */
  safeThrough(): number {
    const pending = this.#sql
      .exec<{ s: number | null }>("SELECT min(first_seq) AS s FROM audit_segments WHERE state <> 'archived' OR checkpoint_seq IS NULL")
      .one().s;
    const sql = pending === null ? "SELECT max(last_seq) AS s FROM audit_segments" : "SELECT max(last_seq) AS s FROM audit_segments WHERE last_seq < ?";
    return this.#sql.exec<{ s: number | null }>(sql, ...(pending === null ? [] : [pending])).one().s ?? 0;
  }

  /**
   * Deletes up to TRIM_BATCH of the oldest events, those that have left the hot window and are safe
   * in R2, always a prefix (the hot window stays contiguous), reading only as far as the first event
   * that must stay. Returns how many went, and when the oldest remaining safe event leaves by age.
   */
  #trim(): { deleted: number; dueAt: number | null } {
    const head = this.#sql.exec<{ s: number | null }>("SELECT max(seq) AS s FROM audit_events").one().s ?? 0;
    const now = this.#deps.now();
    const plan = trimPlan(this.safeThrough(), head, this.#deps.config, now);
    if (plan === null) return { deleted: 0, dueAt: null };
    let cut = 0;
    let deleted = 0;
    let dueAt: number | null = null;
    for (const e of this.#sql.exec<{ seq: number; time: number }>("SELECT seq, time FROM audit_events WHERE seq <= ? ORDER BY seq LIMIT ?", plan.maxSeq, TRIM_BATCH)) {
      if (!(e.time < plan.before || e.seq <= plan.beyondSeq)) {
        dueAt = e.time + this.#deps.config.hotAgeMs;
        break;
      }
      cut = e.seq;
      deleted += 1;
    }
    if (cut > 0) {
      this.#sql.exec("DELETE FROM audit_events WHERE seq <= ?", cut);
      // A checkpoint's row leaves with its events (its 3.3 kB signature would otherwise outgrow the
      // window); R2 keeps the object, which Checkpoints.list reads back. The newest stays: verification starts there.
      this.#sql.exec(
        "DELETE FROM audit_checkpoints WHERE stored = 1 AND seq <= ? AND seq < (SELECT max(seq) FROM audit_checkpoints WHERE stored = 1)",
        cut,
      );
    }
    return { deleted, dueAt };
  }

  /** The earliest time anything is due: a retry, the next seal, a missing checkpoint, an event to trim. */
  #nextRun(backlog: Backlog, trimAt: number | null): number | null {
    const now = this.#deps.now();
    // Both queues go in order, so only their oldest row's time counts.
    const sealing = this.#oldestSealing();
    const unsigned = this.#deps.checkpointer === undefined
      ? undefined
      : this.#sql.exec<SegmentRow>("SELECT * FROM audit_segments WHERE state = 'archived' AND checkpoint_seq IS NULL ORDER BY first_seq LIMIT 1").toArray()[0];
    const due = (row: SegmentRow | null | undefined) => (row == null ? null : Math.max(now, row.next_attempt_at ?? now));
    const times = [
      due(sealing),
      due(unsigned),
      // A seal waits behind a sealing segment: its retry time covers it.
      sealing === null ? sealDueAt(backlog, this.#deps.config, now) : null,
      trimAt === null ? null : Math.max(now, trimAt),
    ].filter((t): t is number => t !== null);
    return times.length > 0 ? Math.min(...times) : null;
  }
}
