/**
 * Pipeline stages 2–4 (architecture §3) through the real gateway: extracting the API key, resolving the
 * tenant (checksum, HMAC, D1, key state, tenant status), and the request context every response
 * carries (request id, Cache-Control).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  createApiKey,
  createTenant,
  expectProblem,
  failingBinding,
  json,
  request,
  requestWithClock,
  requestWithEnv,
  revokeApiKey,
  testClock,
  unknownToken,
} from "./helpers.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("stage 2: extract the API key", () => {
  it("accepts the key in x-api-key", async () => {
    const tenant = await createTenant();
    const response = await request("GET", "/v1/tenant", { token: tenant.token });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ id: tenant.id });
  });

  it("accepts the key as Authorization: Bearer", async () => {
    const tenant = await createTenant();
    const response = await request("GET", "/v1/tenant", { headers: { authorization: `Bearer ${tenant.token}` } });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ id: tenant.id });
  });

  it("accepts both headers when they carry the same key", async () => {
    const tenant = await createTenant();
    const response = await request("GET", "/v1/tenant", { token: tenant.token, headers: { authorization: `Bearer ${tenant.token}` } });
    expect(response.status).toBe(200);
  });

  it("refuses a request without a key: 401 missing_api_key", async () => {
    await expectProblem(await request("GET", "/v1/tenant"), 401, "missing_api_key");
    await expectProblem(await request("GET", "/v1/tenant", { headers: { "x-api-key": "   " } }), 401, "missing_api_key");
    await expectProblem(await request("GET", "/v1/tenant", { headers: { authorization: "Basic dXNlcjpwYXNz" } }), 401, "missing_api_key");
  });

  it("never takes the key from the query string", async () => {
    const tenant = await createTenant();
    for (const name of ["api_key", "apiKey", "key", "token", "x-api-key"]) {
      await expectProblem(await request("GET", `/v1/tenant?${name}=${tenant.token}`), 401, "missing_api_key");
    }
  });

  it("refuses x-api-key and Bearer that disagree, even when both are valid keys", async () => {
    const a = await createTenant({ name: "a" });
    const b = await createTenant({ name: "b" });
    const response = await request("GET", "/v1/tenant", { token: a.token, headers: { authorization: `Bearer ${b.token}` } });
    await expectProblem(response, 401, "invalid_api_key");
  });
});

describe("stage 3: resolve the tenant", () => {
  it("refuses garbage and wrong-checksum keys without touching D1", async () => {
    const tenant = await createTenant();
    const last = tenant.token.at(-1) === "0" ? "1" : "0";
    const wrongChecksum = tenant.token.slice(0, -1) + last;
    const { binding: db, uses } = failingBinding<D1Database>("D1");
    for (const token of ["garbage", "pqk_", `${tenant.token}x`, wrongChecksum, tenant.token.replace("pqk_", "pqx_")]) {
      await expectProblem(await requestWithEnv({ DB: db }, "GET", "/v1/tenant", { token }), 401, "invalid_api_key");
    }
    expect(uses).toEqual([]);
  });

  it("refuses a well-formed key that no tenant holds: 401 invalid_api_key", async () => {
    await expectProblem(await request("GET", "/v1/tenant", { token: unknownToken() }), 401, "invalid_api_key");
  });

  it("refuses a revoked key at once: 401 invalid_api_key", async () => {
    const tenant = await createTenant();
    const key = await createApiKey(tenant, { name: "soon revoked", role: "auditor" });
    expect((await request("GET", "/v1/tenant", { token: key.token })).status).toBe(200);
    await revokeApiKey(tenant, key.id);
    await expectProblem(await request("GET", "/v1/tenant", { token: key.token }), 401, "invalid_api_key");
  });

  it("refuses a key once its expiry passes, even while the key is cached", async () => {
    const tenant = await createTenant();
    const clock = testClock();
    const at = requestWithClock(clock.now);
    const expiresAt = clock.now() + 1_200;
    const key = await createApiKey(tenant, { name: "short-lived", role: "auditor", expires_at: new Date(expiresAt).toISOString() });
    expect((await at("GET", "/v1/tenant", { token: key.token })).status).toBe(200);
    clock.advance(expiresAt - clock.now() + 50);
    await expectProblem(await at("GET", "/v1/tenant", { token: key.token }), 401, "invalid_api_key");
  });

  it("refuses a key whose expiry was set in D1 to the past", async () => {
    const tenant = await createTenant();
    const key = await createApiKey(tenant, { name: "expired", role: "auditor" });
    await env.DB.prepare("UPDATE api_keys SET expires_at = ? WHERE id = ?").bind(Date.now() - 1, key.id).run();
    await expectProblem(await request("GET", "/v1/tenant", { token: key.token }), 401, "invalid_api_key");
  });

  it("answers 403 tenant_suspended for a suspended tenant's valid key, and serves it again once reactivated", async () => {
    const tenant = await createTenant();
    expect((await request("GET", "/v1/tenant", { token: tenant.token })).status).toBe(200);
    const suspend = await request("PATCH", `/admin/v1/tenants/${tenant.id}`, { admin: true, body: { status: "suspended" } });
    expect(suspend.status).toBe(200);
    await expectProblem(await request("GET", "/v1/tenant", { token: tenant.token }), 403, "tenant_suspended");
    await expectProblem(await request("GET", "/v1/api-keys", { token: tenant.token }), 403, "tenant_suspended");

    const reactivate = await request("PATCH", `/admin/v1/tenants/${tenant.id}`, { admin: true, body: { status: "active" } });
    expect(reactivate.status).toBe(200);
    expect((await request("GET", "/v1/tenant", { token: tenant.token })).status).toBe(200);
  });

  it("still refuses a revoked key of a suspended tenant as invalid, not suspended", async () => {
    const tenant = await createTenant();
    const key = await createApiKey(tenant, { name: "revoked", role: "auditor" });
    await revokeApiKey(tenant, key.id);
    await request("PATCH", `/admin/v1/tenants/${tenant.id}`, { admin: true, body: { status: "suspended" } });
    await expectProblem(await request("GET", "/v1/tenant", { token: key.token }), 401, "invalid_api_key");
  });

  it("records when a key was last used", async () => {
    const tenant = await createTenant();
    const key = await createApiKey(tenant, { name: "used", role: "auditor" });
    const before = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?").bind(key.id).first<{ last_used_at: number | null }>();
    expect(before?.last_used_at).toBeNull();
    const response = await requestWithEnv({}, "GET", "/v1/tenant", { token: key.token });
    expect(response.status).toBe(200);
    const after = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?").bind(key.id).first<{ last_used_at: number | null }>();
    expect(after?.last_used_at).toEqual(expect.any(Number));
  });
});

describe("stage 4: request context on every response", () => {
  it("echoes a well-formed X-Request-ID, on success and on errors", async () => {
    const tenant = await createTenant();
    const id = "client-req.0001:abc_DEF";
    const ok = await request("GET", "/v1/tenant", { token: tenant.token, headers: { "x-request-id": id } });
    expect(ok.headers.get("x-request-id")).toBe(id);
    const denied = await request("GET", "/v1/tenant", { headers: { "x-request-id": id } });
    expect((await expectProblem(denied, 401, "missing_api_key")).request_id).toBe(id);
  });

  it("replaces a malformed X-Request-ID with a fresh UUID", async () => {
    for (const bad of ["short", "has spaces in it", "-starts-with-dash", "x".repeat(129), "semi;colon-1234"]) {
      const response = await request("GET", "/health", { headers: { "x-request-id": bad } });
      const id = response.headers.get("x-request-id");
      expect(id, JSON.stringify(bad)).toMatch(UUID);
    }
  });

  it("generates distinct request ids when none is given", async () => {
    const ids = new Set<string | null>();
    for (let i = 0; i < 5; i++) ids.add((await request("GET", "/health")).headers.get("x-request-id"));
    expect(ids.size).toBe(5);
    for (const id of ids) expect(id).toMatch(UUID);
  });

  it("sets X-Request-ID and Cache-Control: no-store on every kind of response", async () => {
    const tenant = await createTenant();
    const responses = await Promise.all([
      request("GET", "/health"),
      request("GET", "/openapi.json"),
      request("GET", "/v1/tenant", { token: tenant.token }),
      request("GET", "/v1/tenant"),
      request("GET", "/v1/tenant", { token: unknownToken() }),
      request("GET", "/nowhere"),
      request("PUT", "/v1/tenant", { token: tenant.token }),
      request("POST", "/v1/api-keys", { token: tenant.token, body: "{" }),
      request("GET", "/admin/v1/tenants/00000000-0000-4000-8000-000000000000", { admin: true }),
      request("POST", "/admin/v1/tenants", { headers: { authorization: "Bearer nope" }, body: {} }),
      requestWithEnv({ ADMIN_TOKEN: "" }, "GET", "/v1/tenant", { token: tenant.token }),
    ]);
    const statuses = responses.map((r) => r.status);
    expect(statuses).toEqual([200, 200, 200, 401, 401, 404, 405, 400, 404, 401, 503]);
    for (const response of responses) {
      expect(response.headers.get("x-request-id")).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });
});
