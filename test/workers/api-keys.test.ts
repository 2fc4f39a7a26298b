/**
 * Tenant self-service API keys (architecture §2, §5): creation by role or scopes, key restriction and
 * expiry, the token shown once and stored only as its HMAC, revocation that takes effect at once,
 * and no privilege escalation through `api-keys:manage`.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SCOPES } from "../../workers/shared/scopes.ts";
import { allD1Text, createApiKey, createTenant, expectProblem, json, request, type Json } from "./helpers.ts";

const KEY_1 = "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c";
const KEY_2 = "7c6b5a49-3827-4165-9a0b-1c2d3e4f5a6b";

interface CreatedKey {
  id: string;
  name: string;
  prefix: string;
  role: string | null;
  scopes: string[];
  key_ids: string[] | null;
  expires_at: string | null;
  revoked_at: string | null;
  token: string;
}

async function hmacHex(token: string): Promise<string> {
  const pepper = Uint8Array.from(atob(env.API_KEY_PEPPER), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", pepper, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(token)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Every property name and every string value in a JSON document. */
function walk(value: unknown, names: string[] = [], strings: string[] = []): { names: string[]; strings: string[] } {
  if (typeof value === "string") strings.push(value);
  else if (Array.isArray(value)) for (const item of value) walk(item, names, strings);
  else if (typeof value === "object" && value !== null) {
    for (const [name, inner] of Object.entries(value)) {
      names.push(name);
      walk(inner, names, strings);
    }
  }
  return { names, strings };
}

describe("POST /v1/api-keys", () => {
  it("creates a key from a role, with its scopes expanded, and shows the token once", async () => {
    const tenant = await createTenant();
    const response = await request("POST", "/v1/api-keys", { token: tenant.token, body: { name: "ci", role: "app" } });
    expect(response.status).toBe(201);
    const key = await json<CreatedKey>(response);
    expect(key).toMatchObject({ name: "ci", role: "app", key_ids: null, expires_at: null, revoked_at: null });
    expect(key.scopes).toEqual(["keys:read", "crypto:encrypt", "crypto:decrypt", "crypto:sign", "crypto:verify"]);
    expect(key.token).toMatch(/^pqk_[0-9A-Za-z]{49}$/);
    expect(key.prefix).toBe(key.token.slice(0, 12));
    const listed = (await json<{ api_keys: Json[] }>(await request("GET", "/v1/api-keys", { token: tenant.token }))).api_keys;
    expect(listed.find((k) => k.id === key.id)).not.toHaveProperty("token");
  });

  it("creates a key from explicit scopes, normalised to canonical order without duplicates", async () => {
    const tenant = await createTenant();
    const key = await createApiKey<CreatedKey>(tenant, { name: "reader", scopes: ["audit:read", "keys:read", "audit:read"] });
    expect(key).toMatchObject({ role: null, scopes: ["keys:read", "audit:read"] });
  });

  it.each([
    ["both role and scopes", { name: "x", role: "app", scopes: ["keys:read"] }, "body.role"],
    ["neither role nor scopes", { name: "x" }, "body.role"],
    ["an unknown role", { name: "x", role: "root" }, "body.role"],
    ["an unknown scope", { name: "x", scopes: ["keys:everything"] }, "body.scopes.0"],
    ["an empty scope list", { name: "x", scopes: [] }, "body.scopes"],
    ["no name", { role: "app" }, "body.name"],
    ["a key id that is not a UUID", { name: "x", role: "app", key_ids: ["not-a-uuid"] }, "body.key_ids.0"],
    ["an expiry that is not a date", { name: "x", role: "app", expires_at: "tomorrow" }, "body.expires_at"],
    ["an expiry in the past", { name: "x", role: "app", expires_at: "2001-01-01T00:00:00Z" }, "body.expires_at"],
    ["an expiry beyond five years", { name: "x", role: "app", expires_at: "2999-01-01T00:00:00Z" }, "body.expires_at"],
  ])("refuses %s with 400 naming the field", async (_case, body, field) => {
    const tenant = await createTenant();
    const problem = await expectProblem(await request("POST", "/v1/api-keys", { token: tenant.token, body }), 400, "invalid_request");
    expect(problem.detail).toContain(`${field}:`);
  });

  it("restricts a key to key ids (lower-cased, de-duplicated) and records an expiry", async () => {
    const tenant = await createTenant();
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const key = await createApiKey<CreatedKey>(tenant, {
      name: "restricted",
      role: "app",
      key_ids: [KEY_1.toUpperCase(), KEY_1, KEY_2],
      expires_at: expires,
    });
    expect(key.key_ids).toEqual([KEY_1, KEY_2]);
    expect(key.expires_at).toBe(expires);
    expect((await request("GET", "/v1/tenant", { token: key.token })).status).toBe(200);
  });
});

