/**
 * Reserving the monthly quota from storage in blocks (workers/gateway/src/rate-limit/quota.ts,
 * `topUp`): a write only when the spend passes what is reserved; blocks that start at one unit and
 * double while they are spent fast and shrink when slow; never past the limit; and, across restarts that forfeit the rest
 * of a block, never more units served than the limit. The clock is an argument throughout.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BLOCK_MAX_UNITS, blockCap, reserve, topUp, type QuotaReservation, type QuotaState } from "../../../workers/gateway/src/rate-limit/quota.ts";

const NOV_22 = Date.UTC(2026, 10, 22, 12);
const DEC_1 = Date.UTC(2026, 11, 1);
const NONE: QuotaReservation = { period: "", reserved: 0, block: 0, at: 0 };
const spent = (used: number, period = "2026-11"): QuotaState => ({ period, used });

describe("topUp", () => {
  // [case, reservation before, used after the spend, now, limit, reservation written (null: none)]
  const table: [string, QuotaReservation, number, number, number, QuotaReservation | null][] = [
    ["first request of a fresh limiter: exactly its cost", NONE, 1, NOV_22, 1_000_000, { period: "2026-11", reserved: 1, block: 1, at: NOV_22 }],
    ["a 2-unit first request reserves 2, not 1", NONE, 2, NOV_22, 1_000_000, { period: "2026-11", reserved: 2, block: 1, at: NOV_22 }],
    ["covered by the block: no write", { period: "2026-11", reserved: 8, block: 4, at: NOV_22 }, 7, NOV_22 + 5, 1_000_000, null],
    ["exactly used up is still covered", { period: "2026-11", reserved: 8, block: 4, at: NOV_22 }, 8, NOV_22 + 5, 1_000_000, null],
    ["a fast top-up doubles the block", { period: "2026-11", reserved: 8, block: 4, at: NOV_22 }, 9, NOV_22 + 999, 1_000_000, { period: "2026-11", reserved: 16, block: 8, at: NOV_22 + 999 }],
    ["a block that lasted a second or more keeps its size", { period: "2026-11", reserved: 8, block: 4, at: NOV_22 }, 9, NOV_22 + 1_000, 1_000_000, { period: "2026-11", reserved: 12, block: 4, at: NOV_22 + 1_000 }],
    ["a block that lasted 10 s or more starts again at one unit", { period: "2026-11", reserved: 8, block: 4, at: NOV_22 }, 9, NOV_22 + 10_000, 1_000_000, { period: "2026-11", reserved: 9, block: 1, at: NOV_22 + 10_000 }],
    ["the block stops growing at BLOCK_MAX_UNITS", { period: "2026-11", reserved: 5_000, block: BLOCK_MAX_UNITS, at: NOV_22 }, 5_001, NOV_22 + 1, 1_000_000, { period: "2026-11", reserved: 5_000 + BLOCK_MAX_UNITS, block: BLOCK_MAX_UNITS, at: NOV_22 + 1 }],
    ["and at 1 % of the limit", { period: "2026-11", reserved: 100, block: 64, at: NOV_22 }, 101, NOV_22 + 1, 10_000, { period: "2026-11", reserved: 200, block: 100, at: NOV_22 + 1 }],
    ["never past the limit", { period: "2026-11", reserved: 9_990, block: 64, at: NOV_22 }, 9_991, NOV_22 + 1, 10_000, { period: "2026-11", reserved: 10_000, block: 100, at: NOV_22 + 1 }],
    ["a small limit reserves one unit at a time", { period: "2026-11", reserved: 3, block: 1, at: NOV_22 }, 4, NOV_22 + 1, 10, { period: "2026-11", reserved: 4, block: 1, at: NOV_22 + 1 }],
    ["a new month starts from nothing", { period: "2026-11", reserved: 900, block: 512, at: DEC_1 - 1 }, 1, DEC_1, 1_000_000, { period: "2026-12", reserved: 1, block: 1, at: DEC_1 }],
  ];
  it.each(table)("%s", (_, before, used, now, limit, expected) => {
    const period = new Date(now).toISOString().slice(0, 7);
    expect(topUp(before, spent(used, period), now, limit)).toEqual(expected);
  });

  it("caps blocks at 1 % of the limit, at least one unit and at most BLOCK_MAX_UNITS", () => {
    expect([0, 10, 99, 100, 10_000, 5_000_000].map(blockCap)).toEqual([1, 1, 1, 1, 100, BLOCK_MAX_UNITS]);
  });
});

/**
 * The limiter's loop over requests, with restarts: memory starts again from what storage holds.
 * Returns the units served and the number of storage writes.
 */
function simulate(limit: number, steps: { cost: number; gapMs: number; restart: boolean }[]) {
  let stored: QuotaReservation = NONE;
  let quota: QuotaState = spent(0, "");
  let reservation = stored;
  let now = NOV_22;
  let served = 0;
  let writes = 0;
  for (const step of steps) {
    now += step.gapMs;
    if (step.restart) {
      quota = { period: stored.period, used: stored.reserved };
      reservation = { ...stored, block: 0, at: 0 };
    }
    const decision = reserve(quota, now, step.cost, limit);
    if (!decision.withinQuota) continue;
    const next = topUp(reservation, decision.state, now, limit);
    if (next !== null) {
      stored = next;
      reservation = next;
      writes++;
    }
    quota = decision.state;
    served += step.cost;
    // Checked on every step; a plain comparison keeps the many steps cheap.
    if (quota.used > reservation.reserved || reservation.reserved > limit) throw new Error(`spent ${quota.used}, reserved ${reservation.reserved}, limit ${limit}`);
  }
  return { served, writes, stored };
}

describe("blocks across restarts", () => {
  it("never serves more than the limit, and forfeits at most one block a restart", () => {
    const step = fc.record({ cost: fc.integer({ min: 1, max: 3 }), gapMs: fc.integer({ min: 0, max: 12_000 }), restart: fc.integer({ min: 0, max: 19 }).map((n) => n === 0) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_000 }), fc.array(step, { maxLength: 200 }), (limit, steps) => {
        const { served, stored } = simulate(limit, steps);
        expect(served).toBeLessThanOrEqual(limit);
        expect(stored.reserved).toBeLessThanOrEqual(limit);
        const restarts = steps.filter((s) => s.restart).length;
        expect(stored.reserved - served).toBeLessThanOrEqual((restarts + 1) * blockCap(limit));
      }),
    );
  });

  it("writes about once a block for a busy tenant, and once a request for a quiet one", () => {
    const busy = simulate(5_000_000, Array.from({ length: 5_000 }, () => ({ cost: 1, gapMs: 1, restart: false })));
    expect(busy.served).toBe(5_000);
    expect(busy.writes).toBeLessThan(20);
    const quiet = simulate(5_000_000, Array.from({ length: 20 }, () => ({ cost: 1, gapMs: 60_000, restart: true })));
    expect(quiet).toMatchObject({ served: 20, writes: 20, stored: { reserved: 20 } });
  });
});
