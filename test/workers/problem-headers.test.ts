/**
 * Headers that belong to failures. RFC 9110 §11.6.1: every 401 the gateway answers carries a
 * `WWW-Authenticate` challenge, on every authenticated route; RFC 6750 §3: `error="invalid_token"`
 * is added only when a credential was sent and refused, never to a request that sent none.
 * RFC 9110 §10.2.3: a 503 for an unavailable dependency says when to retry.
 */
import { describe, expect, it } from "vitest";
import { ROUTES } from "../../workers/gateway/src/app.ts";
import { createApiKey, createTenant, expectProblem, failingBinding, request, requestWithEnv, revokeApiKey, unknownToken } from "./helpers.ts";

const SAMPLE_ID = "00000000-0000-4000-8000-000000000000";
const concrete = (path: string) => path.replace(/:(\w+)/g, SAMPLE_ID);
const BARE = 'Bearer realm="pqkms"';
const INVALID = 'Bearer realm="pqkms", error="invalid_token"';

describe("WWW-Authenticate on 401", () => {
  it("every tenant route challenges a request without a key, and refuses an unknown key as invalid_token", async () => {
    const tenantRoutes = ROUTES.filter((r) => r.access.kind === "tenant");
    expect(tenantRoutes.length).toBeGreaterThan(20);
    for (const route of tenantRoutes) {
      const path = concrete(route.path);
      const method = route.method.toUpperCase();
      const missing = await request(method, path);
      await expectProblem(missing, 401, "missing_api_key");
      expect(missing.headers.get("www-authenticate"), `${method} ${path}`).toBe(BARE);
      const unknown = await request(method, path, { token: unknownToken() });
      await expectProblem(unknown, 401, "invalid_api_key");
      expect(unknown.headers.get("www-authenticate"), `${method} ${path}`).toBe(INVALID);
    }
  });

  it("a revoked key, a malformed key and two different keys are invalid_token", async () => {
    const tenant = await createTenant();
    const key = await createApiKey(tenant, { name: "short-lived", role: "auditor" });
    await revokeApiKey(tenant, key.id);
    const attempts: { token?: string; headers?: Record<string, string> }[] = [
      { token: key.token },
      { headers: { "x-api-key": "pqk_not-a-real-key" } },
      { headers: { "x-api-key": tenant.token, authorization: `Bearer ${unknownToken()}` } },
    ];
    for (const options of attempts) {
      const response = await request("GET", "/v1/tenant", options);
      await expectProblem(response, 401, "invalid_api_key");
      expect(response.headers.get("www-authenticate")).toBe(INVALID);
    }
  });

  it("admin routes challenge in their own realm, with invalid_token only for a refused Bearer token", async () => {
    const admin = ROUTES.filter((r) => r.access.kind === "admin");
    expect(admin.length).toBeGreaterThan(5);
    for (const route of admin) {
      const path = concrete(route.path);
      const method = route.method.toUpperCase();
      const none = await request(method, path);
      await expectProblem(none, 401, "invalid_admin_token");
      expect(none.headers.get("www-authenticate"), `${method} ${path}`).toBe('Bearer realm="pqkms-admin"');
      const wrong = await request(method, path, { headers: { authorization: "Bearer not-the-admin-token-0123456789abcdef" } });
      await expectProblem(wrong, 401, "invalid_admin_token");
      expect(wrong.headers.get("www-authenticate"), `${method} ${path}`).toBe('Bearer realm="pqkms-admin", error="invalid_token"');
    }
  });

  it("/metrics challenges in its realm", async () => {
    const response = await request("GET", "/metrics");
    await expectProblem(response, 401, "invalid_admin_token");
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="pqkms-metrics"');
  });

  it("no other status carries a challenge", async () => {
    const tenant = await createTenant();
    for (const response of [await request("GET", "/v1/tenant", { token: tenant.token }), await request("GET", "/nowhere")]) {
      expect(response.headers.get("www-authenticate")).toBeNull();
    }
  });
});

describe("Retry-After on 503", () => {
  it("a dependency outage says when to retry; a misconfiguration does not", async () => {
    const tenant = await createTenant();
    const { binding: db } = failingBinding<D1Database>("D1");
    const outage = await requestWithEnv({ DB: db }, "GET", "/v1/tenant", { token: tenant.token });
    await expectProblem(outage, 503, "database_unavailable");
    expect(Number(outage.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const misconfigured = await requestWithEnv({ ADMIN_TOKEN: "" }, "GET", "/v1/tenant", { token: tenant.token });
    await expectProblem(misconfigured, 503, "misconfigured");
    expect(misconfigured.headers.get("retry-after")).toBeNull();
  });
});
