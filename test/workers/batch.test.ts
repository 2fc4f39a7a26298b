/**
 * Batches through the gateway (architecture §5): `POST /v1/keys/{key}/batch` for each operation,
 * results in order, a bad item among good ones, the item limit, the inner operation's scope, plan
 * gating, items counted by the rate limit and quota, one audit row per item, and isolation.
 */
import { describe, expect, it } from "vitest";
import type { AuditEventView } from "../../workers/shared/rpc.ts";
import { createApiKey, createTenant, expectProblem, request, type TestTenant } from "./helpers.ts";
import { api, b64, createKey, ok, roomyTenant, text } from "./kms-helpers.ts";

type Item = { ok: true; [field: string]: unknown } | { ok: false; code: string; detail?: string };
type Batch = { operation: string; results: Item[] };

const batch = (tenant: TestTenant, keyId: string, operation: string, items: unknown[]) =>
  api<Batch>(tenant, "POST", `/v1/keys/${keyId}/batch`, { operation, items });

async function results(tenant: TestTenant, keyId: string, operation: string, items: unknown[]): Promise<Item[]> {
  const answer = await batch(tenant, keyId, operation, items);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.body.operation).toBe(operation);
  expect(answer.body.results).toHaveLength(items.length);
  return answer.body.results;
}

const field = (item: Item | undefined, name: string): string => {
  if (!item?.ok) return expect.fail(`item failed: ${JSON.stringify(item)}`);
  return item[name] as string;
};

describe("each operation", () => {
  it("encrypts and decrypts items in order", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const words = ["one", "two", "three"];
    const sealed = await results(tenant, key.id, "encrypt", words.map((w) => ({ plaintext: b64(w), aad: b64(`aad ${w}`) })));
    expect(sealed.every((item) => item.ok && item.key_version === 1)).toBe(true);
    const opened = await results(tenant, key.id, "decrypt", sealed.map((item, i) => ({ ciphertext: field(item, "ciphertext"), aad: b64(`aad ${words[i]}`) })));
    expect(opened.map((item) => text(field(item, "plaintext")))).toEqual(words);
    // A single decrypt opens a batch's envelope: the items are the single routes' bodies and answers.
    expect(await ok(tenant, "POST", `/v1/keys/${key.id}/decrypt`, { ciphertext: field(sealed[1], "ciphertext"), aad: b64("aad two") })).toEqual({ plaintext: b64("two"), key_version: 1 });
  });

  it("signs and verifies items in order; a wrong signature is valid:false", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "ML-DSA-44" });
    const signed = await results(tenant, key.id, "sign", [{ message: b64("a") }, { message: b64("b"), context: b64("ctx") }]);
    const checks = [
      { message: b64("a"), signature: field(signed[0], "signature") },
      { message: b64("b"), context: b64("ctx"), signature: field(signed[1], "signature") },
      { message: b64("a"), signature: field(signed[1], "signature") },
    ];
    expect(await results(tenant, key.id, "verify", checks)).toEqual([
      { ok: true, valid: true, key_version: 1 },
      { ok: true, valid: true, key_version: 1 },
      { ok: true, valid: false, key_version: 1 },
    ]);
  });

  it("makes and checks HMAC tags in order", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "HMAC-SHA-256" });
    const tagged = await results(tenant, key.id, "mac", [{ message: b64("x") }, { message: b64("y") }]);
    expect(tagged[0]).toEqual({ ok: true, mac: (await ok<{ mac: string }>(tenant, "POST", `/v1/keys/${key.id}/mac`, { message: b64("x") })).mac, key_version: 1 });
    const checks = [{ message: b64("y"), mac: field(tagged[1], "mac") }, { message: b64("x"), mac: field(tagged[1], "mac") }];
    expect(await results(tenant, key.id, "verify-mac", checks)).toEqual([{ ok: true, valid: true, key_version: 1 }, { ok: true, valid: false, key_version: 1 }]);
  });
});

describe("items", () => {
  it("answers a bad item alone, naming items[i].field, and the others as usual", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "AES-256-GCM" });
    const sealed = await results(tenant, key.id, "encrypt", [{ plaintext: b64("ok") }, { plaintext: "%%%" }, { plaintext: b64("ok"), extra: 1 }, { plaintext: b64("fine") }]);
    expect(sealed[0]?.ok && sealed[3]?.ok).toBe(true);
    expect(sealed[1]).toMatchObject({ ok: false, code: "invalid_request" });
    expect((sealed[1] as { detail: string }).detail).toContain("items[1].plaintext");
    expect((sealed[2] as { detail: string }).detail).toContain("items[2]");
    const opened = await results(tenant, key.id, "decrypt", [{ ciphertext: b64("not an envelope") }, { ciphertext: field(sealed[3], "ciphertext") }]);
    expect(opened).toEqual([{ ok: false, code: "decrypt_failed" }, { ok: true, plaintext: b64("fine"), key_version: 1 }]);
  });

  it("refuses 101 items, none, or an unknown operation with 400 naming the field", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "AES-256-GCM" });
    const many = Array.from({ length: 101 }, () => ({ plaintext: b64("x") }));
    expect((await expectProblem(await request("POST", `/v1/keys/${key.id}/batch`, { token: tenant.token, body: { operation: "encrypt", items: many } }), 400, "invalid_request")).detail).toContain("body.items");
    expect((await expectProblem(await request("POST", `/v1/keys/${key.id}/batch`, { token: tenant.token, body: { operation: "encrypt", items: [] } }), 400, "invalid_request")).detail).toContain("body.items");
    expect((await expectProblem(await request("POST", `/v1/keys/${key.id}/batch`, { token: tenant.token, body: { operation: "rewrap", items: [{}] } }), 400, "invalid_request")).detail).toContain("body.operation");
  });
});

