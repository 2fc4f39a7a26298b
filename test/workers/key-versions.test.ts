/**
 * Per-version control and last use through the gateway (architecture §5): one version of a key is
 * disabled, enabled, scheduled for destruction or has that cancelled, while the others keep
 * working; the primary refuses (rotate first); every change is audited naming the version; another
 * tenant's key answers like a missing one. Each version shows when it last performed a crypto
 * operation. (The alarm's destruction of a version is tested in test/vault/version-control.test.ts.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey, type TestTenant } from "./helpers.ts";
import { api, b64, createKey, ok, roomyTenant, type KeyView } from "./kms-helpers.ts";

const DAY_MS = 24 * 3600 * 1000;

let tenant: TestTenant;
let other: TestTenant;
beforeAll(async () => {
  [tenant, other] = await Promise.all([roomyTenant("versions"), roomyTenant("versions-other")]);
});

const versionPath = (key: { id: string }, version: number | string, action: string) => `/v1/keys/${key.id}/versions/${version}/${action}`;

/** A KEM key with two versions and an envelope sealed under each. */
async function rotatedKey(deletion_window_days = 10) {
  const key = await createKey(tenant, { algorithm: "ML-KEM-768", deletion_window_days });
  const seal = async () => (await ok<{ ciphertext: string }>(tenant, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: b64("secret") })).ciphertext;
  const v1 = await seal();
  await ok(tenant, "POST", `/v1/keys/${key.id}/rotate`);
  const v2 = await seal();
  return { key, envelopes: [v1, v2] as const };
}

const decrypt = (key: KeyView, ciphertext: string) => api(tenant, "POST", `/v1/keys/${key.id}/decrypt`, { ciphertext });

describe("disable and enable one version", () => {
  it("a disabled version no longer decrypts, naming the version; the primary keeps working; enable brings it back", async () => {
    const { key, envelopes } = await rotatedKey();
    const disabled = await ok<KeyView>(tenant, "POST", versionPath(key, 1, "disable"));
    expect(disabled.state).toBe("enabled");
    expect(disabled.versions.map((v) => v.state)).toEqual(["disabled", "enabled"]);
    expect(await ok(tenant, "GET", `/v1/keys/${key.id}`)).toMatchObject({ versions: [{ state: "disabled", destruction_date: null }, { state: "enabled" }] });

    expect(await decrypt(key, envelopes[0])).toMatchObject({ status: 409, body: { code: "key_disabled", detail: "Key version 1 is disabled" } });
    expect(await decrypt(key, envelopes[1])).toMatchObject({ status: 200, body: { plaintext: b64("secret"), key_version: 2 } });
    // Key-less decrypt finds the key from the envelope and refuses the version the same way.
    expect(await api(tenant, "POST", "/v1/decrypt", { ciphertext: envelopes[0] })).toMatchObject({ status: 409, body: { code: "key_disabled" } });
    expect((await api(tenant, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: b64("x") })).status).toBe(200);

    const enabled = await ok<KeyView>(tenant, "POST", versionPath(key, 1, "enable"));
    expect(enabled.versions.map((v) => v.state)).toEqual(["enabled", "enabled"]);
    expect(await decrypt(key, envelopes[0])).toMatchObject({ status: 200, body: { key_version: 1 } });
  });

  it("a disabled signing version no longer verifies; the primary still signs", async () => {
    const key = await createKey(tenant, { algorithm: "ML-DSA-44" });
    const { signature } = await ok<{ signature: string }>(tenant, "POST", `/v1/keys/${key.id}/sign`, { message: b64("m") });
    await ok(tenant, "POST", `/v1/keys/${key.id}/rotate`);
    await ok(tenant, "POST", versionPath(key, 1, "disable"));
    const verify = await api(tenant, "POST", `/v1/keys/${key.id}/verify`, { message: b64("m"), signature, key_version: 1 });
    expect(verify).toMatchObject({ status: 409, body: { code: "key_disabled", detail: "Key version 1 is disabled" } });
    expect(await ok(tenant, "POST", `/v1/keys/${key.id}/sign`, { message: b64("m") })).toMatchObject({ key_version: 2 });
  });

  it("refuses to disable or destroy the primary version: rotate first", async () => {
    const { key } = await rotatedKey();
    for (const action of ["disable", "schedule-destruction"]) {
      const answer = await api(tenant, "POST", versionPath(key, 2, action), action === "disable" ? undefined : { days: 7 });
      expect(answer).toMatchObject({ status: 409, body: { code: "conflict", detail: "Key version 2 is the primary version; rotate the key first" } });
    }
    expect((await ok<KeyView>(tenant, "GET", `/v1/keys/${key.id}`)).versions.map((v) => v.state)).toEqual(["enabled", "enabled"]);
  });
});

