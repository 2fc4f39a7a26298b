/**
 * Automatic rotation's schedule (architecture §5): parsing a key's `rotation_period` (an ISO 8601
 * duration) and computing when it is next due. Pure: the clock is passed in, so the gateway (input
 * checks) and the vault (the alarm) share one definition and tests cross due times without waiting.
 *
 * How a period is counted: years and months are calendar months in UTC (P1M from 15 March is
 * 15 April; a day past the target month's end is clamped to its last day, so P1M from 31 January is
 * 28 or 29 February), then days, hours, minutes and seconds as fixed lengths (a day is 24 hours: UTC
 * has no daylight saving). Its length for the 1-day to 10-year range is nominal: a month counts as
 * 1/12 of the Gregorian mean year (365.2425 days), so P10Y, P120M and P3652D are accepted and
 * P3653D is not.
 */
import { fail, ok, type Result } from "./errors.ts";

export const DAY_MS = 86_400_000;
/** The Gregorian mean year (365.2425 days) and its twelfth, in ms: a period's nominal length. */
const YEAR_MS = 31_556_952_000;
const MONTH_MS = YEAR_MS / 12;
export const MIN_PERIOD_MS = DAY_MS;
export const MAX_PERIOD_MS = 10 * YEAR_MS;
/** `keep_decryption_versions`: how many versions behind the primary may stay decryptable. */
export const KEEP_DECRYPTION_VERSIONS = { min: 1, max: 100 } as const;

/** A parsed period: whole calendar months, then a fixed number of milliseconds. */
export interface RotationPeriod {
  months: number;
  fixedMs: number;
}

/**
 * `PnYnMnDTnHnMnS` (any subset, at least one part, whole numbers) or `PnW` alone. Weeks mixed with
 * other parts are not ISO 8601's basic form and are refused, as are fractions and signs.
 */
const DURATION = /^P(?:(\d{1,6})Y)?(?:(\d{1,6})M)?(?:(\d{1,6})D)?(?:T(?:(\d{1,7})H)?(?:(\d{1,9})M)?(?:(\d{1,11})S)?)?$/;
const WEEKS = /^P(\d{1,4})W$/;

/** Parses and range-checks a period. A refusal's message says why; the caller prefixes the field's name. */
export function parseRotationPeriod(text: string): Result<RotationPeriod> {
  const weeks = WEEKS.exec(text);
  const period = weeks ? { months: 0, fixedMs: Number(weeks[1]) * 7 * DAY_MS } : fromParts(DURATION.exec(text));
  if (period === null) {
    return fail("invalid_request", "not an ISO 8601 duration of whole units (e.g. P30D, P6M, P1Y, PT24H, P1Y2M10DT2H; weeks only alone, as PnW)");
  }
  const nominal = period.months * MONTH_MS + period.fixedMs;
  if (nominal < MIN_PERIOD_MS) return fail("invalid_request", "must be at least one day (P1D or PT24H)");
  if (nominal > MAX_PERIOD_MS) return fail("invalid_request", "must be at most ten years (P10Y)");
  return ok(period);
}

function fromParts(match: RegExpExecArray | null): RotationPeriod | null {
  // "P" and "PT" alone match the pattern with no part at all: not a duration.
  if (match === null || match.slice(1).every((part) => part === undefined) || match[0].endsWith("T")) return null;
  const n = (i: number) => Number(match[i] ?? 0);
  return { months: n(1) * 12 + n(2), fixedMs: n(3) * DAY_MS + n(4) * 3_600_000 + n(5) * 60_000 + n(6) * 1_000 };
}

/** `from` plus `months` calendar months in UTC, the day clamped to the target month's last day. */
function addMonths(from: number, months: number): number {
  const date = new Date(from);
  const target = new Date(from);
  target.setUTCDate(1);
  target.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return target.getTime();
}

/** `from` plus `times` periods, counted from `from` (so month ends do not drift step by step). */
export function addPeriod(from: number, period: RotationPeriod, times = 1): number {
  return addMonths(from, period.months * times) + period.fixedMs * times;
}

/**
 * The first due time on the schedule `due, due + period, due + 2·period, …` that is after `now`:
 * where a schedule moves after it fired at `now`. Periods missed while nothing ran are skipped, not
 * stacked: one rotation, then the next due time after now.
 */
export function nextDueAfter(due: number, period: RotationPeriod, now: number): number {
  if (due > now) return due;
  const nominal = period.months * MONTH_MS + period.fixedMs;
  // Start near the answer (a calendar month is within a few days of its nominal length), then step
  // to the smallest count whose time is after now: the times grow with the count.
  let times = Math.max(1, Math.floor((now - due) / nominal) - 1);
  while (times > 1 && addPeriod(due, period, times - 1) > now) times--;
  while (addPeriod(due, period, times) <= now) times++;
  return addPeriod(due, period, times);
}
