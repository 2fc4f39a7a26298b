/**
 * Data residency (architecture §2): a tenant's vault, signer and rate limiter live in the namespace
 * its recorded placement names. Through the real gateway and kms: a tenant created with a jurisdiction
 * is placed there, a jurisdiction cannot move once there are keys, and a tenant created before
 * placement was recorded keeps reaching its vault in the default namespace.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectProblem, json, request } from "./helpers.ts";

const b64 = (text: string) => btoa(text);

interface Created {
  tenant: { id: string; jurisdiction: string | null; placement: string };
  api_key: { token: string };
}

async function tenantIn(jurisdiction?: "eu" | "fedramp"): Promise<Created> {
  const response = await request("POST", "/admin/v1/tenants", { admin: true, body: { name: "resident", ...(jurisdiction ? { jurisdiction } : {}) } });
  expect(response.status).toBe(201);
  return json<Created>(response);
}

async function roundTrip(token: string, keyId: string) {
  const enc = await request("POST", `/v1/keys/${keyId}/encrypt`, { token, body: { plaintext: b64("hello") } });
  expect(enc.status, await enc.clone().text()).toBe(200);
  const { ciphertext } = await json<{ ciphertext: string }>(enc);
  const dec = await request("POST", `/v1/keys/${keyId}/decrypt`, { token, body: { ciphertext } });
  expect(dec.status, await dec.clone().text()).toBe(200);
  expect(atob((await json<{ plaintext: string }>(dec)).plaintext)).toBe("hello");
}

async function createKey(token: string): Promise<string> {
  const created = await request("POST", "/v1/keys", { token, body: { algorithm: "ML-KEM-768" } });
  expect(created.status, await created.clone().text()).toBe(201);
  return (await json<{ id: string }>(created)).id;
}

/** Rewrites the tenant's row behind the API (as a row from before placement was recorded), then drops the gateway's cached copy. */
async function rewriteRow(id: string, set: string) {
  await env.DB.prepare(`UPDATE tenants SET ${set} WHERE id = ?`).bind(id).run();
  const evicted = await request("PATCH", `/admin/v1/tenants/${id}`, { admin: true, body: { status: "active" } });
  expect(evicted.status).toBe(200);
}

describe("data residency", () => {
  // workerd (local and in tests) has no jurisdictions: `jurisdiction()` throws. A placed tenant's
  // requests therefore fail closed here (503), never falling back to the default namespace.
  it("locally, workerd refuses a jurisdiction subnamespace outright", () => {
    expect(() => env.RATE_LIMITER.jurisdiction("eu")).toThrow("Jurisdiction restrictions are not implemented in workerd");
  });

  it("a tenant created with jurisdiction eu is placed there: locally its requests fail closed, and nothing lands in the default namespace", async () => {
    const { tenant, api_key } = await tenantIn("eu");
    expect(tenant).toMatchObject({ jurisdiction: "eu", placement: "eu" });
    await expectProblem(await request("POST", "/v1/keys", { token: api_key.token, body: { algorithm: "ML-KEM-768" } }), 503, "rate_limiter_unavailable");
    // The kms places the vault by the call's placement, not by the tenant id alone: the ids it derives
    // are checked in test/node/shared/placement.test.ts and test/vault/placement.test.ts (a direct kms
    // call here would only rethrow workerd's refusal across RPC).
    // The same tenant read as default-placed reaches the default namespace's vault: empty.
    await rewriteRow(tenant.id, "placement = 'default'");
    expect(await json(await request("GET", "/v1/keys", { token: api_key.token }))).toMatchObject({ keys: [] });
  });

  it("a tenant without a jurisdiction stays in the default namespace and works end to end", async () => {
    const { tenant, api_key } = await tenantIn();
    expect(tenant).toMatchObject({ jurisdiction: null, placement: "default" });
    await roundTrip(api_key.token, await createKey(api_key.token));
  });

  it("the jurisdiction may change while the tenant has no keys, and is refused (409 naming the field) once it has", async () => {
    const { tenant, api_key } = await tenantIn();
    const keyId = await createKey(api_key.token);
    const refused = await expectProblem(
      await request("PATCH", `/admin/v1/tenants/${tenant.id}`, { admin: true, body: { jurisdiction: "eu", plan: "pro" } }),
      409,
      "conflict",
    );
    expect(refused.detail).toContain("body.jurisdiction");
    // Nothing of the refused change was written, and the key is still where it was.
    expect(await json(await request("GET", `/admin/v1/tenants/${tenant.id}`, { admin: true }))).toMatchObject({ plan: "free", jurisdiction: null, placement: "default" });
    await roundTrip(api_key.token, keyId);

    const empty = await tenantIn();
    const moved = await request("PATCH", `/admin/v1/tenants/${empty.tenant.id}`, { admin: true, body: { jurisdiction: "fedramp" } });
    expect(moved.status).toBe(200);
    expect(await json(moved)).toMatchObject({ jurisdiction: "fedramp", placement: "fedramp" });
  });

  it("a tenant row from before placement was recorded (jurisdiction eu, placement default) keeps reaching its vault", async () => {
    const { tenant, api_key } = await tenantIn();
    const keyId = await createKey(api_key.token);
    await rewriteRow(tenant.id, "jurisdiction = 'eu'");
    expect(await json(await request("GET", `/admin/v1/tenants/${tenant.id}`, { admin: true }))).toMatchObject({ jurisdiction: "eu", placement: "default" });
    await roundTrip(api_key.token, keyId);
  });
});
