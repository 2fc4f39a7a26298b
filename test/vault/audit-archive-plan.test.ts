/**
 * The audit archive's pure decisions (archive-plan.ts): the AUDIT_* vars, when a segment is sealed,
 * what retention may delete, and when appends set the alarm (never per event).
 */
import { describe, expect, it } from "vitest";
import { archiveConfig, ArchiveSchedule, sealCount, sealDueAt, trimPlan, type ArchiveConfig, type Backlog } from "../../workers/kms/src/vault/archive-plan.ts";

const config: ArchiveConfig = { segmentEvents: 10, segmentAgeMs: 60_000, hotAgeMs: 86_400_000, hotEvents: 100 };

describe("the AUDIT_* vars", () => {
  it("default when absent and refuse anything but an integer in range, naming the var", () => {
    expect(archiveConfig({})).toEqual({ ok: true, value: { segmentEvents: 2000, segmentAgeMs: 3_600_000, hotAgeMs: 30 * 86_400_000, hotEvents: 1_000_000 } });
    for (const bad of ["0", "-1", "1.5", "", " 3", "1e3", "20001"]) {
      expect(archiveConfig({ AUDIT_SEGMENT_EVENTS: bad })).toEqual({ ok: false, error: { code: "misconfigured", detail: "AUDIT_SEGMENT_EVENTS must be an integer from 1 to 20000" } });
    }
    expect(archiveConfig({ AUDIT_HOT_EVENTS: 5 })).toMatchObject({ ok: false, error: { detail: expect.stringMatching(/^AUDIT_HOT_EVENTS/) } });
  });
});

describe("sealing", () => {
  it("seals a full segment, or everything waiting once the oldest is due", () => {
    expect(sealCount({ count: 25, oldestTime: 0 }, config, 1)).toBe(10);
    expect(sealCount({ count: 4, oldestTime: 0 }, config, 59_999)).toBe(0);
    expect(sealCount({ count: 4, oldestTime: 0 }, config, 60_000)).toBe(4);
    expect(sealCount({ count: 0, oldestTime: null }, config, 1e12)).toBe(0);
    expect(sealDueAt({ count: 4, oldestTime: 1000 }, config, 2000)).toBe(61_000);
    expect(sealDueAt({ count: 10, oldestTime: 1000 }, config, 2000)).toBe(2000);
    expect(sealDueAt({ count: 0, oldestTime: null }, config, 2000)).toBeNull();
  });
});

describe("retention", () => {
  it("never reaches past what is safe in R2, nor the head event", () => {
    expect(trimPlan(0, 500, config, 1e9)).toBeNull();
    expect(trimPlan(300, 500, config, 1e9)).toEqual({ maxSeq: 300, before: 1e9 - 86_400_000, beyondSeq: 400 });
    expect(trimPlan(500, 500, config, 1e9)).toMatchObject({ maxSeq: 499 });
    expect(trimPlan(1, 1, config, 1e9)).toBeNull();
  });
});

describe("the archive's schedule", () => {
  const schedule = (backlog: Backlog) => {
    let reads = 0;
    const s = new ArchiveSchedule(config, () => {
      reads += 1;
      return backlog;
    });
    return { s, reads: () => reads };
  };

  it("sets the alarm after the first append and when a segment fills, not for each event", () => {
    const { s, reads } = schedule({ count: 3, oldestTime: 500 });
    expect(s.appended(1000)).toBe(60_500);
    const kicks = Array.from({ length: 20 }, (_, i) => s.appended(2000 + i));
    // Events 4…10 of the backlog: the tenth fills the segment (the 7th append here), once.
    expect(kicks.filter((k) => k !== null)).toEqual([2006]);
    expect(reads()).toBe(1);
    s.ran(2, true);
    expect(Array.from({ length: 7 }, (_, i) => s.appended(3000 + i))).toEqual([null, null, null, null, null, null, null]);
    expect(s.appended(4000)).toBe(4000);
    s.ran(0, false);
    expect(s.appended(5000)).toBe(65_000);
    expect(s.appended(5001)).toBeNull();
    s.disarm();
    expect(s.appended(5002)).toBe(65_002);
  });

  it("after a start with a segment still waiting for its put, or a full backlog, arms for now", () => {
    expect(schedule({ count: 0, oldestTime: null, waiting: true }).s.appended(7)).toBe(7);
    expect(schedule({ count: 12, oldestTime: 0 }).s.appended(8)).toBe(8);
  });
});