describe("access", () => {
  it("needs the scope of the operation the body names", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "AES-256-GCM" });
    const sealed = await results(tenant, key.id, "encrypt", [{ plaintext: b64("x") }]);
    const encryptOnly = await createApiKey(tenant, { name: "enc", scopes: ["crypto:encrypt"] });
    const body = { operation: "decrypt", items: [{ ciphertext: field(sealed[0], "ciphertext") }] };
    const denied = await expectProblem(await request("POST", `/v1/keys/${key.id}/batch`, { token: encryptOnly.token, body }), 403, "access_denied");
    expect(denied.rule).toBe("scopes");
    const decryptOnly = await createApiKey(tenant, { name: "dec", scopes: ["crypto:decrypt"] });
    expect((await request("POST", `/v1/keys/${key.id}/batch`, { token: decryptOnly.token, body })).status).toBe(200);
  });

  it("is for the pro and enterprise plans: free is 403 plan_restricted", async () => {
    for (const [plan, status] of [["free", 403], ["pro", 200]] as const) {
      const tenant = await createTenant({ name: `batch ${plan}`, plan });
      const key = await createKey(tenant, { algorithm: "AES-256-GCM" });
      const response = await request("POST", `/v1/keys/${key.id}/batch`, { token: tenant.token, body: { operation: "encrypt", items: [{ plaintext: b64("x") }] } });
      if (status === 403) expect((await expectProblem(response, 403, "plan_restricted")).rule).toBe("plan_batch");
      else expect(response.status).toBe(200);
    }
  });

  it("answers another tenant's key like a missing one: every item key_not_found", async () => {
    const owner = await roomyTenant();
    const other = await roomyTenant();
    const key = await createKey(owner, { algorithm: "AES-256-GCM" });
    const items = [{ plaintext: b64("x") }, { plaintext: b64("y") }];
    const foreign = await results(other, key.id, "encrypt", items);
    const missing = await results(other, crypto.randomUUID(), "encrypt", items);
    expect(foreign).toEqual([{ ok: false, code: "key_not_found" }, { ok: false, code: "key_not_found" }]);
    expect(foreign).toEqual(missing);
  });
});

describe("limits and audit", () => {
  it("counts each item as one operation of the quota", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "AES-256-GCM" });
    const used = async () => (await ok<{ operations: number }>(tenant, "GET", "/v1/usage")).operations;
    const before = await used();
    await results(tenant, key.id, "encrypt", Array.from({ length: 7 }, () => ({ plaintext: b64("x") })));
    // The batch's 7 items, and the second usage read itself.
    expect(await used()).toBe(before + 7 + 1);
  });

  it("refuses the whole batch with 429 and Retry-After when the rate limit cannot take every item", async () => {
    const tenant = await createTenant({ name: "batch burst", plan: "pro", limits: { burst: 4, rate_per_second: 1 } });
    const key = await createKey(tenant, { algorithm: "AES-256-GCM" });
    const response = await request("POST", `/v1/keys/${key.id}/batch`, { token: tenant.token, body: { operation: "encrypt", items: Array.from({ length: 5 }, () => ({ plaintext: b64("x") })) } });
    await expectProblem(response, 429, "rate_limited");
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(response.headers.get("ratelimit")).not.toBeNull();
  });

  it("writes one audit row per item, allowed or failed, under the batch's request id", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "HMAC-SHA-256" });
    const tagged = await results(tenant, key.id, "mac", [{ message: b64("m") }]);
    const answer = await batch(tenant, key.id, "verify-mac", [{ message: b64("m"), mac: field(tagged[0], "mac") }, { message: b64("m"), mac: field(tagged[0], "mac"), key_version: 9 }]);
    expect(answer.body.results.map((item) => item.ok)).toEqual([true, false]);
    const page = await ok<{ events: AuditEventView[] }>(tenant, "GET", `/v1/audit-events?limit=100&key_id=${key.id}&operation=crypto.verify-mac`);
    const rows = page.events.filter((event) => event.request_id === answer.requestId);
    expect(rows.map((event) => event.outcome).sort()).toEqual(["allowed", "failed"]);
  });
});

