/**
 * When to try a call again, and how long to wait first: pure functions of the attempt, the answer
 * and the clock, so they are tested without waiting (transport.ts does the waiting).
 */

/** How the client retries (all optional; the defaults are in {@link DEFAULT_RETRY}). */
export interface RetryOptions {
  /** Attempts in all, the first included (default 4). 1 means never retry. */
  maxAttempts?: number;
  /** Give up once this many milliseconds have passed since the first attempt (default 20 000). */
  maxElapsedMs?: number;
  /** First backoff ceiling in milliseconds, doubled each attempt (default 100). */
  baseDelayMs?: number;
  /** Largest backoff ceiling in milliseconds (default 5 000). `Retry-After` is honoured beyond it. */
  maxDelayMs?: number;
}

/** The defaults: four attempts within 20 s, backoff ceilings 100, 200, 400 ms … up to 5 s. */
export const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 4, maxElapsedMs: 20_000, baseDelayMs: 100, maxDelayMs: 5_000 };

/** `retry: false` as options: one attempt. */
export const NO_RETRY: Required<RetryOptions> = { ...DEFAULT_RETRY, maxAttempts: 1 };

/**
 * RFC 9110 §10.2.3: `Retry-After` is delay-seconds or an HTTP-date. Returns the wait in seconds
 * (never negative), or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // Each of the three HTTP-date forms (IMF-fixdate, RFC 850, asctime) starts with a day name.
  const date = /^[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/**
 * "Full jitter" exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter",
 * 2015): a uniform wait between 0 and min(maxDelay, base · 2^(attempt−1)), so clients that failed
 * together do not retry together. `attempt` is the attempt that just failed, from 1.
 */
export function backoffMs(attempt: number, options: Required<RetryOptions>, random: () => number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * The wait before the next attempt, or undefined to give up: no attempts left, or the wait would
 * end past the total time allowed. `retryAfterSeconds` (the server's word) wins over the backoff.
 */
export function nextDelayMs(
  attempt: number,
  startedMs: number,
  nowMs: number,
  retryAfterSeconds: number | undefined,
  options: Required<RetryOptions>,
  random: () => number,
): number | undefined {
  if (attempt >= options.maxAttempts) return undefined;
  const delay = retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : backoffMs(attempt, options, random);
  if (nowMs + delay - startedMs > options.maxElapsedMs) return undefined;
  return delay;
}
