/**
 * Per-version transitions (architecture §5) as a table: every version state × every action, for a
 * version that is not the primary, then the primary's refusals; and the last-use throttle (at
 * most one write a minute per version), with the clock passed in.
 */
import { describe, expect, it } from "vitest";
import type { VersionState } from "../../../workers/shared/key-states.ts";
import type { VersionActionName } from "../../../workers/shared/rpc.ts";
import { LAST_USE_GRANULARITY_MS, LastUse } from "../../../workers/kms/src/vault/last-use.ts";
import type { KeyRow, VersionRow } from "../../../workers/kms/src/vault/rows.ts";
import { versionTransition, versionUnusableReason } from "../../../workers/kms/src/vault/version-lifecycle.ts";

const key = (state: KeyRow["state"] = "enabled"): KeyRow => ({
  id: "k", algorithm: "ML-KEM-768", purpose: "encrypt", name: null, description: null, labels: "{}", state, origin: "generated", primary_version: 2,
  min_decryption_version: 1, deletion_window_days: 30, deletion_date: null, created_at: 0, updated_at: 0, revision: 1,
  rotation_period: null, next_rotation_at: null, keep_decryption_versions: null,
});
const version = (n: number, state: VersionState): VersionRow => ({
  key_id: "k", version: n, state, public_key: null, wrapped_secret: null, kek_id: "k1", created_at: 0, destroyed_at: null, destruction_date: null, last_used_at: null,
});
const conflict = (detail: string) => ({ ok: false, error: { code: "conflict", detail } });
const PENDING = "Key version 1 is pending destruction; cancel the destruction first";
const NOT_PENDING = conflict("Key version 1 is not pending destruction");

const TABLE: [VersionState, VersionActionName, unknown][] = [
  ["enabled", "disable", { ok: true, value: "disabled" }],
  ["enabled", "enable", { ok: true, value: "enabled" }],
  ["enabled", "schedule_destruction", { ok: true, value: "pending_destruction" }],
  ["enabled", "cancel_destruction", NOT_PENDING],
  ["disabled", "disable", { ok: true, value: "disabled" }],
  ["disabled", "enable", { ok: true, value: "enabled" }],
  ["disabled", "schedule_destruction", { ok: true, value: "pending_destruction" }],
  ["disabled", "cancel_destruction", NOT_PENDING],
  ["pending_destruction", "disable", conflict(PENDING)],
  ["pending_destruction", "enable", conflict(PENDING)],
  ["pending_destruction", "schedule_destruction", conflict("Key version 1 is already pending destruction")],
  // As for keys (and AWS KMS), a cancelled destruction leaves the version disabled.
  ["pending_destruction", "cancel_destruction", { ok: true, value: "disabled" }],
  ["destroyed", "disable", conflict("Key version 1 is destroyed")],
  ["destroyed", "enable", conflict("Key version 1 is destroyed")],
  ["destroyed", "schedule_destruction", conflict("Key version 1 is destroyed")],
  ["destroyed", "cancel_destruction", conflict("Key version 1 is destroyed")],
];

describe("versionTransition", () => {
  it.each(TABLE)("version 1 %s, %s", (state, action, expected) => {
    expect(versionTransition(key(), version(1, state), action)).toEqual(expected);
  });

  it("refuses to disable or destroy the primary version: rotate first", () => {
    const refusal = conflict("Key version 2 is the primary version; rotate the key first");
    expect(versionTransition(key(), version(2, "enabled"), "disable")).toEqual(refusal);
    expect(versionTransition(key(), version(2, "enabled"), "schedule_destruction")).toEqual(refusal);
    expect(versionTransition(key(), version(2, "enabled"), "enable")).toEqual({ ok: true, value: "enabled" });
  });

  it("refuses every change to a version of a destroyed key", () => {
    expect(versionTransition(key("destroyed"), version(1, "destroyed"), "enable")).toEqual(conflict("The key is destroyed"));
  });

  it("only an enabled version is usable; the reason names the version", () => {
    expect(versionUnusableReason(3, "enabled")).toBeNull();
    expect(versionUnusableReason(3, "disabled")).toBe("Key version 3 is disabled");
    expect(versionUnusableReason(3, "pending_destruction")).toBe("Key version 3 is pending destruction");
  });
});

describe("LastUse", () => {
  it("is due on first use, then only once the granularity has passed, per version", () => {
    const uses = new LastUse();
    expect(uses.due("k", 1, 1_000)).toBe(true);
    uses.written("k", 1, 1_000);
    expect(uses.due("k", 1, 1_000 + LAST_USE_GRANULARITY_MS - 1)).toBe(false);
    expect(uses.due("k", 2, 1_000)).toBe(true);
    expect(uses.due("k", 1, 1_000 + LAST_USE_GRANULARITY_MS)).toBe(true);
  });
});