describe("schedule and cancel a version's destruction", () => {
  it("schedules for the key's deletion window by default, or the days given; refuses use, enable and a second schedule meanwhile", async () => {
    const { key, envelopes } = await rotatedKey(12);
    const scheduled = await ok<KeyView>(tenant, "POST", versionPath(key, 1, "schedule-destruction"));
    const v1 = scheduled.versions[0];
    expect(v1?.state).toBe("pending_destruction");
    expect(Date.parse(v1?.destruction_date ?? "") - Date.parse(scheduled.updated_at)).toBe(12 * DAY_MS);
    expect(scheduled.deletion_date).toBeNull();

    expect(await decrypt(key, envelopes[0])).toMatchObject({ status: 409, body: { code: "key_disabled", detail: "Key version 1 is pending destruction" } });
    expect((await decrypt(key, envelopes[1])).status).toBe(200);
    for (const action of ["enable", "disable", "schedule-destruction"]) {
      expect(await api(tenant, "POST", versionPath(key, 1, action))).toMatchObject({ status: 409, body: { code: "conflict", detail: expect.stringContaining("Key version 1") } });
    }

    const cancelled = await ok<KeyView>(tenant, "POST", versionPath(key, 1, "cancel-destruction"));
    expect(cancelled.versions[0]).toMatchObject({ state: "disabled", destruction_date: null });
    expect(await api(tenant, "POST", versionPath(key, 1, "cancel-destruction"))).toMatchObject({
      status: 409, body: { code: "conflict", detail: "Key version 1 is not pending destruction" },
    });

    const sevenDays = await ok<KeyView>(tenant, "POST", versionPath(key, 1, "schedule-destruction"), { days: 7 });
    expect(Date.parse(sevenDays.versions[0]?.destruction_date ?? "") - Date.parse(sevenDays.updated_at)).toBe(7 * DAY_MS);
  });

  it("refuses days outside 7–30, naming the field", async () => {
    const { key } = await rotatedKey();
    for (const days of [6, 31, 7.5, "10"]) {
      const answer = await api(tenant, "POST", versionPath(key, 1, "schedule-destruction"), { days });
      expect(answer).toMatchObject({ status: 400, body: { code: "invalid_request", detail: expect.stringContaining("body.days") } });
    }
  });
});

describe("unknown versions, other tenants, scopes", () => {
  it("an unknown version is 404 naming it; a version that is not a positive integer is 400 naming the field", async () => {
    const { key } = await rotatedKey();
    expect(await api(tenant, "POST", versionPath(key, 9, "disable"))).toMatchObject({
      status: 404, body: { code: "key_not_found", detail: "path.version: the key has no version 9" },
    });
    for (const version of ["0", "abc", "1.5"]) {
      expect(await api(tenant, "POST", versionPath(key, version, "disable"))).toMatchObject({
        status: 400, body: { code: "invalid_request", detail: expect.stringContaining("path.version") },
      });
    }
  });

  it("another tenant's key and version answer exactly like a missing key, and are left unchanged", async () => {
    const { key } = await rotatedKey();
    const missing = await api(other, "POST", versionPath({ id: crypto.randomUUID() }, 1, "disable"));
    const foreign = await api(other, "POST", versionPath(key, 1, "disable"));
    expect(foreign.status).toBe(404);
    expect({ ...(foreign.body as object), request_id: null }).toEqual({ ...(missing.body as object), request_id: null });
    expect((await ok<KeyView>(tenant, "GET", `/v1/keys/${key.id}`)).versions[0]?.state).toBe("enabled");
  });

  it("needs keys:write: a key holding only keys:read or crypto scopes is 403", async () => {
    const { key } = await rotatedKey();
    const reader = await createApiKey(tenant, { name: "reader", scopes: ["keys:read", "crypto:decrypt"] });
    const answer = await api({ ...tenant, token: reader.token }, "POST", versionPath(key, 1, "disable"));
    expect(answer).toMatchObject({ status: 403, body: { code: "access_denied" } });
    expect((await ok<KeyView>(tenant, "GET", `/v1/keys/${key.id}`)).versions[0]?.state).toBe("enabled");
  });
});

describe("audit and last use", () => {
  it("audits each change with the key and version", async () => {
    const { key } = await rotatedKey();
    await ok(tenant, "POST", versionPath(key, 1, "disable"));
    await ok(tenant, "POST", versionPath(key, 1, "enable"));
    await ok(tenant, "POST", versionPath(key, 1, "schedule-destruction"), { days: 7 });
    await ok(tenant, "POST", versionPath(key, 1, "cancel-destruction"));
    await api(tenant, "POST", versionPath(key, 2, "disable"));
    const { events } = await ok<{ events: { operation: string; key_id: string; key_version: number | null; outcome: string }[] }>(
      tenant, "GET", `/v1/audit-events?key_id=${key.id}&limit=20`,
    );
    const versionEvents = events.filter((e) => e.operation.startsWith("keys.versions.")).reverse();
    expect(versionEvents.map((e) => [e.operation, e.key_version, e.outcome])).toEqual([
      ["keys.versions.disable", 1, "allowed"],
      ["keys.versions.enable", 1, "allowed"],
      ["keys.versions.schedule-destruction", 1, "allowed"],
      ["keys.versions.cancel-destruction", 1, "allowed"],
    ]);
    expect(versionEvents.every((e) => e.key_id === key.id)).toBe(true);
  });

  it("shows each version's last use: set by a crypto operation of that version, not by a public-key read", async () => {
    const { key, envelopes } = await rotatedKey();
    const before = await ok<KeyView>(tenant, "GET", `/v1/keys/${key.id}`);
    // Both versions encrypted once (encrypt uses the primary: version 1 before the rotation, 2 after).
    expect(before.versions.map((v) => v.last_used_at === null)).toEqual([false, false]);
    const fresh = await createKey(tenant, { algorithm: "ML-KEM-768" });
    await ok(tenant, "GET", `/v1/keys/${fresh.id}/public-key?format=raw`);
    expect((await ok<KeyView>(tenant, "GET", `/v1/keys/${fresh.id}`)).versions[0]?.last_used_at).toBeNull();
    await ok(tenant, "POST", `/v1/keys/${fresh.id}/encapsulate`);
    expect((await ok<KeyView>(tenant, "GET", `/v1/keys/${fresh.id}`)).versions[0]?.last_used_at).toEqual(expect.any(String));
    expect((await decrypt(key, envelopes[0])).status).toBe(200);
  });
});
