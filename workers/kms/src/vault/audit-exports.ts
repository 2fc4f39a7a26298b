/**
 * The read side of the audit archive (architecture §9): a log's archived segments, one segment's
 * object from R2, how far the archive is behind, and that lag's copy in D1 (`audit_archive_status`,
 * read by the gateway's /ready and /metrics). Only this vault's `audit_segments` rows are looked
 * at, so another log's segment id answers exactly like a missing one.
 */
import { parseSegmentId, segmentObjectKey } from "../../../shared/audit/archive-format.ts";
import { fail, ok, type Result } from "../../../shared/errors.ts";
import type { ArchiveStatus, AuditSegmentView } from "../../../shared/rpc.ts";
import type { ArchiveBucket, SegmentRow } from "./audit-archive.ts";

const iso = (ms: number) => new Date(ms).toISOString();

export function segmentView(row: SegmentRow): AuditSegmentView {
  return {
    id: row.id, first_seq: row.first_seq, last_seq: row.last_seq, count: row.count, first_time: iso(row.first_time),
    last_time: iso(row.last_time), prev_hash: row.prev_hash, last_hash: row.last_hash, sha256: row.sha256 ?? "",
    bytes: row.bytes ?? 0, archived_at: iso(row.archived_at ?? row.sealed_at), checkpoint_seq: row.checkpoint_seq,
  };
}

/** Archived segments, newest first, after `cursor` (a segment id, exclusive). */
export function listSegments(sql: SqlStorage, input: { limit: number; cursor?: string | undefined }): Result<{ segments: AuditSegmentView[]; next_cursor: string | null }> {
  const before = input.cursor === undefined ? null : parseSegmentId(input.cursor);
  if (input.cursor !== undefined && before === null) return fail("invalid_request", "cursor is not a segment id");
  const rows = sql
    .exec<SegmentRow>(
      "SELECT * FROM audit_segments WHERE state = 'archived' AND first_seq < ? ORDER BY first_seq DESC LIMIT ?",
      before?.firstSeq ?? Number.MAX_SAFE_INTEGER, input.limit + 1,
    )
    .toArray();
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return ok({ segments: page.map(segmentView), next_cursor: rows.length > input.limit && last ? last.id : null });
}

/** One archived segment and its object's bytes (the gzip stream as stored). */
export async function getSegment(
  sql: SqlStorage,
  bucket: ArchiveBucket,
  tenant: string,
  id: string,
): Promise<Result<{ segment: AuditSegmentView; body: ReadableStream<Uint8Array> }>> {
  const notFound = fail("audit_segment_not_found", "no archived segment with this id in this log");
  if (parseSegmentId(id) === null) return notFound;
  const row = sql.exec<SegmentRow>("SELECT * FROM audit_segments WHERE id = ? AND state = 'archived'", id).toArray()[0];
  if (row === undefined) return notFound;
  let object: R2ObjectBody | null;
  try {
    object = await bucket.get(segmentObjectKey(tenant, id));
  } catch {
    return fail("audit_unavailable", "the audit archive could not be read");
  }
  if (object === null) return fail("audit_unavailable", "the archived segment is missing from the audit archive");
  return ok({ segment: segmentView(row), body: object.body });
}

/** How far this log's archive is behind, from the vault's own rows; and the oldest unarchived event's time. */
export function archiveStatus(sql: SqlStorage, now: number): ArchiveStatus & { oldest_unarchived_at: number | null } {
  // Two index lookups, no count: the hot window is contiguous (retention deletes only a prefix).
  const hot = sql.exec<{ head: number | null; first: number | null }>("SELECT max(seq) AS head, min(seq) AS first FROM audit_events").one();
  const pending = sql.exec<{ s: number | null }>("SELECT min(first_seq) AS s FROM audit_segments WHERE state = 'sealing'").one().s;
  const archived = sql
    .exec<{ s: number | null }>("SELECT max(last_seq) AS s FROM audit_segments WHERE state = 'archived' AND last_seq < ?", pending ?? Number.MAX_SAFE_INTEGER)
    .one().s ?? 0;
  const head = Math.max(hot.head ?? 0, archived);
  const oldest = sql.exec<{ time: number }>("SELECT time FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 1", archived).toArray()[0];
  const failing = sql
    .exec<{ last_error: string; next_attempt_at: number | null }>(
      "SELECT last_error, next_attempt_at FROM audit_segments WHERE last_error IS NOT NULL ORDER BY first_seq LIMIT 1",
    )
    .toArray()[0];
  return {
    head_seq: head,
    archived_through: archived,
    unarchived_events: head - archived,
    lag_seconds: oldest === undefined ? 0 : Math.max(0, Math.floor((now - oldest.time) / 1000)),
    hot_from_seq: hot.first,
    hot_events: hot.head === null || hot.first === null ? 0 : hot.head - hot.first + 1,
    last_error: failing?.last_error ?? null,
    next_attempt_at: failing?.next_attempt_at == null ? null : iso(failing.next_attempt_at),
    oldest_unarchived_at: oldest?.time ?? null,
  };
}

/**
 * Upserts the log's row of D1's `audit_archive_status`: once per alarm run that archived or failed,
 * never per operation. The archive never depends on it: a failed write is reported (false) and
 * the run goes on; the next run writes the row again.
 */
export async function publishStatus(db: D1Database, log: string, status: ReturnType<typeof archiveStatus>, now: number): Promise<boolean> {
  try {
    await db
      .prepare(
        `INSERT INTO audit_archive_status (log, head_seq, archived_through, oldest_unarchived_at, last_error, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (log) DO UPDATE SET head_seq = excluded.head_seq, archived_through = excluded.archived_through,
           oldest_unarchived_at = excluded.oldest_unarchived_at, last_error = excluded.last_error, updated_at = excluded.updated_at`,
      )
      .bind(log, status.head_seq, status.archived_through, status.oldest_unarchived_at, status.last_error, now)
      .run();
    return true;
  } catch {
    return false;
  }
}
