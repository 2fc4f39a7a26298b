/**
 * The tenant's own policy rules (architecture §4 rule 5) through `/v1/policy-rules`: create, list and
 * delete, each change audited; validation that names the field; and their effect through the
 * policy Worker — a source-IP allow-list judged on `CF-Connecting-IP`, and operation denies by
 * name or family.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createTenant, expectProblem, failingBinding, json, request, requestWithEnv, type TestTenant } from "./helpers.ts";
import { b64, createKey } from "./kms-helpers.ts";
import { auditEvents } from "./policy-helpers.ts";

interface Rule {
  id: string;
  kind: string;
  value: string;
  created_at: string;
}

const from = (ip: string) => ({ "cf-connecting-ip": ip });

async function addRule(tenant: TestTenant, body: unknown, headers?: Record<string, string>): Promise<Rule> {
  const response = await request("POST", "/v1/policy-rules", { token: tenant.token, body, ...(headers ? { headers } : {}) });
  expect(response.status, await response.clone().text()).toBe(201);
  return json<Rule>(response);
}

async function listRules(tenant: TestTenant, headers?: Record<string, string>): Promise<Rule[]> {
  const response = await request("GET", "/v1/policy-rules", { token: tenant.token, ...(headers ? { headers } : {}) });
  expect(response.status).toBe(200);
  return (await json<{ rules: Rule[] }>(response)).rules;
}

describe("managing rules", () => {
  it("creates, lists and deletes a rule", async () => {
    const tenant = await createTenant({ name: "rules", plan: "enterprise" });
    expect(await listRules(tenant)).toEqual([]);
    const rule = await addRule(tenant, { kind: "operation_deny", value: "crypto.sign" });
    expect(rule).toEqual({ id: expect.any(String), kind: "operation_deny", value: "crypto.sign", created_at: expect.any(String) });
    expect(await listRules(tenant)).toEqual([rule]);

    expect((await request("DELETE", `/v1/policy-rules/${rule.id}`, { token: tenant.token })).status).toBe(204);
    expect(await listRules(tenant)).toEqual([]);
    await expectProblem(await request("DELETE", `/v1/policy-rules/${rule.id}`, { token: tenant.token }), 404, "not_found");
  });

  it("records every change in the tenant's audit log, before it is made", async () => {
    const tenant = await createTenant({ name: "audited", plan: "enterprise" });
    const created = await request("POST", "/v1/policy-rules", { token: tenant.token, body: { kind: "operation_deny", value: "crypto.*" } });
    const rule = await json<Rule>(created);
    const deleted = await request("DELETE", `/v1/policy-rules/${rule.id}`, { token: tenant.token });
    expect(deleted.status).toBe(204);
    const { events } = await auditEvents(tenant, "operation=policy-rules.create");
    expect(events).toEqual([
      expect.objectContaining({ outcome: "allowed", severity: "info", api_key_id: tenant.apiKeyId, request_id: created.headers.get("x-request-id"), detail: `operation_deny crypto.* (rule ${rule.id})` }),
    ]);
    const removals = (await auditEvents(tenant, "operation=policy-rules.delete")).events;
    expect(removals).toEqual([expect.objectContaining({ request_id: deleted.headers.get("x-request-id"), detail: `operation_deny crypto.* (rule ${rule.id})` })]);

    // A change whose audit event cannot be written is not made.
    const { binding: kms } = failingBinding<Env["KMS"]>("kms");
    const refused = await requestWithEnv({ KMS: kms }, "POST", "/v1/policy-rules", { token: tenant.token, body: { kind: "operation_deny", value: "keys.*" } });
    await expectProblem(refused, 503, "kms_unavailable");
    expect(await listRules(tenant)).toEqual([]);
  });

  it("keeps each tenant's rules to itself: another tenant neither sees nor deletes them", async () => {
    const owner = await createTenant({ name: "owner", plan: "enterprise" });
    const other = await createTenant({ name: "other", plan: "enterprise" });
    const rule = await addRule(owner, { kind: "operation_deny", value: "keys.*" });
    expect(await listRules(other)).toEqual([]);
    await expectProblem(await request("DELETE", `/v1/policy-rules/${rule.id}`, { token: other.token }), 404, "not_found");
    expect(await listRules(owner)).toEqual([rule]);
    expect((await request("GET", "/v1/keys", { token: other.token })).status).toBe(200);
  });

  it("accepts IPv4 and IPv6 ranges and single addresses", async () => {
    const tenant = await createTenant({ name: "ranges", plan: "enterprise" });
    const inside = from("192.0.2.1");
    for (const value of ["192.0.2.0/24", "192.0.2.1", "2001:db8::/32", "::ffff:192.0.2.0/120", "0.0.0.0/0"]) {
      expect((await addRule(tenant, { kind: "ip_allow", value }, inside)).value).toBe(value);
    }
  });

  it("keeps at most 50 rules per tenant", async () => {
    const tenant = await createTenant({ name: "many", plan: "enterprise" });
    const insert = env.DB.prepare("INSERT INTO tenant_rules (tenant_id, id, kind, value, created_at) VALUES (?, ?, 'operation_deny', 'crypto.sign', ?)");
    await env.DB.batch(Array.from({ length: 49 }, () => insert.bind(tenant.id, crypto.randomUUID(), Date.now())));
    await addRule(tenant, { kind: "operation_deny", value: "crypto.sign" });
    expect(await listRules(tenant)).toHaveLength(50);
    const problem = await expectProblem(
      await request("POST", "/v1/policy-rules", { token: tenant.token, body: { kind: "operation_deny", value: "crypto.sign" } }),
      400,
      "invalid_request",
    );
    expect(problem.detail).toContain("50");
  });
});

const REFUSED: [Record<string, unknown>, string][] = [
    [{ kind: "ip_allow", value: "999.0.0.0/8" }, "body.value"],
    [{ kind: "ip_allow", value: "10.0.0.0/33" }, "body.value"],
    [{ kind: "ip_allow", value: "2001:db8::/129" }, "body.value"],
    [{ kind: "ip_allow", value: "1::2::3/64" }, "body.value"],
    [{ kind: "ip_allow", value: "::::" }, "body.value"],
    [{ kind: "ip_allow", value: " 10.0.0.0/8" }, "body.value"],
    [{ kind: "ip_allow", value: "example.com" }, "body.value"],
    [{ kind: "ip_allow" }, "body.value"],
    [{ kind: "operation_deny", value: "crypto.teleport" }, "body.value"],
    [{ kind: "operation_deny", value: "nothing.*" }, "body.value"],
    [{ kind: "operation_deny", value: "*" }, "body.value"],
    [{ kind: "operation_deny", value: "crypto" }, "body.value"],
    [{ kind: "operation_deny", value: "policy-rules.delete" }, "body.value"],
    [{ kind: "operation_deny", value: "policy-rules.*" }, "body.value"],
    [{ kind: "rate_limit", value: "10" }, "body.kind"],
];

describe("validation", () => {
  // A tenant per refused input, so that a rule wrongly stored by one case cannot fail the others.
  const tenants: TestTenant[] = [];
  beforeAll(async () => {
    tenants.push(...(await Promise.all(REFUSED.map(() => createTenant({ name: "validation", plan: "enterprise" })))));
  });

  it.each(REFUSED.map(([body, field], i) => [body, field, i] as const))("refuses %j: 400 naming %s", async (body, field, i) => {
    const tenant = tenants[i] as TestTenant;
    const problem = await expectProblem(await request("POST", "/v1/policy-rules", { token: tenant.token, body }), 400, "invalid_request");
    expect(problem.detail).toContain(field);
    expect(await listRules(tenant)).toEqual([]);
  });
});

describe("rules in force", () => {
  it("an ip_allow rule admits requests from inside its range only: outside, or no address, is 403 rule tenant_ip_allow", async () => {
    const tenant = await createTenant({ name: "allow-list", plan: "enterprise" });
    const rule = await addRule(tenant, { kind: "ip_allow", value: "203.0.113.0/24" });
    const get = (headers: Record<string, string>) => request("GET", "/v1/tenant", { token: tenant.token, headers });

    expect((await get(from("203.0.113.7"))).status).toBe(200);
    for (const outside of ["198.51.100.7", "203.0.114.1", "2001:db8::1", "not-an-address"]) {
      const problem = await expectProblem(await get(from(outside)), 403, "access_denied");
      expect(problem.rule).toBe("tenant_ip_allow");
    }
    expect((await expectProblem(await get({}), 403, "access_denied")).rule).toBe("tenant_ip_allow");

    // The rules API is behind the allow-list too: from outside, the rule cannot be removed.
    await expectProblem(await request("DELETE", `/v1/policy-rules/${rule.id}`, { token: tenant.token, headers: from("198.51.100.7") }), 403, "access_denied");
    expect((await request("DELETE", `/v1/policy-rules/${rule.id}`, { token: tenant.token, headers: from("203.0.113.7") })).status).toBe(204);
    expect((await get(from("198.51.100.7"))).status).toBe(200);
  });

  it("admits an IPv6 client inside an IPv6 range", async () => {
    const tenant = await createTenant({ name: "allow-list-v6", plan: "enterprise" });
    await addRule(tenant, { kind: "ip_allow", value: "2001:db8:1234::/48" });
    expect((await request("GET", "/v1/tenant", { token: tenant.token, headers: from("2001:db8:1234:ffff::1") })).status).toBe(200);
    await expectProblem(await request("GET", "/v1/tenant", { token: tenant.token, headers: from("2001:db8:1235::1") }), 403, "access_denied");
  });

  it("an operation_deny crypto.* denies encrypt but not keys.get; deleting it lifts the deny", async () => {
    const tenant = await createTenant({ name: "deny-crypto", plan: "enterprise" });
    const key = await createKey(tenant, { algorithm: "ML-KEM-512" });
    const rule = await addRule(tenant, { kind: "operation_deny", value: "crypto.*" });

    const encrypt = () => request("POST", `/v1/keys/${key.id}/encrypt`, { token: tenant.token, body: { plaintext: b64("x") } });
    const problem = await expectProblem(await encrypt(), 403, "access_denied");
    expect(problem).toMatchObject({ rule: "tenant_operation_deny", detail: expect.stringContaining("crypto.*") });
    expect((await request("GET", `/v1/keys/${key.id}`, { token: tenant.token })).status).toBe(200);

    expect((await request("DELETE", `/v1/policy-rules/${rule.id}`, { token: tenant.token })).status).toBe(204);
    expect((await encrypt()).status).toBe(200);
  });

  it("an operation_deny by exact name denies that operation only", async () => {
    const tenant = await createTenant({ name: "deny-one", plan: "enterprise" });
    await addRule(tenant, { kind: "operation_deny", value: "keys.create" });
    const problem = await expectProblem(await request("POST", "/v1/keys", { token: tenant.token, body: { algorithm: "ML-KEM-512" } }), 403, "access_denied");
    expect(problem.rule).toBe("tenant_operation_deny");
    expect((await request("GET", "/v1/keys", { token: tenant.token })).status).toBe(200);
  });
});
