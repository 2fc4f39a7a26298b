/**
 * GCRA (workers/gateway/src/rate-limit/gcra.ts) as properties over random limits and request
 * sequences. The clock is an argument, so every property runs over simulated time.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gcra, type GcraLimits } from "../../../workers/gateway/src/rate-limit/gcra.ts";

/** A realistic epoch (ms): float precision at this magnitude is what the Durable Object sees. */
const EPOCH = 1_790_000_000_000;

const limitsArb: fc.Arbitrary<GcraLimits> = fc.record({
  ratePerSecond: fc.integer({ min: 1, max: 1_000 }),
  burst: fc.integer({ min: 1, max: 200 }),
});

/** Requests as (gap since the previous one in ms, cost); costs never exceed the burst. */
function requestsArb(burst: number) {
  return fc.array(
    fc.record({
      gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 5_000 })),
      cost: fc.integer({ min: 1, max: Math.min(burst, 5) }),
    }),
    { minLength: 1, maxLength: 150 },
  );
}

interface Outcome {
  at: number;
  cost: number;
  allowed: boolean;
}

function simulate(limits: GcraLimits, requests: { gapMs: number; cost: number }[]): Outcome[] {
  let tat = 0;
  let now = EPOCH;
  const outcomes: Outcome[] = [];
  for (const { gapMs, cost } of requests) {
    now += gapMs;
    const decision = gcra(tat, now, cost, limits);
    tat = decision.tat;
    outcomes.push({ at: now, cost, allowed: decision.allowed });
  }
  return outcomes;
}

const scenarioArb = limitsArb.chain((limits) => fc.tuple(fc.constant(limits), requestsArb(limits.burst)));

