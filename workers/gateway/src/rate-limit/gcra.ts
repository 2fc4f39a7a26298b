/**
 * Generic Cell Rate Algorithm (GCRA), the token bucket expressed as one timestamp: the theoretical
 * arrival time (TAT) of the next request. A request of `cost` units at `now` is allowed when the
 * bucket can absorb it: TAT' = max(TAT, now) + cost·T and TAT' − burst·T ≤ now, with
 * T = 1 / rate (the emission interval). Pure: the clock is an argument.
 */

export interface GcraLimits {
  /** Sustained rate, units per second (> 0). */
  ratePerSecond: number;
  /** Bucket size: units allowed at once from an idle state (≥ 1). */
  burst: number;
}

export interface GcraDecision {
  allowed: boolean;
  /** TAT to store (unchanged when denied). Milliseconds since the epoch. */
  tat: number;
  /** Whole units still available right after this decision. */
  remaining: number;
  /** Milliseconds until this request could be allowed (0 when allowed). */
  retryAfterMs: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
}

export function gcra(tat: number, now: number, cost: number, limits: GcraLimits): GcraDecision {
  if (!(limits.ratePerSecond > 0) || !(limits.burst >= 1)) throw new RangeError("gcra: rate must be > 0 and burst ≥ 1");
  if (!Number.isInteger(cost) || cost < 1) throw new RangeError("gcra: cost must be a positive integer");
  const interval = 1000 / limits.ratePerSecond;
  const capacity = limits.burst * interval;
  const start = Math.max(tat, now);
  const next = start + cost * interval;
  const allowAt = next - capacity;
  if (allowAt > now) {
    return {
      allowed: false,
      tat,
      remaining: remainingUnits(start, now, capacity, interval),
      retryAfterMs: Math.ceil(allowAt - now),
      resetMs: Math.ceil(start - now),
    };
  }
  return {
    allowed: true,
    tat: next,
    remaining: remainingUnits(next, now, capacity, interval),
    retryAfterMs: 0,
    resetMs: Math.ceil(next - now),
  };
}

function remainingUnits(tat: number, now: number, capacity: number, interval: number): number {
  // A small epsilon keeps float error in `interval` from eating a whole unit.
  return Math.max(0, Math.floor((now + capacity - tat) / interval + 1e-9));
}
