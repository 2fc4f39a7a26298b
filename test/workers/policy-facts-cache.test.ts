/**
 * The policy's per-isolate cache of tenant facts (workers/shared/policy/facts.ts): keyed by the
 * tenant's revision, bounded in time, never used without a revision, and refreshed by every change
 * made through the API (admin patch, tenant rules) because each bumps the revision.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readFacts } from "../../workers/shared/policy/facts.ts";
import type { PolicyRequest } from "../../workers/shared/rpc.ts";
import { createTenant, json, request } from "./helpers.ts";

/** env.DB, counting the statements prepared through it. */
function countingDb(): { db: D1Database; prepared: () => number } {
  let count = 0;
  const db = new Proxy(env.DB, {
    get(target, property) {
      if (property === "prepare") {
        return (query: string) => {
          count++;
          return target.prepare(query);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, prepared: () => count };
}

function policyRequest(tenantId: string, tenantRevision?: number): PolicyRequest {
  return {
    tenantId,
    apiKeyId: "k",
    scopes: ["keys:read"],
    keyRestriction: null,
    operation: "keys.list",
    keyId: null,
    algorithm: null,
    sourceIp: null,
    requestId: "req-facts-0001",
    quota: null,
    ...(tenantRevision === undefined ? {} : { tenantRevision }),
  };
}

async function revisionOf(tenantId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT updated_at AS r FROM tenants WHERE id = ?").bind(tenantId).first<{ r: number }>();
  return row?.r ?? expect.fail("no tenant");
}

describe("policy facts cache", () => {
  it("reads a revision's facts once within the time bound, again after it, and always without a revision", async () => {
    const tenant = await createTenant({ name: "cached" });
    const revision = await revisionOf(tenant.id);
    const { db, prepared } = countingDb();
    const now = Date.now() + 1_000_000; // a clock of our own: no other test's entries apply
    await readFacts(db, policyRequest(tenant.id, revision), now);
    const first = prepared();
    expect(first).toBeGreaterThan(0);
    await readFacts(db, policyRequest(tenant.id, revision), now + 4_000);
    expect(prepared()).toBe(first);
    await readFacts(db, policyRequest(tenant.id, revision), now + 5_000);
    expect(prepared()).toBe(2 * first);
    await readFacts(db, policyRequest(tenant.id), now + 5_001);
    expect(prepared()).toBe(3 * first);
  });

  it("takes the tenant's row from the gateway when sent, reading only the rules", async () => {
    const tenant = await createTenant({ name: "sent-row", plan: "free" });
    const revision = await revisionOf(tenant.id);
    const now = Date.now() + 2_000_000;
    const read = countingDb();
    const fromD1 = await readFacts(read.db, policyRequest(tenant.id, revision), now);
    expect(fromD1.tenant).toEqual({ status: "active", plan: "free", maxKeys: 10 });
    const sent = countingDb();
    const row = { status: "suspended", plan: "pro", maxKeys: 7 } as const;
    // Another clock step past the cache's bound: a miss, so what is read shows.
    const fromGateway = await readFacts(sent.db, { ...policyRequest(tenant.id, revision), tenant: row }, now + 10_000);
    expect(fromGateway.tenant).toEqual({ status: "suspended", plan: "pro", maxKeys: 7 });
    expect(sent.prepared()).toBe(read.prepared() - 1);
    // A malformed row is not trusted: the facts come from D1.
    const malformed = { ...policyRequest(tenant.id, revision), tenant: { ...row, plan: "gold" as "pro" } };
    expect((await readFacts(env.DB, malformed, now + 20_000)).tenant).toEqual({ status: "active", plan: "free", maxKeys: 10 });
  });

  it("moves to a new revision on every change through the API, so the change applies at once", async () => {
    const tenant = await createTenant({ name: "revised" });
    const before = await revisionOf(tenant.id);
    const created = await request("POST", "/v1/policy-rules", { token: tenant.token, body: { kind: "operation_deny", value: "keys.list" } });
    expect(created.status).toBe(201);
    const afterRule = await revisionOf(tenant.id);
    expect(afterRule).toBeGreaterThan(before);
    expect((await request("GET", "/v1/keys", { token: tenant.token })).status).toBe(403);

    await request("DELETE", `/v1/policy-rules/${(await json<{ id: string }>(created)).id}`, { token: tenant.token });
    expect(await revisionOf(tenant.id)).toBeGreaterThan(afterRule);
    expect((await request("GET", "/v1/keys", { token: tenant.token })).status).toBe(200);

    // Two changes within the same millisecond still get two revisions.
    const patch = () => request("PATCH", `/admin/v1/tenants/${tenant.id}`, { admin: true, body: { plan: "pro" } });
    await Promise.all([patch(), patch()]);
    expect(await revisionOf(tenant.id)).toBeGreaterThanOrEqual(afterRule + 3);
  });
});
