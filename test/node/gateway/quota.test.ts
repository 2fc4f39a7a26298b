/**
 * The monthly quota (workers/gateway/src/rate-limit/quota.ts, architecture §4 rule 4): units are reserved
 * exactly up to the limit, never partly, and the count starts again at 00:00 UTC on the first of
 * each month — including from December into January. The clock is an argument throughout.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nextPeriodStart, periodOf, reserve, type QuotaState } from "../../../workers/gateway/src/rate-limit/quota.ts";

const NOV_22 = Date.UTC(2026, 10, 22, 12);
const DEC_1 = Date.UTC(2026, 11, 1);
const JAN_1 = Date.UTC(2027, 0, 1);
const FRESH: QuotaState = { period: "", used: 0 };

describe("reserve at the limit", () => {
  it("reserves up to exactly the limit, then refuses without charging", () => {
    const first = reserve({ period: "2026-11", used: 9 }, NOV_22, 1, 10);
    expect(first).toEqual({ state: { period: "2026-11", used: 10 }, withinQuota: true, used: 10, limit: 10, resetsAt: DEC_1 });
    const second = reserve(first.state, NOV_22, 1, 10);
    expect(second).toEqual({ state: { period: "2026-11", used: 10 }, withinQuota: false, used: 10, limit: 10, resetsAt: DEC_1 });
  });

  it("never reserves part of a request: a cost of 2 with 1 unit left is refused, and the unit stays free", () => {
    const refused = reserve({ period: "2026-11", used: 9 }, NOV_22, 2, 10);
    expect(refused).toMatchObject({ withinQuota: false, used: 9, state: { used: 9 } });
    expect(reserve(refused.state, NOV_22, 1, 10)).toMatchObject({ withinQuota: true, used: 10 });
    expect(reserve({ period: "2026-11", used: 8 }, NOV_22, 2, 10)).toMatchObject({ withinQuota: true, used: 10 });
  });

  it("refuses everything when the limit is 0, and starts a never-used counter at 0", () => {
    expect(reserve(FRESH, NOV_22, 1, 0)).toMatchObject({ withinQuota: false, used: 0, state: { period: "2026-11", used: 0 } });
    expect(reserve(FRESH, NOV_22, 3, 10)).toMatchObject({ withinQuota: true, used: 3, state: { period: "2026-11", used: 3 } });
  });

  it("over any sequence of requests in a month, reserves each one exactly when it still fits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.array(fc.integer({ min: 1, max: 6 }), { maxLength: 60 }), (limit, costs) => {
        let state = FRESH;
        let expected = 0;
        for (const cost of costs) {
          const decision = reserve(state, NOV_22, cost, limit);
          expect(decision.withinQuota).toBe(expected + cost <= limit);
          if (decision.withinQuota) expected += cost;
          expect(decision.used).toBe(expected);
          state = decision.state;
        }
        expect(state.used).toBeLessThanOrEqual(limit);
      }),
    );
  });
});

describe("the month boundary", () => {
  it("starts again at 00:00 UTC on the 1st, not a millisecond before", () => {
    const full: QuotaState = { period: "2026-11", used: 10 };
    expect(reserve(full, DEC_1 - 1, 1, 10)).toMatchObject({ withinQuota: false, used: 10, resetsAt: DEC_1 });
    expect(reserve(full, DEC_1, 1, 10)).toEqual({ state: { period: "2026-12", used: 1 }, withinQuota: true, used: 1, limit: 10, resetsAt: JAN_1 });
  });

  it("rolls over from December into January of the next year", () => {
    const december: QuotaState = { period: "2026-12", used: 10 };
    expect(reserve(december, JAN_1 - 1, 1, 10)).toMatchObject({ withinQuota: false, resetsAt: JAN_1 });
    expect(reserve(december, JAN_1, 1, 10)).toMatchObject({ withinQuota: true, used: 1, state: { period: "2027-01" } });
    expect(nextPeriodStart(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toBe(JAN_1);
    expect(periodOf(JAN_1)).toBe("2027-01");
  });

  it("does not carry an old month's count into a later month, however long the gap", () => {
    expect(reserve({ period: "2025-02", used: 10 }, NOV_22, 1, 10)).toMatchObject({ withinQuota: true, used: 1, state: { period: "2026-11" } });
  });

  it("names the month in UTC, whatever the local zone would say", () => {
    expect(periodOf(Date.UTC(2026, 1, 28, 23, 30))).toBe("2026-02");
    expect(periodOf(Date.UTC(2028, 1, 29, 12))).toBe("2028-02");
    expect(nextPeriodStart(Date.UTC(2028, 1, 29, 12))).toBe(Date.UTC(2028, 2, 1));
  });

  it("resets at the first instant of the next month, for any instant", () => {
    const instant = fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 10, 30) });
    fc.assert(
      fc.property(instant, (now) => {
        const next = nextPeriodStart(now);
        expect(next).toBeGreaterThan(now);
        expect(periodOf(next - 1)).toBe(periodOf(now));
        expect(periodOf(next)).not.toBe(periodOf(now));
        expect(new Date(next).getUTCDate()).toBe(1);
        expect(next % 86_400_000).toBe(0);
      }),
    );
  });
});
