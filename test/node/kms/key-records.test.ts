/** The rows a key command writes, built from its input (key-records.ts). */
import { describe, expect, it } from "vitest";
import { DELETION_WINDOW_DAYS } from "../../../workers/shared/key-states.ts";
import { LIFECYCLE_OPERATIONS, newKeyRow, newVersionRow, requestHash } from "../../../workers/kms/src/vault/key-records.ts";

const ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const NOW = 1_700_000_000_000;

describe("newKeyRow", () => {
  it("a bare create: enabled, version 1, the default deletion window, empty labels", () => {
    expect(newKeyRow(ID, "ML-DSA-65", { algorithm: "ML-DSA-65" }, NOW)).toEqual({
      id: ID, algorithm: "ML-DSA-65", purpose: "sign", name: null, description: null, labels: "{}", state: "enabled", origin: "generated",
      primary_version: 1, min_decryption_version: 1, deletion_window_days: DELETION_WINDOW_DAYS.default, deletion_date: null,
      rotation_period: null, next_rotation_at: null, keep_decryption_versions: null, created_at: NOW, updated_at: NOW, revision: 1,
    });
  });

  it("a key created for import waits in pending_import, origin imported", () => {
    expect(newKeyRow(ID, "ML-DSA-65", { algorithm: "ML-DSA-65", origin: "imported" }, NOW)).toMatchObject({ state: "pending_import", origin: "imported", primary_version: 1 });
  });

  it("a rotation period is first due one period after creation", () => {
    const row = newKeyRow(ID, "ML-KEM-768", { algorithm: "ML-KEM-768", rotation_period: "P30D", keep_decryption_versions: 2 }, NOW);
    expect(row).toMatchObject({ rotation_period: "P30D", next_rotation_at: NOW + 30 * 86_400_000, keep_decryption_versions: 2 });
  });

  it("keeps the caller's name, description, labels and window; purpose comes from the algorithm", () => {
    const row = newKeyRow(ID, "AES-256-GCM", { algorithm: "AES-256-GCM", name: "n", description: "d", labels: { team: "a" }, deletion_window_days: 7 }, NOW);
    expect(row).toMatchObject({ purpose: "encrypt", name: "n", description: "d", labels: '{"team":"a"}', deletion_window_days: 7 });
  });
});

describe("newVersionRow", () => {
  it("an enabled version with the material's public key, wrapped secret and KEK id", () => {
    const material = { publicKey: Uint8Array.of(1), wrapped: Uint8Array.of(2), kekId: "k1" };
    expect(newVersionRow(ID, 3, material, NOW)).toEqual({
      key_id: ID, version: 3, state: "enabled", public_key: material.publicKey, wrapped_secret: material.wrapped, kek_id: "k1",
      created_at: NOW, destroyed_at: null,
    });
  });
});

describe("requestHash", () => {
  it("is the hex SHA-256 of the body as JSON: equal bodies agree, different ones do not", () => {
    expect(requestHash({ algorithm: "ML-KEM-768" })).toMatch(/^[0-9a-f]{64}$/);
    expect(requestHash({ algorithm: "ML-KEM-768" })).toBe(requestHash({ algorithm: "ML-KEM-768" }));
    expect(requestHash({ algorithm: "ML-KEM-768", name: "a" })).not.toBe(requestHash({ algorithm: "ML-KEM-768" }));
  });
});

describe("LIFECYCLE_OPERATIONS", () => {
  it("names the audit operation of each action", () => {
    expect(LIFECYCLE_OPERATIONS).toEqual({
      disable: "keys.disable", enable: "keys.enable", schedule_deletion: "keys.schedule-deletion", cancel_deletion: "keys.cancel-deletion",
    });
  });
});