describe("GET /v1/api-keys", () => {
  it("never shows a token or a token hash", async () => {
    const tenant = await createTenant();
    const tokens = [tenant.token];
    for (const role of ["app", "auditor", "operator"]) tokens.push((await createApiKey(tenant, { name: role, role })).token);
    const hashes = (await env.DB.prepare("SELECT token_hash FROM api_keys").all<{ token_hash: string }>()).results.map((r) => r.token_hash);
    expect(hashes).toContain(await hmacHex(tenant.token));

    const response = await request("GET", "/v1/api-keys", { token: tenant.token });
    const text = await response.text();
    const { names, strings } = walk(JSON.parse(text));
    expect((JSON.parse(text) as { api_keys: unknown[] }).api_keys).toHaveLength(4);
    expect(names.filter((n) => /token|hash|secret|pepper/i.test(n))).toEqual([]);
    for (const secret of [...tokens, ...hashes]) {
      expect(strings).not.toContain(secret);
      expect(text).not.toContain(secret);
    }
  });
});

describe("DELETE /v1/api-keys/:id", () => {
  it("revokes: the token is refused at once, the key is listed as revoked, a second DELETE is 404", async () => {
    const tenant = await createTenant();
    const key = await createApiKey(tenant, { name: "temp", role: "auditor" });
    expect((await request("GET", "/v1/tenant", { token: key.token })).status).toBe(200);
    const deleted = await request("DELETE", `/v1/api-keys/${key.id}`, { token: tenant.token });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe("");
    await expectProblem(await request("GET", "/v1/tenant", { token: key.token }), 401, "invalid_api_key");
    const listed = (await json<{ api_keys: CreatedKey[] }>(await request("GET", "/v1/api-keys", { token: tenant.token }))).api_keys;
    expect(listed.find((k) => k.id === key.id)?.revoked_at).toEqual(expect.any(String));
    await expectProblem(await request("DELETE", `/v1/api-keys/${key.id}`, { token: tenant.token }), 404, "api_key_not_found");
  });

  it("lets a key revoke itself, after which it is refused", async () => {
    const tenant = await createTenant();
    expect((await request("DELETE", `/v1/api-keys/${tenant.apiKeyId}`, { token: tenant.token })).status).toBe(204);
    await expectProblem(await request("GET", "/v1/api-keys", { token: tenant.token }), 401, "invalid_api_key");
  });

  it("refuses an id that is not a UUID with 400 naming path.id", async () => {
    const tenant = await createTenant();
    const problem = await expectProblem(await request("DELETE", "/v1/api-keys/not-a-uuid", { token: tenant.token }), 400, "invalid_request");
    expect(problem.detail).toContain("path.id:");
  });
});