describe("GCRA", () => {
  it("never allows more than burst + elapsed·rate units in any window", () => {
    fc.assert(
      fc.property(scenarioArb, ([limits, requests]) => {
        const allowed = simulate(limits, requests).filter((o) => o.allowed);
        for (let i = 0; i < allowed.length; i++) {
          let units = 0;
          for (let j = i; j < allowed.length; j++) {
            const last = allowed[j] as Outcome;
            units += last.cost;
            const elapsedSeconds = (last.at - (allowed[i] as Outcome).at) / 1000;
            expect(units).toBeLessThanOrEqual(limits.burst + elapsedSeconds * limits.ratePerSecond + 1e-6);
          }
        }
      }),
    );
  });

  it("allows a full burst at one instant from idle, and not one unit more", () => {
    fc.assert(
      fc.property(limitsArb, fc.integer({ min: 0, max: 10_000_000 }), (limits, offset) => {
        const now = EPOCH + offset;
        let tat = 0;
        for (let i = 0; i < limits.burst; i++) {
          const decision = gcra(tat, now, 1, limits);
          expect(decision.allowed, `unit ${i + 1} of ${limits.burst}`).toBe(true);
          expect(decision.remaining).toBe(limits.burst - i - 1);
          tat = decision.tat;
        }
        expect(gcra(tat, now, 1, limits).allowed).toBe(false);
      }),
    );
  });

  it("leaves the state unchanged when it denies", () => {
    fc.assert(
      fc.property(scenarioArb, ([limits, requests]) => {
        let tat = 0;
        let now = EPOCH;
        for (const { gapMs, cost } of requests) {
          now += gapMs;
          const decision = gcra(tat, now, cost, limits);
          if (!decision.allowed) {
            expect(decision.tat).toBe(tat);
            expect(decision.retryAfterMs).toBeGreaterThan(0);
          } else {
            expect(decision.retryAfterMs).toBe(0);
          }
          tat = decision.tat;
        }
      }),
    );
  });

  it("gives an exact retry-after: allowed at now + retryAfter, denied one millisecond before", () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer({ min: 1, max: 5 }), ([limits, requests], probeCost) => {
        const cost = Math.min(probeCost, limits.burst);
        let tat = 0;
        let now = EPOCH;
        for (const request of requests) {
          now += request.gapMs;
          tat = gcra(tat, now, request.cost, limits).tat;
        }
        const denied = gcra(tat, now, cost, limits);
        if (denied.allowed) return;
        const retryAt = now + denied.retryAfterMs;
        expect(gcra(tat, retryAt, cost, limits).allowed).toBe(true);
        expect(gcra(tat, retryAt - 1, cost, limits).allowed).toBe(false);
      }),
    );
  });

  it("reports remaining units that are exactly what the next requests at that instant get", () => {
    fc.assert(
      fc.property(scenarioArb, ([limits, requests]) => {
        let tat = 0;
        let now = EPOCH;
        let last = gcra(tat, now, 1, limits);
        for (const { gapMs, cost } of requests) {
          now += gapMs;
          last = gcra(tat, now, cost, limits);
          tat = last.tat;
        }
        expect(last.remaining).toBeGreaterThanOrEqual(0);
        expect(last.remaining).toBeLessThanOrEqual(limits.burst);
        for (let i = 0; i < last.remaining; i++) {
          const next = gcra(tat, now, 1, limits);
          expect(next.allowed, `unit ${i + 1} of ${last.remaining} remaining`).toBe(true);
          tat = next.tat;
        }
        expect(gcra(tat, now, 1, limits).allowed).toBe(false);
      }),
    );
  });

  it("weights by cost: a cost-n request uses what n cost-1 requests would", () => {
    fc.assert(
      fc.property(limitsArb, fc.integer({ min: 1, max: 50 }), (limits, rawCost) => {
        const cost = Math.min(rawCost, limits.burst);
        const heavy = gcra(0, EPOCH, cost, limits);
        let tat = 0;
        let light = heavy;
        for (let i = 0; i < cost; i++) {
          light = gcra(tat, EPOCH, 1, limits);
          tat = light.tat;
        }
        expect(heavy.allowed).toBe(true);
        expect(heavy.remaining).toBe(limits.burst - cost);
        expect(heavy.remaining).toBe(light.remaining);
        // A request that costs more than what remains is denied even though a cheaper one passes.
        if (heavy.remaining < limits.burst - 1) {
          expect(gcra(heavy.tat, EPOCH, heavy.remaining + 1, limits).allowed).toBe(false);
          if (heavy.remaining > 0) expect(gcra(heavy.tat, EPOCH, heavy.remaining, limits).allowed).toBe(true);
        }
      }),
    );
  });

  it("charges a request that costs more than the bucket the whole bucket: allowed only when full", () => {
    fc.assert(
      fc.property(limitsArb, fc.integer({ min: 1, max: 50 }), (limits, extra) => {
        const cost = limits.burst + extra;
        const first = gcra(0, EPOCH, cost, limits);
        expect(first).toMatchObject({ allowed: true, remaining: 0 });
        const second = gcra(first.tat, EPOCH, cost, limits);
        expect(second.allowed).toBe(false);
        expect(gcra(first.tat, EPOCH + second.retryAfterMs, cost, limits).allowed).toBe(true);
      }),
    );
  });

  it("never lets the effective rate exceed the configured one, even when 1/rate is not a whole microsecond", () => {
    const limits = { ratePerSecond: 3, burst: 1 };
    let tat = 0;
    let allowed = 0;
    for (let ms = 0; ms <= 10_000; ms++) {
      const decision = gcra(tat, EPOCH + ms, 1, limits);
      if (decision.allowed) allowed++;
      tat = decision.tat;
    }
    // 1 at t = 0, then one every 333.334 ms: t = 0 … 9667 ms holds 30 of them, not 31.
    expect(allowed).toBe(30);
  });

  it("refills at the configured rate after a burst", () => {
    const limits = { ratePerSecond: 4, burst: 8 };
    let tat = 0;
    for (let i = 0; i < 8; i++) tat = gcra(tat, EPOCH, 1, limits).tat;
    expect(gcra(tat, EPOCH, 1, limits)).toMatchObject({ allowed: false, retryAfterMs: 250, resetMs: 2_000 });
    expect(gcra(tat, EPOCH + 250, 1, limits)).toMatchObject({ allowed: true, remaining: 0 });
    expect(gcra(tat, EPOCH + 1_000, 1, limits)).toMatchObject({ allowed: true, remaining: 3 });
    expect(gcra(tat, EPOCH + 60_000, 1, limits)).toMatchObject({ allowed: true, remaining: 7 });
  });

  it("refuses limits and costs it cannot honour", () => {
    expect(() => gcra(0, EPOCH, 1, { ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => gcra(0, EPOCH, 1, { ratePerSecond: 1, burst: 0 })).toThrow(RangeError);
    expect(() => gcra(0, EPOCH, 0, { ratePerSecond: 1, burst: 1 })).toThrow(RangeError);
    expect(() => gcra(0, EPOCH, 1.5, { ratePerSecond: 1, burst: 1 })).toThrow(RangeError);
  });
});
