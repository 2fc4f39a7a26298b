/**
 * Generic Cell Rate Algorithm (GCRA), the token bucket expressed as one timestamp: the theoretical
 * arrival time (TAT) of the next request. A request of `cost` units at `now` is allowed when the
 * bucket can absorb it: TAT' = max(TAT, now) + cost·T and TAT' − burst·T ≤ now, with
 * T = 1 / rate (the emission interval). Pure: the clock is an argument.
 *
 * Arithmetic is exact: times are whole microseconds and T is rounded *up* to a whole microsecond
 * (so the effective rate never exceeds the configured one). Every sum is then an integer below
 * 2^53 and no float rounding can move a decision at the edge of the burst, which repeated
 * additions of 1000/rate ms at epoch magnitude do (e.g. rate 272/s, burst 3 allowed only 2).
 * A request that costs more than the whole bucket is charged the whole bucket: it is allowed
 * only when the bucket is full, rather than never (with a Retry-After that would lie).
 */

export interface GcraLimits {
  /** Sustained rate, units per second (> 0; at most one unit per microsecond is honoured). */
  ratePerSecond: number;
  /** Bucket size: units allowed at once from an idle state (≥ 1). */
  burst: number;
}

export interface GcraDecision {
  allowed: boolean;
  /** TAT to store (unchanged when denied): whole microseconds since the epoch; 0 = idle. */
  tat: number;
  /** Whole units still available right after this decision. */
  remaining: number;
  /** Milliseconds until this request could be allowed (0 when allowed). */
  retryAfterMs: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
}

const US_PER_MS = 1_000;
const US_PER_SECOND = 1_000_000;

/**
 * @param tat  the stored TAT (µs), 0 for a limiter that has never allowed anything
 * @param now  the current time in milliseconds since the epoch (`Date.now()`)
 */
export function gcra(tat: number, now: number, cost: number, limits: GcraLimits): GcraDecision {
  if (!(limits.ratePerSecond > 0) || !(limits.burst >= 1)) throw new RangeError("gcra: rate must be > 0 and burst ≥ 1");
  if (!Number.isInteger(cost) || cost < 1) throw new RangeError("gcra: cost must be a positive integer");
  const burst = Math.floor(limits.burst);
  const interval = Math.max(1, Math.ceil(US_PER_SECOND / limits.ratePerSecond));
  const capacity = burst * interval;
  const nowUs = Math.round(now * US_PER_MS);
  const start = Math.max(tat, nowUs);
  const next = start + Math.min(cost, burst) * interval;
  const allowAt = next - capacity;
  if (allowAt > nowUs) {
    return {
      allowed: false,
      tat,
      remaining: remainingUnits(start, nowUs, capacity, interval),
      retryAfterMs: Math.ceil((allowAt - nowUs) / US_PER_MS),
      resetMs: Math.ceil((start - nowUs) / US_PER_MS),
    };
  }
  return {
    allowed: true,
    tat: next,
    remaining: remainingUnits(next, nowUs, capacity, interval),
    retryAfterMs: 0,
    resetMs: Math.ceil((next - nowUs) / US_PER_MS),
  };
}

/** Whole units of room left: ⌊(now + capacity − TAT) / T⌋, in exact integer arithmetic. */
function remainingUnits(tat: number, now: number, capacity: number, interval: number): number {
  const room = now + capacity - tat;
  if (room <= 0) return 0;
  return (room - (room % interval)) / interval;
}
