/**
 * The retry schedule as pure functions (no waiting): Retry-After in both of RFC 9110's forms,
 * full-jitter backoff bounds, and giving up on attempts and on total time.
 */
import { describe, expect, it } from "vitest";
import { backoffMs, DEFAULT_RETRY, nextDelayMs, parseRetryAfter } from "../src/client/retry.ts";

const NOW = Date.parse("2026-12-02T10:00:00Z");

describe("parseRetryAfter (RFC 9110 §10.2.3)", () => {
  it("reads delay-seconds and HTTP-dates", () => {
    expect(parseRetryAfter("3", NOW)).toBe(3);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(0);
    expect(parseRetryAfter("Wed, 02 Dec 2026 10:00:05 GMT", NOW)).toBe(5);
    expect(parseRetryAfter("Wed, 02 Dec 2026 09:59:00 GMT", NOW)).toBe(0);
  });

  it("ignores what is absent or unreadable", () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
    expect(parseRetryAfter("-1", NOW)).toBeUndefined();
  });
});

describe("backoff", () => {
  it("draws from 0 up to a ceiling that doubles and is capped", () => {
    const options = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffMs(attempt, options, () => 0.999999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffMs(3, options, () => 0)).toBe(0);
  });

  it("Retry-After wins over the backoff, even above its cap", () => {
    expect(nextDelayMs(1, NOW, NOW, 7, { ...DEFAULT_RETRY, maxDelayMs: 1_000 }, () => 0.5)).toBe(7_000);
  });

  it("gives up when the attempts are spent or the wait would pass the total time", () => {
    const options = { ...DEFAULT_RETRY, maxAttempts: 3, maxElapsedMs: 10_000 };
    expect(nextDelayMs(2, NOW, NOW, undefined, options, () => 0.5)).toBeTypeOf("number");
    expect(nextDelayMs(3, NOW, NOW, undefined, options, () => 0.5)).toBeUndefined();
    expect(nextDelayMs(1, NOW, NOW + 5_000, 6, options, () => 0.5)).toBeUndefined();
    expect(nextDelayMs(1, NOW, NOW + 5_000, 5, options, () => 0.5)).toBe(5_000);
  });
});
