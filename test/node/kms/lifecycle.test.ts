/**
 * Key lifecycle transitions (architecture §5, §8) as a table: every state × every action, the state it
 * leads to or the refusal, in the one Result shape.
 */
import { describe, expect, it } from "vitest";
import { DELETION_WINDOW_DAYS, KEY_STATES, type KeyState } from "../../../workers/shared/key-states.ts";
import { DAY_MS, deletionDate, transition, unusableReason, type LifecycleAction } from "../../../workers/kms/src/vault/lifecycle.ts";

const PENDING = "The key is pending deletion; cancel the deletion first";
const AWAITS_IMPORT = "The key has no material yet: import it first (POST /v1/keys/{key}/import)";
const DESTROYED = { ok: false, error: { code: "conflict", detail: "The key is destroyed" } };

const TABLE: [KeyState, LifecycleAction, unknown][] = [
  ["enabled", "disable", { ok: true, value: "disabled" }],
  ["enabled", "enable", { ok: true, value: "enabled" }],
  ["enabled", "schedule_deletion", { ok: true, value: "pending_deletion" }],
  ["enabled", "cancel_deletion", { ok: false, error: { code: "conflict", detail: "The key is not pending deletion" } }],
  ["enabled", "rotate", { ok: true, value: "enabled" }],
  ["disabled", "disable", { ok: true, value: "disabled" }],
  ["disabled", "enable", { ok: true, value: "enabled" }],
  ["disabled", "schedule_deletion", { ok: true, value: "pending_deletion" }],
  ["disabled", "cancel_deletion", { ok: false, error: { code: "conflict", detail: "The key is not pending deletion" } }],
  ["disabled", "rotate", { ok: false, error: { code: "key_disabled", detail: "Only an enabled key can be rotated" } }],
  ["pending_deletion", "disable", { ok: false, error: { code: "conflict", detail: PENDING } }],
  ["pending_deletion", "enable", { ok: false, error: { code: "conflict", detail: PENDING } }],
  ["pending_deletion", "schedule_deletion", { ok: false, error: { code: "conflict", detail: "The key is already pending deletion" } }],
  // As in AWS KMS, a cancelled deletion leaves the key disabled.
  ["pending_deletion", "cancel_deletion", { ok: true, value: "disabled" }],
  ["pending_deletion", "rotate", { ok: false, error: { code: "key_disabled", detail: "Only an enabled key can be rotated" } }],
  ["destroyed", "disable", DESTROYED],
  ["destroyed", "enable", DESTROYED],
  ["destroyed", "schedule_deletion", DESTROYED],
  ["destroyed", "cancel_deletion", DESTROYED],
  ["destroyed", "rotate", DESTROYED],
  ["pending_import", "disable", { ok: false, error: { code: "conflict", detail: AWAITS_IMPORT } }],
  ["pending_import", "enable", { ok: false, error: { code: "conflict", detail: AWAITS_IMPORT } }],
  ["pending_import", "schedule_deletion", { ok: true, value: "pending_deletion" }],
  ["pending_import", "cancel_deletion", { ok: false, error: { code: "conflict", detail: "The key is not pending deletion" } }],
  ["pending_import", "rotate", { ok: false, error: { code: "key_disabled", detail: "Only an enabled key can be rotated" } }],
];

describe("transition", () => {
  it("the table covers every state and action", () => {
    expect(TABLE).toHaveLength(KEY_STATES.length * 5);
  });

  it.each(TABLE)("%s + %s", (state, action, expected) => {
    expect(transition(state, action)).toEqual(expected);
  });

  it("a key with no material yet (created for import) goes back to pending_import when its deletion is cancelled", () => {
    expect(transition("pending_deletion", "cancel_deletion", false)).toEqual({ ok: true, value: "pending_import" });
  });
});

describe("unusableReason", () => {
  it.each([
    ["enabled", null],
    ["disabled", "The key is disabled"],
    ["pending_deletion", "The key is pending deletion"],
    ["destroyed", "The key is destroyed"],
    ["pending_import", AWAITS_IMPORT],
  ] as const)("%s → %s", (state, reason) => {
    expect(unusableReason(state)).toBe(reason);
  });
});

describe("deletionDate", () => {
  const now = 1_700_000_000_000;

  it.each([DELETION_WINDOW_DAYS.min, 12, DELETION_WINDOW_DAYS.max])("%i days from now", (days) => {
    expect(deletionDate(now, days)).toBe(now + days * DAY_MS);
  });

  it.each([DELETION_WINDOW_DAYS.min - 1, DELETION_WINDOW_DAYS.max + 1, 7.5, Number.NaN])("refuses a window of %s days", (days) => {
    expect(() => deletionDate(now, days)).toThrow(RangeError);
  });

  it("the default window is within the bounds", () => {
    expect(DELETION_WINDOW_DAYS.default).toBeGreaterThanOrEqual(DELETION_WINDOW_DAYS.min);
    expect(DELETION_WINDOW_DAYS.default).toBeLessThanOrEqual(DELETION_WINDOW_DAYS.max);
  });
});
