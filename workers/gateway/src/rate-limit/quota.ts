/**
 * Monthly operation quota (architecture §4 rule 4), metered per tenant per calendar month (UTC). Pure:
 * the clock is an argument. The RateLimiter DO owns the counter (it is already on every request's
 * path and serialises its calls), so reserving a unit is exact under any concurrency: of N
 * simultaneous requests with R units left, exactly R are within quota.
 *
 * A unit is reserved when a request passes the rate limiter, before the policy decides; a request
 * the policy then denies for another reason has still used its unit. Usage therefore counts
 * authenticated, rate-admitted requests.
 */

export interface QuotaState {
  /** Calendar month the count belongs to, `YYYY-MM` (UTC). */
  period: string;
  used: number;
}

export interface QuotaDecision {
  state: QuotaState;
  /** Whether this request is within the quota (its units were reserved). */
  withinQuota: boolean;
  used: number;
  limit: number;
  /** Start of the next period (ms): when the quota resets. */
  resetsAt: number;
}

export function periodOf(now: number): string {
  return new Date(now).toISOString().slice(0, 7);
}

export function nextPeriodStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export function reserve(state: QuotaState, now: number, cost: number, limit: number): QuotaDecision {
  const period = periodOf(now);
  const current = state.period === period ? state : { period, used: 0 };
  const withinQuota = current.used + cost <= limit;
  const next = withinQuota ? { period, used: current.used + cost } : current;
  return { state: next, withinQuota, used: next.used, limit, resetsAt: nextPeriodStart(now) };
}

/**
 * Units reserved from durable storage for a period. The limiter spends the quota in memory
 * (`reserve`) and writes storage only when the spend passes what is reserved, reserving a block
 * ahead with that one write. A restart loses the memory: the new limiter starts from `reserved`,
 * so the unspent rest of the last block is forfeited — counted as used, never handed out twice —
 * and the count can never pass the limit. Blocks start at one unit (a request that came alone
 * reserves exactly its cost, so a low-volume tenant forfeits nothing). A block spent within
 * BLOCK_GROW_WITHIN_MS doubles, one spent within BLOCK_KEEP_WITHIN_MS keeps its size, a slower one
 * starts again at one unit; never more than BLOCK_MAX_UNITS nor 1 % of the limit. A restart
 * forfeits at most one block, and a busy tenant writes about once a second or less.
 */
export interface QuotaReservation {
  period: string;
  /** Units reserved in storage for `period`: spent, or held for spending by this limiter. */
  reserved: number;
  /** Units the last top-up reserved ahead; 0 before any. */
  block: number;
  /** When the last top-up happened (ms); 0 before any. */
  at: number;
}

export const BLOCK_MAX_UNITS = 1_024;
export const BLOCK_GROW_WITHIN_MS = 1_000;
export const BLOCK_KEEP_WITHIN_MS = 10_000;

/** The largest block for a limit: at most 1 % of it, at least 1 unit. */
export function blockCap(limit: number): number {
  return Math.max(1, Math.min(BLOCK_MAX_UNITS, Math.floor(limit / 100)));
}

/**
 * The reservation to write before answering, given the quota state right after a spend within
 * quota; null when what is reserved already covers it (no write). Pure.
 */
export function topUp(reservation: QuotaReservation, spent: QuotaState, now: number, limit: number): QuotaReservation | null {
  const current = reservation.period === spent.period ? reservation : { period: spent.period, reserved: 0, block: 0, at: 0 };
  if (spent.used <= current.reserved) return null;
  const lasted = current.at > 0 ? now - current.at : Infinity;
  const wanted = lasted < BLOCK_GROW_WITHIN_MS ? current.block * 2 : lasted < BLOCK_KEEP_WITHIN_MS ? current.block : 1;
  const block = Math.min(blockCap(limit), Math.max(1, wanted));
  // Never reserve past the limit, nor less than what is already spent (a request may cost more than 1).
  const reserved = Math.max(spent.used, Math.min(limit, current.reserved + block));
  return { period: spent.period, reserved, block, at: now };
}
