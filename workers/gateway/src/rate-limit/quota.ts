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
