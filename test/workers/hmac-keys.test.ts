/**
 * HMAC keys through the gateway (RFC 2104; architecture §5, §7): `POST /v1/keys/{key}/mac` and
 * `/verify-mac` for each hash, full-length tags, any version checking its own tags, every refusal
 * (other purposes, no public key, bad fields, scopes, another tenant's key), aliases, and the audit
 * rows each call leaves.
 */
import { describe, expect, it } from "vitest";
import type { AuditEventView } from "../../workers/shared/rpc.ts";
import { createApiKey, createTenant, expectProblem, request } from "./helpers.ts";
import { api, b64, bytes, createKey, ok, roomyTenant, toBase64 } from "./kms-helpers.ts";

type Tagged = { mac: string; key_version: number };
type Checked = { valid: boolean; key_version: number };

const TAG_LENGTHS = { "HMAC-SHA-256": 32, "HMAC-SHA-384": 48, "HMAC-SHA-512": 64 } as const;

describe.each(Object.entries(TAG_LENGTHS))("%s", (algorithm, tagLength) => {
  it("tags with the primary version and checks the tag; a changed message, tag or length is valid:false", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm });
    expect(key.purpose).toBe("mac");
    const tagged = await ok<Tagged>(tenant, "POST", `/v1/keys/${key.id}/mac`, { message: b64("invoice 42") });
    expect(Object.keys(tagged).sort()).toEqual(["key_version", "mac"]);
    expect(bytes(tagged.mac)).toHaveLength(tagLength);
    // HMAC is deterministic: the same message gives the same tag.
    expect(await ok<Tagged>(tenant, "POST", `/v1/keys/${key.id}/mac`, { message: b64("invoice 42") })).toEqual(tagged);

    const check = (message: string, mac: string) => ok<Checked>(tenant, "POST", `/v1/keys/${key.id}/verify-mac`, { message: b64(message), mac });
    expect(await check("invoice 42", tagged.mac)).toEqual({ valid: true, key_version: 1 });
    expect((await check("invoice 43", tagged.mac)).valid).toBe(false);
    const flipped = bytes(tagged.mac);
    flipped[0] = (flipped[0] as number) ^ 1;
    expect((await check("invoice 42", toBase64(flipped))).valid).toBe(false);
    expect((await check("invoice 42", toBase64(bytes(tagged.mac).subarray(0, 16)))).valid).toBe(false);
    expect((await check("invoice 42", "")).valid).toBe(false);
  });
});

describe("versions", () => {
  it("checks an old version's tag under that version, and not under the new primary", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "HMAC-SHA-256" });
    const v1 = await ok<Tagged>(tenant, "POST", `/v1/keys/${key.id}/mac`, { message: b64("m") });
    await ok(tenant, "POST", `/v1/keys/${key.id}/rotate`);
    const v2 = await ok<Tagged>(tenant, "POST", `/v1/keys/${key.id}/mac`, { message: b64("m") });
    expect(v2.key_version).toBe(2);
    expect(v2.mac).not.toBe(v1.mac);
    const path = `/v1/keys/${key.id}/verify-mac`;
    expect(await ok(tenant, "POST", path, { message: b64("m"), mac: v1.mac, key_version: 1 })).toEqual({ valid: true, key_version: 1 });
    expect(await ok(tenant, "POST", path, { message: b64("m"), mac: v1.mac })).toEqual({ valid: false, key_version: 2 });
    const missing = await expectProblem(await request("POST", path, { token: tenant.token, body: { message: b64("m"), mac: v1.mac, key_version: 3 } }), 400, "invalid_request");
    expect(missing.detail).toContain("body.key_version");
  });
});

