import { describe, expect, it } from "vitest";
import { createTenant, expectProblem, json, request } from "./helpers.ts";

describe("GET /v1/tenant", () => {
  it("answers the caller's tenant with its key count from the vault, through all seven stages", async () => {
    const tenant = await createTenant({ name: "acme", plan: "pro" });
    const response = await request("GET", "/v1/tenant", { token: tenant.token });
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toMatchObject({ id: tenant.id, name: "acme", plan: "pro", status: "active", key_count: 0 });
    expect(response.headers.get("ratelimit-policy")).toMatch(/^"tenant";q=\d+;w=\d+$/);
    expect(response.headers.get("ratelimit")).toMatch(/^"tenant";r=\d+;t=\d+$/);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("names the calling API key and its scopes (never its token), so a client can tell what it may do", async () => {
    const tenant = await createTenant({ name: "acme", plan: "pro" });
    const created = await json(
      await request("POST", "/v1/api-keys", { token: tenant.token, body: { name: "reader", scopes: ["keys:read"] } }),
    );
    const own = await json(await request("GET", "/v1/tenant", { token: created.token as string }));
    expect(own.api_key).toMatchObject({ id: created.id, name: "reader", role: null, scopes: ["keys:read"], key_ids: null, revoked_at: null });
    expect(own.api_key).not.toHaveProperty("token");
    const admin = await json(await request("GET", "/v1/tenant", { token: tenant.token }));
    expect((admin.api_key as { scopes: string[] }).scopes).toEqual(expect.arrayContaining(["api-keys:manage", "crypto:encrypt", "audit:read"]));
  });

  it("refuses a request without an API key", async () => {
    await expectProblem(await request("GET", "/v1/tenant"), 401, "missing_api_key");
  });
});
