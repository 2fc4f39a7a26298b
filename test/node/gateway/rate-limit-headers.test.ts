/**
 * Rate-limit headers (workers/gateway/src/rate-limit/headers.ts, draft-ietf-httpapi-ratelimit-headers):
 * what a client reads from a limiter's decision, rounded the way it must act on it.
 */
import { describe, expect, it } from "vitest";
import type { GcraDecision } from "../../../workers/gateway/src/rate-limit/gcra.ts";
import { rateLimitHeaders } from "../../../workers/gateway/src/rate-limit/headers.ts";

const decision = (d: Partial<GcraDecision>): GcraDecision => ({ allowed: true, tat: 0, remaining: 0, retryAfterMs: 0, resetMs: 0, ...d });

describe("rateLimitHeaders", () => {
  it.each([
    // limits, decision, expected
    [{ ratePerSecond: 1, burst: 10 }, decision({ remaining: 9, resetMs: 1_000 }), { "RateLimit-Policy": '"tenant";q=10;w=10', RateLimit: '"tenant";r=9;t=1' }],
    [{ ratePerSecond: 10, burst: 20 }, decision({ remaining: 20, resetMs: 0 }), { "RateLimit-Policy": '"tenant";q=20;w=2', RateLimit: '"tenant";r=20;t=0' }],
    [{ ratePerSecond: 3, burst: 10 }, decision({ remaining: 5, resetMs: 1_001 }), { "RateLimit-Policy": '"tenant";q=10;w=4', RateLimit: '"tenant";r=5;t=2' }],
    [{ ratePerSecond: 100, burst: 1 }, decision({ remaining: 0, resetMs: 10 }), { "RateLimit-Policy": '"tenant";q=1;w=1', RateLimit: '"tenant";r=0;t=1' }],
  ])("allowed: %j, %j", (limits, d, expected) => {
    expect(rateLimitHeaders(limits, d)).toEqual(expected);
  });

  it.each([
    [1, "1"],
    [999, "1"],
    [1_000, "1"],
    [1_001, "2"],
    [0, "1"],
    [59_500, "60"],
  ])("refused with retryAfterMs=%d: Retry-After %s (whole seconds, at least 1)", (retryAfterMs, retryAfter) => {
    const headers = rateLimitHeaders({ ratePerSecond: 1, burst: 1 }, decision({ allowed: false, retryAfterMs, resetMs: 1_000 }));
    expect(headers["Retry-After"]).toBe(retryAfter);
    expect(headers["RateLimit-Policy"]).toBe('"tenant";q=1;w=1');
  });

  it("sends no Retry-After on an allowed request", () => {
    expect(rateLimitHeaders({ ratePerSecond: 1, burst: 1 }, decision({ retryAfterMs: 5_000 }))).not.toHaveProperty("Retry-After");
  });
});
