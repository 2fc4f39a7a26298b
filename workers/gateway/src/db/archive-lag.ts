/**
 * The audit archive's lag across every log (architecture §9), for `/ready` and `/metrics`: one
 * aggregate query over `audit_archive_status`, the rows each kms vault upserts after an archive
 * attempt, so its cost does not grow with what the logs hold (one row per log, read once per probe
 * or scrape). Only totals leave here: no tenant id reaches a probe's answer or a metric.
 */
import { sql } from "drizzle-orm";
import * as schema from "../../../../schema/d1.ts";
import { database } from "./tenants.ts";

export interface ArchiveTotals {
  /** Logs with events not yet archived. */
  logsBehind: number;
  /** The oldest unarchived event's time over every log (ms), or null when every log is archived. */
  oldestUnarchivedAt: number | null;
  /** Σ (head_seq − archived_through). */
  unarchivedEvents: number;
  /** Logs whose last archive attempt failed. */
  logsFailing: number;
}

export interface ArchiveLag {
  logs_behind: number;
  /** now − the oldest unarchived event's time, in whole seconds; 0 when every log is archived. */
  max_lag_seconds: number;
  logs_failing: number;
  unarchived_events: number;
}

/** Pure: the lag at `now` (a clock running behind a row's time reads 0, never a negative lag). */
export function archiveLag(totals: ArchiveTotals, now: number): ArchiveLag {
  const lag = totals.oldestUnarchivedAt === null ? 0 : Math.max(0, Math.floor((now - totals.oldestUnarchivedAt) / 1000));
  return { logs_behind: totals.logsBehind, max_lag_seconds: lag, logs_failing: totals.logsFailing, unarchived_events: totals.unarchivedEvents };
}

export async function readArchiveTotals(db: D1Database): Promise<ArchiveTotals> {
  const t = schema.auditArchiveStatus;
  const row = await database(db)
    .select({
      logsBehind: sql<number>`coalesce(sum(${t.headSeq} > ${t.archivedThrough}), 0)`,
      oldestUnarchivedAt: sql<number | null>`min(${t.oldestUnarchivedAt})`,
      unarchivedEvents: sql<number>`coalesce(sum(max(${t.headSeq} - ${t.archivedThrough}, 0)), 0)`,
      logsFailing: sql<number>`coalesce(sum(${t.lastError} IS NOT NULL), 0)`,
    })
    .from(t)
    .get();
  return {
    logsBehind: Number(row?.logsBehind ?? 0),
    oldestUnarchivedAt: row?.oldestUnarchivedAt === null || row?.oldestUnarchivedAt === undefined ? null : Number(row.oldestUnarchivedAt),
    unarchivedEvents: Number(row?.unarchivedEvents ?? 0),
    logsFailing: Number(row?.logsFailing ?? 0),
  };
}
