/**
 * Automatic rotation's fields through the real gateway (architecture §5): `rotation_period` and
 * `keep_decryption_versions` on create and PATCH, `next_rotation_at` in the key, a manual rotation
 * restarting the schedule, and bad values refused with a 400 naming the field. The alarm's rotations
 * themselves are tested in the vault with a clock (test/vault/scheduled-rotation.test.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { TestTenant } from "./helpers.ts";
import { api, createKey, ok, roomyTenant, type KeyView } from "./kms-helpers.ts";

const DAY_MS = 86_400_000;

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await roomyTenant("rotation");
});

const oneYearAfter = (iso: string) => {
  const date = new Date(iso);
  date.setUTCFullYear(date.getUTCFullYear() + 1);
  return date.toISOString();
};

describe("rotation schedule fields", () => {
  it("a key created with a period shows it, and is first due one period after creation", async () => {
    const key = await createKey(tenant, { algorithm: "ML-DSA-44", rotation_period: "P90D", keep_decryption_versions: 2 });
    expect(key).toMatchObject({ rotation_period: "P90D", keep_decryption_versions: 2 });
    expect(Date.parse(key.next_rotation_at ?? "")).toBe(Date.parse(key.created_at) + 90 * DAY_MS);
    expect(await ok(tenant, "GET", `/v1/keys/${key.id}`)).toEqual(key);
    const plain = await createKey(tenant, { algorithm: "ML-KEM-768" });
    expect(plain).toMatchObject({ rotation_period: null, next_rotation_at: null, keep_decryption_versions: null });
  });

  it("PATCH sets a period counted from now in calendar months, null removes it; a manual rotation restarts it", async () => {
    const key = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const yearly = await ok<KeyView>(tenant, "PATCH", `/v1/keys/${key.id}`, { rotation_period: "P1Y" });
    expect(yearly.rotation_period).toBe("P1Y");
    expect(yearly.next_rotation_at).toBe(oneYearAfter(yearly.updated_at));

    const rotated = await ok<KeyView>(tenant, "POST", `/v1/keys/${key.id}/rotate`);
    expect(rotated.primary_version).toBe(2);
    expect(rotated.next_rotation_at).toBe(oneYearAfter(rotated.updated_at));

    const removed = await ok<KeyView>(tenant, "PATCH", `/v1/keys/${key.id}`, { rotation_period: null });
    expect(removed).toMatchObject({ rotation_period: null, next_rotation_at: null });
  });

  it("keep_decryption_versions raises min_decryption_version on a manual rotation too", async () => {
    const key = await createKey(tenant, { algorithm: "AES-256-GCM", keep_decryption_versions: 1 });
    await ok(tenant, "POST", `/v1/keys/${key.id}/rotate`);
    const third = await ok<KeyView>(tenant, "POST", `/v1/keys/${key.id}/rotate`);
    expect(third).toMatchObject({ primary_version: 3, min_decryption_version: 2, keep_decryption_versions: 1 });
  });

  it.each([
    ["PT1H", "at least one day"],
    ["P1W2D", "not an ISO 8601 duration"],
    ["P10Y1D", "at most ten years"],
    ["30d", "not an ISO 8601 duration"],
    [30, "body.rotation_period"],
  ])("refuses rotation_period %j on create and PATCH with a 400 naming the field", async (period, why) => {
    const created = await api(tenant, "POST", "/v1/keys", { algorithm: "ML-KEM-768", rotation_period: period });
    expect(created).toMatchObject({ status: 400, body: { code: "invalid_request", detail: expect.stringMatching(/^body\.rotation_period: /) } });
    expect((created.body as { detail: string }).detail).toContain(why);
    const key = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const patched = await api(tenant, "PATCH", `/v1/keys/${key.id}`, { rotation_period: period });
    expect(patched).toMatchObject({ status: 400, body: { code: "invalid_request", detail: expect.stringContaining("body.rotation_period") } });
    expect(await ok(tenant, "GET", `/v1/keys/${key.id}`)).toEqual(key);
  });

  it.each([0, 101, 2.5, "3"])("refuses keep_decryption_versions %j with a 400 naming the field", async (keep) => {
    const answer = await api(tenant, "POST", "/v1/keys", { algorithm: "ML-KEM-768", keep_decryption_versions: keep });
    expect(answer).toMatchObject({ status: 400, body: { code: "invalid_request", detail: expect.stringContaining("body.keep_decryption_versions") } });
  });
});