describe("no privilege escalation", () => {
  it("refuses to mint scopes the caller does not hold: 403 access_denied, rule scopes", async () => {
    const tenant = await createTenant();
    const manager = await createApiKey(tenant, { name: "manager", scopes: ["api-keys:manage", "keys:read"] });
    for (const body of [
      { name: "signer", scopes: ["crypto:sign"] },
      { name: "mixed", scopes: ["keys:read", "crypto:sign"] },
      { name: "admin", role: "admin" },
    ]) {
      const problem = await expectProblem(await request("POST", "/v1/api-keys", { token: manager.token, body }), 403, "access_denied");
      expect(problem.rule).toBe("scopes");
    }
    const subset = await request("POST", "/v1/api-keys", { token: manager.token, body: { name: "reader", scopes: ["keys:read"] } });
    expect(subset.status).toBe(201);
  });

  it("keeps a key-restricted manager within its key ids", async () => {
    const tenant = await createTenant();
    const manager = await createApiKey(tenant, { name: "scoped manager", role: "admin", key_ids: [KEY_1, KEY_2] });
    for (const body of [
      { name: "unrestricted", role: "app" },
      { name: "outside", role: "app", key_ids: [crypto.randomUUID()] },
    ]) {
      await expectProblem(await request("POST", "/v1/api-keys", { token: manager.token, body }), 403, "access_denied");
    }
    const inside = await request("POST", "/v1/api-keys", { token: manager.token, body: { name: "inside", role: "app", key_ids: [KEY_2.toUpperCase()] } });
    expect(inside.status).toBe(201);
    expect((await json<CreatedKey>(inside)).key_ids).toEqual([KEY_2]);
  });

  it("refuses to mint a key that outlives the caller's own expiry", async () => {
    const tenant = await createTenant();
    const callerExpiry = Date.now() + 3_600_000;
    const manager = await createApiKey(tenant, { name: "temporary manager", role: "admin", expires_at: new Date(callerExpiry).toISOString() });
    for (const body of [
      { name: "forever", role: "app" },
      { name: "later", role: "app", expires_at: new Date(callerExpiry + 60_000).toISOString() },
    ]) {
      const problem = await expectProblem(await request("POST", "/v1/api-keys", { token: manager.token, body }), 403, "access_denied");
      expect(problem.detail).toMatch(/expir/);
    }
    const within = await request("POST", "/v1/api-keys", {
      token: manager.token,
      body: { name: "within", role: "app", expires_at: new Date(callerExpiry).toISOString() },
    });
    expect(within.status).toBe(201);
  });

  it("refuses every API-key route to a key without api-keys:manage: 403 access_denied, rule scopes", async () => {
    const tenant = await createTenant();
    for (const role of ["operator", "app", "auditor"]) {
      const key = await createApiKey(tenant, { name: role, role });
      const attempts = [
        request("POST", "/v1/api-keys", { token: key.token, body: { name: "x", scopes: ["keys:read"] } }),
        request("GET", "/v1/api-keys", { token: key.token }),
        request("DELETE", `/v1/api-keys/${tenant.apiKeyId}`, { token: key.token }),
      ];
      for (const response of await Promise.all(attempts)) {
        expect((await expectProblem(response, 403, "access_denied")).rule).toBe("scopes");
      }
    }
    expect((await request("GET", "/v1/tenant", { token: tenant.token })).status).toBe(200);
  });

  it("lets the tenant's first (admin-role) key mint a key with every scope", async () => {
    const tenant = await createTenant();
    const key = await createApiKey<CreatedKey>(tenant, { name: "everything", scopes: [...SCOPES] });
    expect(key.scopes).toEqual([...SCOPES]);
  });
});

describe("token storage", () => {
  it("stores the token nowhere in D1: only its HMAC and its display prefix", async () => {
    const tenant = await createTenant();
    const key = await createApiKey(tenant, { name: "scanned", role: "app" });
    expect((await request("GET", "/v1/tenant", { token: key.token })).status).toBe(200);
    const values = await allD1Text();
    const secretParts = [key.token, key.token.slice(12), key.token.slice(4, 47), key.token.slice(-20), tenant.token, tenant.token.slice(12)];
    for (const part of secretParts) expect(values.filter((v) => v.includes(part))).toEqual([]);
    // The scan does see this key's row: its prefix and its HMAC are there.
    expect(values).toContain(key.token.slice(0, 12));
    expect(values).toContain(await hmacHex(key.token));
  });
});

describe("API key changes in the audit log", () => {
  it("records creating and revoking an API key in the tenant's chain, never the token", async () => {
    const tenant = await createTenant();
    const created = await createApiKey(tenant, { name: "ci", role: "app" });
    expect((await request("DELETE", `/v1/api-keys/${created.id}`, { token: tenant.token })).status).toBe(204);
    const response = await request("GET", "/v1/audit-events?limit=10", { token: tenant.token });
    const { events } = await json<{ events: { operation: string; outcome: string; detail: string | null; api_key_id: string }[] }>(response);
    const changes = events.filter((e) => e.operation.startsWith("api-keys.")).map((e) => e.operation);
    expect(changes).toEqual(["api-keys.revoke", "api-keys.create"]);
    for (const event of events) {
      expect(event.api_key_id).toBe(tenant.apiKeyId);
      expect(event.detail ?? "").not.toContain(created.token.slice(12));
    }
    const verify = await json(await request("GET", "/v1/audit-events/verify", { token: tenant.token }));
    expect(verify).toMatchObject({ valid: true });
  });
});
