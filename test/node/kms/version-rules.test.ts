/**
 * Which key version a crypto operation uses (architecture §5, §9), as tables over one key row with
 * versions 1–4 (primary 4) and min_decryption_version 2; and how refusals are audited.
 */
import { describe, expect, it } from "vitest";
import { fail } from "../../../workers/shared/errors.ts";
import type { KeyRow } from "../../../workers/kms/src/vault/rows.ts";
import { auditedFailure, decryptableVersion, namedVersion, primaryVersion } from "../../../workers/kms/src/vault/version-rules.ts";

const KEY: KeyRow = {
  id: "0f8fad5b-d9cb-469f-a165-70867728950e", algorithm: "ML-KEM-768", purpose: "encrypt", name: null, description: null, labels: "{}",
  state: "enabled", origin: "generated", primary_version: 4, min_decryption_version: 2, deletion_window_days: 30, deletion_date: null,
  rotation_period: null, next_rotation_at: null, keep_decryption_versions: null, created_at: 0, updated_at: 0, revision: 1,
};
const BELOW = (v: number) => fail("key_disabled", `Key version ${v} is below min_decryption_version 2`);
const NO_VERSION = (v: number) => fail("invalid_request", `body.key_version: key has no version ${v}`);

describe("primaryVersion", () => {
  it("is the key's primary version", () => {
    expect(primaryVersion(KEY)).toBe(4);
  });
});

describe("decryptableVersion (the version an envelope names)", () => {
  it.each([
    [0, fail("decrypt_failed")],
    [1, BELOW(1)],
    [2, 2],
    [4, 4],
    [5, fail("decrypt_failed")],
  ])("version %i → %j", (version, expected) => {
    expect(decryptableVersion(version)(KEY)).toEqual(expected);
  });
});

describe("namedVersion (body.key_version)", () => {
  it.each([
    [null, true, 4],
    [null, false, 4],
    [0, false, NO_VERSION(0)],
    [5, true, NO_VERSION(5)],
    [1, false, 1],
    [1, true, BELOW(1)],
    [3, true, 3],
  ] as const)("version %s, decrypting %s → %j", (version, decrypting, expected) => {
    expect(namedVersion(version, { decrypting })(KEY)).toEqual(expected);
  });
});

describe("auditedFailure", () => {
  it.each([
    [fail("key_not_found"), { outcome: "denied", rule: "key_not_found", severity: "warning", detail: null }],
    [fail("key_disabled", "The key is disabled"), { outcome: "denied", rule: "key_disabled", severity: "warning", detail: "The key is disabled" }],
    [fail("decrypt_failed"), { outcome: "failed", rule: "decrypt_failed", severity: "warning", detail: null }],
    [fail("internal_error", "key material unavailable"), { outcome: "failed", rule: "internal_error", severity: "critical", detail: "key material unavailable" }],
  ])("%j", (failure, expected) => {
    expect(auditedFailure(failure)).toEqual(expected);
  });
});
