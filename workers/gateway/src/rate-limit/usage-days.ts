/**
 * Per-day operation counts within the monthly quota's period (architecture §4 rule 4), for the
 * usage chart. Pure: the clock is an argument. The RateLimiter DO keeps them in memory beside the
 * monthly count and stores them only in the quota's own reservation write (quota.ts, `topUp`), so
 * counting by day adds no write to any request.
 *
 * Invariant: the stored days of a period add up to the period's stored reservation. Each write
 * stores every day spent on since the last write with what it spent, and today with what it spent
 * plus the units the write reserved ahead. A limiter that restarts therefore counts the forfeited rest of a block on
 * the day it was reserved, and its days add up to the monthly count it reports.
 */

/** One UTC day and its operations (each weighs its rate-limit cost, as in the monthly count). */
export interface UsageDay {
  /** `YYYY-MM-DD`, UTC. */
  date: string;
  operations: number;
}

export function dayOf(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** The first day of a `YYYY-MM` period, for dropping older days at a month's rollover. */
export function firstDayOf(period: string): string {
  return `${period}-01`;
}

/**
 * The day rows a reservation write stores: today with its count plus `ahead` (units reserved but
 * not yet spent), and each other day `touched` since the last write (the day that held that
 * write's units ahead, and any day spent on since) with what it actually spent.
 */
export function dayRowsToStore(days: ReadonlyMap<string, number>, touched: Iterable<string>, today: string, ahead: number): [string, number][] {
  const rows: [string, number][] = [[today, (days.get(today) ?? 0) + ahead]];
  for (const day of new Set(touched)) if (day !== today && days.has(day)) rows.push([day, days.get(day)!]);
  return rows;
}

/** The period's days in date order. */
export function listDays(days: ReadonlyMap<string, number>): UsageDay[] {
  return [...days].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([date, operations]) => ({ date, operations }));
}
