/**
 * Automatic rotation's schedule (rotation-period.ts, rotation-rules.ts): which periods are accepted,
 * how calendar months are counted in UTC, where a schedule moves after it fired (missed periods
 * skipped, not stacked), and what a rotation does to min_decryption_version.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addPeriod, DAY_MS, nextDueAfter, parseRotationPeriod, type RotationPeriod } from "../../../workers/shared/rotation-period.ts";
import { afterRotation, isDue, scheduleFrom } from "../../../workers/kms/src/vault/rotation-rules.ts";
import type { KeyRow } from "../../../workers/kms/src/vault/rows.ts";

const at = (iso: string) => Date.parse(iso);
const period = (text: string): RotationPeriod => {
  const parsed = parseRotationPeriod(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error.detail}`);
  return parsed.value;
};

describe("parseRotationPeriod", () => {
  it.each([
    ["P1D", { months: 0, fixedMs: DAY_MS }],
    ["PT24H", { months: 0, fixedMs: DAY_MS }],
    ["P30D", { months: 0, fixedMs: 30 * DAY_MS }],
    ["P2W", { months: 0, fixedMs: 14 * DAY_MS }],
    ["P6M", { months: 6, fixedMs: 0 }],
    ["P1Y", { months: 12, fixedMs: 0 }],
    ["P1Y2M10DT2H", { months: 14, fixedMs: 10 * DAY_MS + 2 * 3_600_000 }],
    ["PT1440M", { months: 0, fixedMs: DAY_MS }],
    ["P10Y", { months: 120, fixedMs: 0 }],
    ["P3652D", { months: 0, fixedMs: 3652 * DAY_MS }],
  ])("accepts %s", (text, expected) => {
    expect(parseRotationPeriod(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["PT23H", /at least one day/],
    ["PT86399S", /at least one day/],
    ["P0D", /at least one day/],
    ["P10Y1D", /at most ten years/],
    ["P3653D", /at most ten years/],
    ["P121M", /at most ten years/],
    ["P1W2D", /not an ISO 8601 duration/],
    ["P1Y1W", /not an ISO 8601 duration/],
    ["P", /not an ISO 8601 duration/],
    ["PT", /not an ISO 8601 duration/],
    ["P1DT", /not an ISO 8601 duration/],
    ["P1.5D", /not an ISO 8601 duration/],
    ["-P1D", /not an ISO 8601 duration/],
    ["p30d", /not an ISO 8601 duration/],
    ["30 days", /not an ISO 8601 duration/],
    ["", /not an ISO 8601 duration/],
  ])("refuses %s", (text, message) => {
    const parsed = parseRotationPeriod(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.error.code).toBe("invalid_request");
      expect(parsed.error.detail).toMatch(message);
    }
  });
});

describe("addPeriod: calendar months in UTC, then fixed time", () => {
  it.each([
    ["2026-03-15T10:00:00.000Z", "P1M", "2026-04-15T10:00:00.000Z"],
    ["2026-01-31T00:00:00.000Z", "P1M", "2026-02-28T00:00:00.000Z"],
    ["2028-01-31T00:00:00.000Z", "P1M", "2028-02-29T00:00:00.000Z"],
    ["2028-02-29T12:00:00.000Z", "P1Y", "2029-02-28T12:00:00.000Z"],
    ["2026-11-30T00:00:00.000Z", "P3M", "2027-02-28T00:00:00.000Z"],
    ["2026-01-01T00:00:00.000Z", "P1Y2M10DT2H", "2027-03-11T02:00:00.000Z"],
    ["2026-03-28T00:00:00.000Z", "PT24H", "2026-03-29T00:00:00.000Z"],
  ])("%s + %s = %s", (from, text, expected) => {
    expect(new Date(addPeriod(at(from), period(text))).toISOString()).toBe(expected);
  });

  it("counts k periods from the start, so a month end does not drift step by step", () => {
    expect(new Date(addPeriod(at("2026-01-31T00:00:00.000Z"), period("P1M"), 2)).toISOString()).toBe("2026-03-31T00:00:00.000Z");
  });
});

describe("nextDueAfter", () => {
  it("a due time still ahead stays", () => {
    expect(nextDueAfter(1_000, period("P1D"), 999)).toBe(1_000);
  });

  it("several missed periods give the next due time after now, on the same schedule", () => {
    const due = at("2026-01-10T00:00:00.000Z");
    expect(new Date(nextDueAfter(due, period("P1M"), at("2026-05-20T00:00:00.000Z"))).toISOString()).toBe("2026-06-10T00:00:00.000Z");
    expect(nextDueAfter(due, period("P1D"), due)).toBe(due + DAY_MS);
  });

  const periods = fc.oneof(
    fc.integer({ min: 1, max: 3652 }).map((d) => `P${d}D`),
    fc.integer({ min: 1, max: 120 }).map((m) => `P${m}M`),
    fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 11 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 23 }))
      .map(([y, m, d, h]) => `P${y}Y${m}M${d}DT${h}H`),
  );
  const instants = fc.integer({ min: at("2000-01-01T00:00:00.000Z"), max: at("2100-01-01T00:00:00.000Z") });

  it("is the first time on the schedule after now: later than now, and the one before is not", () => {
    fc.assert(
      fc.property(periods, instants, fc.integer({ min: 0, max: 5 * 365 * DAY_MS }), (text, due, behind) => {
        const p = period(text);
        const now = due + behind;
        const next = nextDueAfter(due, p, now);
        expect(next).toBeGreaterThan(now);
        const times = [...Array(1900).keys()].find((k) => k >= 1 && addPeriod(due, p, k) === next);
        expect(times).toBeDefined();
        if (times !== undefined && times > 1) expect(addPeriod(due, p, times - 1)).toBeLessThanOrEqual(now);
      }),
      { numRuns: 300 },
    );
  });
});

const KEY: KeyRow = {
  id: "0f8fad5b-d9cb-469f-a165-70867728950e", algorithm: "ML-DSA-65", purpose: "sign", name: null, description: null, labels: "{}",
  state: "enabled", origin: "generated", primary_version: 4, min_decryption_version: 2, deletion_window_days: 30, deletion_date: null,
  rotation_period: "P30D", next_rotation_at: 0, keep_decryption_versions: null, created_at: 0, updated_at: 0, revision: 1,
};
const NOW = 100 * DAY_MS + 5;

describe("afterRotation", () => {
  it("a scheduled rotation moves to the next due time after now, one period grid, no stacking", () => {
    expect(afterRotation(KEY, 5, "schedule", NOW).next_rotation_at).toBe(120 * DAY_MS);
  });

  it("a manual rotation restarts the schedule from now", () => {
    expect(afterRotation(KEY, 5, "manual", NOW).next_rotation_at).toBe(NOW + 30 * DAY_MS);
  });

  it("without a period there is no next time", () => {
    expect(afterRotation({ ...KEY, rotation_period: null, next_rotation_at: null }, 5, "manual", NOW).next_rotation_at).toBeNull();
  });

  it.each([
    [null, 5, 2],
    [1, 5, 4],
    [2, 5, 3],
    [3, 5, 2],
    [10, 5, 2],
  ])("keep_decryption_versions %s, new primary %i → min_decryption_version %i (never lowered)", (keep, primary, min) => {
    expect(afterRotation({ ...KEY, keep_decryption_versions: keep }, primary, "schedule", NOW).min_decryption_version).toBe(min);
  });

  it("refuses a stored period this vault would not have written", () => {
    expect(() => afterRotation({ ...KEY, rotation_period: "PT1H" }, 5, "manual", NOW)).toThrow(/rotation_period/);
  });
});

describe("isDue and scheduleFrom", () => {
  it("only an enabled key on a schedule whose time has come is due", () => {
    expect(isDue({ state: "enabled", next_rotation_at: NOW }, NOW)).toBe(true);
    expect(isDue({ state: "enabled", next_rotation_at: NOW + 1 }, NOW)).toBe(false);
    expect(isDue({ state: "disabled", next_rotation_at: 0 }, NOW)).toBe(false);
    expect(isDue({ state: "pending_deletion", next_rotation_at: 0 }, NOW)).toBe(false);
    expect(isDue({ state: "enabled", next_rotation_at: null }, NOW)).toBe(false);
  });

  it("sets the period from now, or removes the schedule", () => {
    expect(scheduleFrom("P1D", NOW)).toEqual({ rotation_period: "P1D", next_rotation_at: NOW + DAY_MS });
    expect(scheduleFrom(null, NOW)).toEqual({ rotation_period: null, next_rotation_at: null });
  });
});
