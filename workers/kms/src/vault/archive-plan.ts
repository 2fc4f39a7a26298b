/**
 * The audit archive's decisions (architecture §9), pure: which events form the next segment, which
 * events may leave the vault, when the alarm must run again, and when an append must set it. No
 * storage and no clock here: audit-archive.ts reads the state and passes `now` in.
 *
 * Trust boundary: reads deploy-time vars (`archiveConfig`), never a secret.
 */
import { fail, ok, type Result } from "../../../shared/errors.ts";

export interface ArchiveConfig {
  /** A segment is sealed once this many events wait (AUDIT_SEGMENT_EVENTS). */
  segmentEvents: number;
  /** …or once the oldest waiting event is this old (AUDIT_SEGMENT_SECONDS), in ms. */
  segmentAgeMs: number;
  /** Archived, checkpointed events older than this leave the vault (AUDIT_HOT_DAYS), in ms. */
  hotAgeMs: number;
  /** …as do those beyond the newest AUDIT_HOT_EVENTS. */
  hotEvents: number;
}

/** A segment is built in memory before its put: this bounds the memory one alarm run needs. */
export const MAX_SEGMENT_EVENTS = 20_000;

const VARS = {
  AUDIT_SEGMENT_EVENTS: { fallback: 2000, max: MAX_SEGMENT_EVENTS },
  AUDIT_SEGMENT_SECONDS: { fallback: 3600, max: 31 * 86_400 },
  AUDIT_HOT_DAYS: { fallback: 30, max: 36_500 },
  AUDIT_HOT_EVENTS: { fallback: 1_000_000, max: 1_000_000_000 },
} as const;
type ArchiveVar = keyof typeof VARS;

function positive(env: Partial<Record<ArchiveVar, unknown>>, name: ArchiveVar): Result<number> {
  const { fallback, max } = VARS[name];
  const raw = env[name];
  if (raw === undefined) return ok(fallback);
  const value = typeof raw === "string" && /^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : NaN;
  return value <= max ? ok(value) : fail("misconfigured", `${name} must be an integer from 1 to ${max}`);
}

/** The AUDIT_* vars (absent: the defaults of wrangler.toml), or `misconfigured` naming the first bad one. */
export function archiveConfig(env: Partial<Record<ArchiveVar, unknown>>): Result<ArchiveConfig> {
  const events = positive(env, "AUDIT_SEGMENT_EVENTS");
  if (!events.ok) return events;
  const seconds = positive(env, "AUDIT_SEGMENT_SECONDS");
  if (!seconds.ok) return seconds;
  const days = positive(env, "AUDIT_HOT_DAYS");
  if (!days.ok) return days;
  const hot = positive(env, "AUDIT_HOT_EVENTS");
  if (!hot.ok) return hot;
  return ok({ segmentEvents: events.value, segmentAgeMs: seconds.value * 1000, hotAgeMs: days.value * 86_400_000, hotEvents: hot.value });
}

/** The events not yet in any segment. */
export interface Backlog {
  count: number;
  /** Time of the oldest of them, null when there are none. */
  oldestTime: number | null;
  /** Whether a sealed segment still waits for its put (a failed one, or one a restart cut short). */
  waiting?: boolean;
}

/**
 * How many of the oldest unsealed events form the next segment, or 0 for none yet: a full segment
 * once `segmentEvents` wait, otherwise all of them (up to the limit) once the oldest is due.
 */
export function sealCount(backlog: Backlog, config: ArchiveConfig, now: number): number {
  if (backlog.count >= config.segmentEvents) return config.segmentEvents;
  if (backlog.oldestTime !== null && backlog.count > 0 && now - backlog.oldestTime >= config.segmentAgeMs) return backlog.count;
  return 0;
}

/** When the backlog becomes a segment: now if it already is one, null when there is nothing. */
export function sealDueAt(backlog: Backlog, config: ArchiveConfig, now: number): number | null {
  if (backlog.count === 0 || backlog.oldestTime === null) return null;
  return sealCount(backlog, config, now) > 0 ? now : backlog.oldestTime + config.segmentAgeMs;
}

/** What retention may delete this run: events with seq ≤ `maxSeq` and (time < `before` or seq ≤ `beyondSeq`). */
export interface Trim {
  maxSeq: number;
  before: number;
  beyondSeq: number;
}

/**
 * Which events may leave the vault. `safeThrough` is the last seq of the longest run of segments,
 * from the first, that are all archived and checkpointed: nothing after it ever leaves. The head
 * event itself stays too, so the chain's tip is always a row as well as the stored head.
 */
export function trimPlan(safeThrough: number, headSeq: number, config: ArchiveConfig, now: number): Trim | null {
  const maxSeq = Math.min(safeThrough, headSeq - 1);
  if (maxSeq < 1) return null;
  return { maxSeq, before: now - config.hotAgeMs, beyondSeq: headSeq - config.hotEvents };
}

/**
 * When an append must set the alarm for the archive, kept in memory so appends neither read nor
 * set the alarm per event (architecture §9). After a restart the first append arms it for the
 * backlog's due time; reaching a full segment arms it for now; an alarm run says what it left.
 */
export class ArchiveSchedule {
  readonly #config: ArchiveConfig;
  readonly #readBacklog: () => Backlog;
  /** Events not yet sealed, as far as this instance knows; undefined until read once. */
  #unsealed: number | undefined;
  /** Whether an alarm is known to be set for the archive's next due time. */
  #armed = false;

  constructor(config: ArchiveConfig, readBacklog: () => Backlog) {
    this.#config = config;
    this.#readBacklog = readBacklog;
  }

  /** Called after each append (event time `time`): a time to set the alarm to, or null for none. */
  appended(time: number): number | null {
    if (this.#unsealed === undefined) {
      const backlog = this.#readBacklog();
      this.#unsealed = backlog.count;
      this.#armed = false;
      if (backlog.waiting === true || backlog.count >= this.#config.segmentEvents) return this.#arm(time);
      return this.#arm((backlog.oldestTime ?? time) + this.#config.segmentAgeMs);
    }
    this.#unsealed += 1;
    if (this.#unsealed === this.#config.segmentEvents) return this.#arm(time);
    return this.#armed ? null : this.#arm(time + this.#config.segmentAgeMs);
  }

  /** After an alarm run: what is still unsealed, and whether the alarm was set again for it. */
  ran(unsealed: number, armed: boolean): void {
    this.#unsealed = unsealed;
    this.#armed = armed;
  }

  /** Setting the alarm failed: the next append tries again. */
  disarm(): void {
    this.#armed = false;
  }

  #arm(at: number): number {
    this.#armed = true;
    return at;
  }
}
