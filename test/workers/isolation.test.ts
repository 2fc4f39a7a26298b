/**
 * Tenant isolation (architecture §3): the tenant id that reaches any later stage comes only from the
 * resolved API key. A tenant id offered in a header is ignored; in the query or the body it is an
 * unknown name, refused with 400 before anything is done; and another tenant's API key ids answer
 * exactly like ids that do not exist.
 */
import { describe, expect, it } from "vitest";
import type { CallContext, PolicyRequest } from "../../workers/shared/rpc.ts";
import { createApiKey, createTenant, expectProblem, json, request, requestWithEnv } from "./helpers.ts";

interface ApiKeyList {
  api_keys: { id: string; name: string }[];
}

async function listApiKeys(token: string): Promise<ApiKeyList["api_keys"]> {
  const response = await request("GET", "/v1/api-keys", { token });
  expect(response.status).toBe(200);
  return (await json<ApiKeyList>(response)).api_keys;
}

describe("tenant id from the API key only", () => {
  it("ignores a tenant id in any header", async () => {
    const a = await createTenant({ name: "alpha" });
    const b = await createTenant({ name: "bravo" });
    const headers = {
      "x-tenant-id": b.id,
      "x-pqkms-tenant": b.id,
      tenant: b.id,
      "tenant-id": b.id,
      forwarded: `for=1.2.3.4;tenant=${b.id}`,
      cookie: `tenant_id=${b.id}`,
    };
    const response = await request("GET", "/v1/tenant", { token: a.token, headers });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ id: a.id, name: "alpha" });
  });

  it("refuses a tenant id in the query, naming it: no request can name another tenant", async () => {
    const a = await createTenant({ name: "alpha" });
    const b = await createTenant({ name: "bravo" });
    const response = await request("GET", `/v1/tenant?tenant_id=${b.id}&tenantId=${b.id}&tenant=${b.id}`, { token: a.token });
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ code: "invalid_request", detail: expect.stringContaining('"tenant_id"') });
    const viaQuery = await request("GET", `/v1/api-keys?tenant_id=${b.id}`, { token: a.token });
    expect(await json(viaQuery)).toMatchObject({ status: 400, detail: 'query: unknown name "tenant_id"' });
    expect(await json(await request("GET", "/v1/tenant", { token: a.token }))).toMatchObject({ id: a.id });
  });

  it("refuses a tenant id in the body, naming it: nothing is created for either tenant", async () => {
    const a = await createTenant({ name: "alpha" });
    const b = await createTenant({ name: "bravo" });
    const [keysOfA, keysOfB] = [await listApiKeys(a.token), await listApiKeys(b.token)];
    const body = JSON.stringify({ name: "smuggled", role: "auditor", tenant_id: b.id, tenantId: b.id });
    const response = await request("POST", "/v1/api-keys", { token: a.token, body });
    expect(await json(response)).toMatchObject({ status: 400, code: "invalid_request", detail: 'body: unknown name "tenant_id", "tenantId"' });
    expect(await listApiKeys(a.token)).toEqual(keysOfA);
    expect(await listApiKeys(b.token)).toEqual(keysOfB);
  });

  it("lists only the caller's own API keys", async () => {
    const a = await createTenant({ name: "alpha" });
    const b = await createTenant({ name: "bravo" });
    await createApiKey(b, { name: "bravo-only", role: "app" });
    const names = (await listApiKeys(a.token)).map((k) => k.name);
    expect(names).toEqual(["admin"]);
    expect((await listApiKeys(b.token)).map((k) => k.name).sort()).toEqual(["admin", "bravo-only"]);
  });
});

describe("what the internal Workers are told", () => {
  it("passes the key's tenant and API key id to policy and kms, whatever the request claims", async () => {
    const a = await createTenant({ name: "alpha" });
    const b = await createTenant({ name: "bravo" });
    const seen: { policy: PolicyRequest[]; kms: CallContext[] } = { policy: [], kms: [] };
    const policy = {
      evaluate: async (request: PolicyRequest) => {
        seen.policy.push(request);
        return { allow: true };
      },
    } as unknown as Env["POLICY"];
    const kms = {
      vaultSummary: async (call: CallContext) => {
        seen.kms.push(call);
        return { ok: true, value: { tenantId: call.tenantId, keyCount: 0 } };
      },
    } as unknown as Env["KMS"];
    const claims = { "x-tenant-id": b.id, "x-api-key-id": b.apiKeyId, "x-request-id": `req-${b.id}` };
    const response = await requestWithEnv({ POLICY: policy, KMS: kms }, "GET", "/v1/tenant", { token: a.token, headers: claims });
    expect(response.status).toBe(200);
    expect(seen.policy).toEqual([expect.objectContaining({ tenantId: a.id, apiKeyId: a.apiKeyId, operation: "tenant.read" })]);
    // The placement is the key's tenant's own (default here), never anything the request says.
    expect(seen.kms).toEqual([{ tenantId: a.id, apiKeyId: a.apiKeyId, requestId: `req-${b.id}`, placement: "default" }]);
  });
});

describe("another tenant's API keys", () => {
  it("answers DELETE of another tenant's API key id exactly like an unknown id, and leaves it working", async () => {
    const a = await createTenant({ name: "alpha" });
    const b = await createTenant({ name: "bravo" });
    const victim = await createApiKey(b, { name: "victim", role: "auditor" });

    const foreign = await expectProblem(await request("DELETE", `/v1/api-keys/${victim.id}`, { token: a.token }), 404, "api_key_not_found");
    const unknown = await expectProblem(
      await request("DELETE", `/v1/api-keys/${crypto.randomUUID()}`, { token: a.token }),
      404,
      "api_key_not_found",
    );
    expect({ ...foreign, request_id: "" }).toEqual({ ...unknown, request_id: "" });

    const upper = await request("DELETE", `/v1/api-keys/${victim.id.toUpperCase()}`, { token: a.token });
    await expectProblem(upper, 404, "api_key_not_found");

    const still = await request("GET", "/v1/tenant", { token: victim.token });
    expect(still.status).toBe(200);
    expect(await json(still)).toMatchObject({ id: b.id });
    expect((await listApiKeys(b.token)).find((k) => k.id === victim.id)).toMatchObject({ revoked_at: null });
  });

  it("cannot revoke another tenant's first (admin) key either", async () => {
    const a = await createTenant({ name: "alpha" });
    const b = await createTenant({ name: "bravo" });
    await expectProblem(await request("DELETE", `/v1/api-keys/${b.apiKeyId}`, { token: a.token }), 404, "api_key_not_found");
    expect((await request("GET", "/v1/tenant", { token: b.token })).status).toBe(200);
  });
});
