/**
 * Platform administration under /admin/v1 (architecture §2, §4): tenants, their plans, status and limit
 * overrides, and API keys issued for them. Authenticated by the ADMIN_TOKEN Bearer only.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SCOPES } from "../../workers/shared/scopes.ts";
import { createTenant, expectProblem, json, request } from "./helpers.ts";

interface Tenant {
  id: string;
  name: string;
  plan: string;
  status: string;
  jurisdiction: string | null;
  placement: string;
  limits: { rate_per_second: number; burst: number; monthly_operations: number; max_keys: number };
  limit_overrides: Record<string, number | null>;
  created_at: string;
  updated_at: string;
}

const FREE_LIMITS = { rate_per_second: 10, burst: 20, monthly_operations: 10_000, max_keys: 10 };
const PRO_LIMITS = { rate_per_second: 100, burst: 200, monthly_operations: 5_000_000, max_keys: 1_000 };
const NO_OVERRIDES = { rate_per_second: null, burst: null, monthly_operations: null, max_keys: null };

function patch(id: string, body: unknown) {
  return request("PATCH", `/admin/v1/tenants/${id}`, { admin: true, body });
}

describe("tenants", () => {
  it("creates a tenant with its first admin-role API key (201, token shown once)", async () => {
    const response = await request("POST", "/admin/v1/tenants", { admin: true, body: { name: "  acme  ", plan: "pro" } });
    expect(response.status).toBe(201);
    const body = await json<{ tenant: Tenant; api_key: { id: string; token: string; role: string; scopes: string[]; prefix: string } }>(response);
    expect(body.tenant).toMatchObject({ name: "acme", plan: "pro", status: "active", jurisdiction: null, placement: "default", limits: PRO_LIMITS, limit_overrides: NO_OVERRIDES });
    expect(body.api_key).toMatchObject({ role: "admin", scopes: [...SCOPES], prefix: body.api_key.token.slice(0, 12) });
    expect(body.api_key.token).toMatch(/^pqk_/);

    const self = await request("GET", "/v1/tenant", { token: body.api_key.token });
    expect(await json(self)).toMatchObject({ id: body.tenant.id, name: "acme" });
    const fetched = await request("GET", `/admin/v1/tenants/${body.tenant.id}`, { admin: true });
    expect(fetched.status).toBe(200);
    const tenant = await json<Tenant>(fetched);
    expect(tenant).toEqual(body.tenant);
    expect(JSON.stringify(tenant)).not.toContain(body.api_key.token);
  });

  it("defaults the plan to free", async () => {
    const response = await request("POST", "/admin/v1/tenants", { admin: true, body: { name: "small" } });
    expect((await json<{ tenant: Tenant }>(response)).tenant).toMatchObject({ plan: "free", limits: FREE_LIMITS, jurisdiction: null });
  });

  it("changes the plan, and the effective limits with it", async () => {
    const tenant = await createTenant({ plan: "free" });
    const response = await patch(tenant.id, { plan: "pro" });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ plan: "pro", limits: PRO_LIMITS });
    expect(await json(await request("GET", "/v1/tenant", { token: tenant.token }))).toMatchObject({ plan: "pro" });
  });

  it("sets limit overrides field by field, and null clears one", async () => {
    const tenant = await createTenant({ plan: "free" });
    const set = await json<Tenant>(await patch(tenant.id, { limits: { burst: 7, max_keys: 3 } }));
    expect(set.limits).toEqual({ ...FREE_LIMITS, burst: 7, max_keys: 3 });
    expect(set.limit_overrides).toEqual({ ...NO_OVERRIDES, burst: 7, max_keys: 3 });

    const cleared = await json<Tenant>(await patch(tenant.id, { limits: { burst: null } }));
    expect(cleared.limits).toEqual({ ...FREE_LIMITS, max_keys: 3 });
    expect(cleared.limit_overrides).toEqual({ ...NO_OVERRIDES, max_keys: 3 });
  });

  it("suspends and reactivates a tenant", async () => {
    const tenant = await createTenant();
    expect(await json(await patch(tenant.id, { status: "suspended" }))).toMatchObject({ status: "suspended" });
    await expectProblem(await request("GET", "/v1/tenant", { token: tenant.token }), 403, "tenant_suspended");
    expect(await json(await patch(tenant.id, { status: "active" }))).toMatchObject({ status: "active" });
    expect((await request("GET", "/v1/tenant", { token: tenant.token })).status).toBe(200);
  });

  it("answers 404 tenant_not_found for a tenant that does not exist", async () => {
    const id = crypto.randomUUID();
    await expectProblem(await request("GET", `/admin/v1/tenants/${id}`, { admin: true }), 404, "tenant_not_found");
    await expectProblem(await patch(id, { plan: "pro" }), 404, "tenant_not_found");
    await expectProblem(
      await request("POST", `/admin/v1/tenants/${id}/api-keys`, { admin: true, body: { name: "k", role: "app" } }),
      404,
      "tenant_not_found",
    );
  });

  it.each([
    ["POST", "/admin/v1/tenants", { name: "x", plan: "platinum" }, "body.plan"],
    ["POST", "/admin/v1/tenants", { plan: "pro" }, "body.name"],
    ["POST", "/admin/v1/tenants", { name: "x", jurisdiction: "mars" }, "body.jurisdiction"],
    ["PATCH", "/admin/v1/tenants/ID", { plan: "platinum" }, "body.plan"],
    ["PATCH", "/admin/v1/tenants/ID", { status: "deleted" }, "body.status"],
    ["PATCH", "/admin/v1/tenants/ID", { limits: { burst: 0 } }, "body.limits.burst"],
    ["PATCH", "/admin/v1/tenants/ID", { limits: { rate_per_second: 1.5 } }, "body.limits.rate_per_second"],
    ["PATCH", "/admin/v1/tenants/ID", {}, "body"],
    ["PATCH", "/admin/v1/tenants/not-a-uuid", { plan: "pro" }, "path.id"],
    ["POST", "/admin/v1/tenants/ID/api-keys", { name: "k" }, "body.role"],
  ])("%s %s refuses %j with 400 naming %s", async (method, path, body, field) => {
    const tenant = await createTenant();
    const response = await request(method, path.replace("ID", tenant.id), { admin: true, body });
    const problem = await expectProblem(response, 400, "invalid_request");
    expect(problem.detail).toContain(`${field}:`);
  });
});

describe("API keys issued by the admin", () => {
  it("issues a key for a tenant (201, token shown once) that works for that tenant only", async () => {
    const tenant = await createTenant();
    const other = await createTenant({ name: "other" });
    const response = await request("POST", `/admin/v1/tenants/${tenant.id}/api-keys`, {
      admin: true,
      body: { name: "ops", role: "operator" },
    });
    expect(response.status).toBe(201);
    const key = await json<{ id: string; token: string; role: string; scopes: string[] }>(response);
    expect(key).toMatchObject({ role: "operator", scopes: ["keys:read", "keys:write", "audit:read"] });
    expect(await json(await request("GET", "/v1/tenant", { token: key.token }))).toMatchObject({ id: tenant.id });
    const listed = await json<{ api_keys: { id: string }[] }>(await request("GET", "/v1/api-keys", { token: tenant.token }));
    expect(listed.api_keys.map((k) => k.id)).toContain(key.id);
    const elsewhere = await json<{ api_keys: { id: string }[] }>(await request("GET", "/v1/api-keys", { token: other.token }));
    expect(elsewhere.api_keys.map((k) => k.id)).not.toContain(key.id);
  });
});

describe("admin authentication", () => {
  it("refuses a missing or wrong admin token: 401 invalid_admin_token with WWW-Authenticate", async () => {
    const tenant = await createTenant();
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong-admin-token-0123456789abcdef0123456789" },
      { authorization: `Bearer ${env.ADMIN_TOKEN}x` },
      { authorization: `Bearer ${env.ADMIN_TOKEN.slice(0, -1)}` },
      { authorization: `Basic ${btoa(`admin:${env.ADMIN_TOKEN}`)}` },
      { "x-api-key": env.ADMIN_TOKEN },
    ];
    for (const headers of attempts) {
      for (const [method, path, body] of [
        ["GET", `/admin/v1/tenants/${tenant.id}`, undefined],
        ["POST", "/admin/v1/tenants", { name: "intruder" }],
        ["PATCH", `/admin/v1/tenants/${tenant.id}`, { status: "suspended" }],
      ] as const) {
        const response = await request(method, path, { headers, body });
        await expectProblem(response, 401, "invalid_admin_token");
        const bearerSent = /^Bearer /.test(headers.authorization ?? "");
        expect(response.headers.get("www-authenticate")).toBe(`Bearer realm="pqkms-admin"${bearerSent ? ', error="invalid_token"' : ""}`);
      }
    }
    expect(await json(await request("GET", `/admin/v1/tenants/${tenant.id}`, { admin: true }))).toMatchObject({ status: "active" });
  });

  it("never accepts a tenant API key as the admin token", async () => {
    const tenant = await createTenant();
    const attempts: Record<string, string>[] = [{ authorization: `Bearer ${tenant.token}` }, { "x-api-key": tenant.token }];
    for (const headers of attempts) {
      await expectProblem(await request("GET", `/admin/v1/tenants/${tenant.id}`, { headers }), 401, "invalid_admin_token");
      await expectProblem(await request("POST", "/admin/v1/tenants", { headers, body: { name: "x" } }), 401, "invalid_admin_token");
    }
  });

  it("never accepts the admin token as a tenant API key", async () => {
    await expectProblem(await request("GET", "/v1/tenant", { headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } }), 401, "invalid_api_key");
    await expectProblem(await request("GET", "/v1/tenant", { headers: { "x-api-key": env.ADMIN_TOKEN } }), 401, "invalid_api_key");
  });

  it("accepts the Bearer scheme in any case", async () => {
    const tenant = await createTenant();
    const response = await request("GET", `/admin/v1/tenants/${tenant.id}`, { headers: { authorization: `bearer ${env.ADMIN_TOKEN}` } });
    expect(response.status).toBe(200);
  });
});