describe("refusals", () => {
  it("answers other operations on an HMAC key, and mac on other keys, with 400 unsupported_operation", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "HMAC-SHA-384" });
    const asks = [["encrypt", { plaintext: b64("x") }], ["sign", { message: b64("x") }], ["datakey", {}], ["encapsulate", undefined]] as const;
    for (const [path, body] of asks) {
      await expectProblem(await request("POST", `/v1/keys/${key.id}/${path}`, { token: tenant.token, ...(body ? { body } : {}) }), 400, "unsupported_operation");
    }
    await expectProblem(await request("GET", `/v1/keys/${key.id}/public-key`, { token: tenant.token }), 400, "unsupported_operation");
    for (const algorithm of ["AES-256-GCM", "ML-DSA-44"]) {
      const other = await createKey(tenant, { algorithm });
      await expectProblem(await request("POST", `/v1/keys/${other.id}/mac`, { token: tenant.token, body: { message: b64("x") } }), 400, "unsupported_operation");
      const body = { message: b64("x"), mac: toBase64(new Uint8Array(32)) };
      await expectProblem(await request("POST", `/v1/keys/${other.id}/verify-mac`, { token: tenant.token, body }), 400, "unsupported_operation");
    }
  });

  it("names the field of a malformed or oversized body with 400 invalid_request", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "HMAC-SHA-256" });
    const cases: [string, unknown, string][] = [
      ["mac", { message: "%%%" }, "body.message"],
      ["mac", {}, "body.message"],
      ["mac", { message: toBase64(new Uint8Array(256 * 1024 + 1)) }, "body.message"],
      ["verify-mac", { message: b64("x"), mac: "not base64!" }, "body.mac"],
      ["verify-mac", { message: b64("x") }, "body.mac"],
      ["verify-mac", { message: b64("x"), mac: b64("y"), extra: 1 }, "body"],
    ];
    for (const [path, body, field] of cases) {
      const problem = await expectProblem(await request("POST", `/v1/keys/${key.id}/${path}`, { token: tenant.token, body }), 400, "invalid_request");
      expect(problem.detail, JSON.stringify(body).slice(0, 80)).toContain(`${field}`);
    }
  });

  it("needs crypto:sign to tag and crypto:verify to check", async () => {
    const tenant = await createTenant({ name: "mac-scopes", plan: "enterprise" });
    const key = await createKey(tenant, { algorithm: "HMAC-SHA-256" });
    const signer = await createApiKey(tenant, { name: "signer", scopes: ["crypto:sign"] });
    const verifier = await createApiKey(tenant, { name: "verifier", scopes: ["crypto:verify"] });
    const { mac } = await ok<Tagged>({ ...tenant, token: signer.token }, "POST", `/v1/keys/${key.id}/mac`, { message: b64("m") });
    const denied = await expectProblem(await request("POST", `/v1/keys/${key.id}/verify-mac`, { token: signer.token, body: { message: b64("m"), mac } }), 403, "access_denied");
    expect(denied.rule).toBe("scopes");
    expect(await ok({ ...tenant, token: verifier.token }, "POST", `/v1/keys/${key.id}/verify-mac`, { message: b64("m"), mac })).toMatchObject({ valid: true });
    await expectProblem(await request("POST", `/v1/keys/${key.id}/mac`, { token: verifier.token, body: { message: b64("m") } }), 403, "access_denied");
  });

  it("answers another tenant's key, by id or alias, like a missing one", async () => {
    const owner = await roomyTenant();
    const key = await createKey(owner, { algorithm: "HMAC-SHA-256" });
    await ok(owner, "POST", "/v1/aliases", { name: "webhooks", key_id: key.id });
    const intruder = await roomyTenant();
    for (const ref of [key.id, "alias:webhooks"]) {
      await expectProblem(await request("POST", `/v1/keys/${ref}/mac`, { token: intruder.token, body: { message: b64("m") } }), 404, "key_not_found");
      const body = { message: b64("m"), mac: toBase64(new Uint8Array(32)) };
      await expectProblem(await request("POST", `/v1/keys/${ref}/verify-mac`, { token: intruder.token, body }), 404, "key_not_found");
    }
  });
});

describe("aliases and audit", () => {
  it("works through alias:NAME and records one audit row per call, with the version", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "HMAC-SHA-512" });
    await ok(tenant, "POST", "/v1/aliases", { name: "webhooks", key_id: key.id });
    const tagged = await ok<Tagged>(tenant, "POST", "/v1/keys/alias:webhooks/mac", { message: b64("m") });
    expect(await ok(tenant, "POST", `/v1/keys/${key.id}/verify-mac`, { message: b64("m"), mac: tagged.mac })).toMatchObject({ valid: true });
    expect(await ok(tenant, "POST", "/v1/keys/alias:webhooks/verify-mac", { message: b64("n"), mac: tagged.mac })).toMatchObject({ valid: false });
    await ok(tenant, "POST", `/v1/keys/${key.id}/disable`);
    const disabled = await api(tenant, "POST", `/v1/keys/${key.id}/mac`, { message: b64("m") });
    expect(disabled.status).toBe(409);

    const page = await ok<{ events: AuditEventView[] }>(tenant, "GET", `/v1/audit-events?limit=100&key_id=${key.id}`);
    const crypto = page.events.filter((e) => e.operation.startsWith("crypto."));
    expect(crypto.map((e) => [e.operation, e.outcome, e.key_version])).toEqual([
      ["crypto.mac", "denied", null],
      ["crypto.verify-mac", "allowed", 1],
      ["crypto.verify-mac", "allowed", 1],
      ["crypto.mac", "allowed", 1],
    ]);
    const filtered = await ok<{ events: AuditEventView[] }>(tenant, "GET", "/v1/audit-events?limit=100&operation=crypto.verify-mac");
    expect(filtered.events).toHaveLength(2);
  });
});
