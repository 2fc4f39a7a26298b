/**
 * The monthly operation quota through the gateway (architecture §4 rule 4): the tenant's RateLimiter DO
 * reserves each request's units exactly, so of M concurrent requests with N units left exactly N
 * are served and the rest are 403 quota_exceeded, rule monthly_quota. Refused requests use no units.
 * `GET /v1/usage` and `GET /v1/tenant` show the plan, the limits and this month's usage; the
 * limiter's alarm copies the count to D1 for the platform's reports.
 * (Month boundaries are tested with an injected clock in test/node/gateway/quota.test.ts.)
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { RateLimiter } from "../../workers/gateway/src/rate-limit/rate-limiter.ts";
import { createTenant, expectProblem, json, request, type TestTenant } from "./helpers.ts";
import { placedId } from "../../workers/shared/placement.ts";

/** High rate and burst, so that only the quota can refuse. */
const ROOMY_RATE = { rate_per_second: 1000, burst: 1000 };

interface Usage {
  period: string;
  operations: number;
  monthly_operations: number;
  remaining: number;
  resets_at: string;
  plan?: string;
  days?: { date: string; operations: number }[];
}

function thisMonth(now = new Date()) {
  return {
    period: now.toISOString().slice(0, 7),
    resets_at: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
  };
}

const today = () => new Date().toISOString().slice(0, 10);

async function usage(tenant: TestTenant): Promise<Usage> {
  const response = await request("GET", "/v1/usage", { token: tenant.token });
  expect(response.status, await response.clone().text()).toBe(200);
  return json<Usage>(response);
}

async function setLimits(tenant: TestTenant, limits: Record<string, number>) {
  const response = await request("PATCH", `/admin/v1/tenants/${tenant.id}`, { admin: true, body: { limits } });
  expect(response.status).toBe(200);
}

describe("the quota under concurrency", () => {
  it("serves exactly the units left of 40 concurrent requests; the rest are 403 quota_exceeded", async () => {
    const tenant = await createTenant({ name: "metered", plan: "free", limits: { ...ROOMY_RATE, monthly_operations: 10 } });
    // This read is itself an operation: 1 of the 10 units.
    expect(await usage(tenant)).toEqual({ ...thisMonth(), operations: 1, monthly_operations: 10, remaining: 9, plan: "free", days: [{ date: today(), operations: 1 }] });

    const responses = await Promise.all(Array.from({ length: 40 }, () => request("GET", "/v1/keys", { token: tenant.token })));
    const served = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status !== 200);
    expect(served).toHaveLength(9);
    for (const response of refused) {
      const problem = await expectProblem(response, 403, "quota_exceeded");
      expect(problem.rule).toBe("monthly_quota");
      expect(problem.detail).toBe(`The monthly quota of 10 operations is used up; it resets at ${thisMonth().resets_at}`);
      expect(response.headers.get("ratelimit-policy")).not.toBeNull();
    }

    // Used up: other operations are refused, but the tenant can still read its usage (not counted).
    await expectProblem(await request("POST", "/v1/keys", { token: tenant.token, body: { algorithm: "ML-KEM-512" } }), 403, "quota_exceeded");
    expect(await usage(tenant)).toMatchObject({ operations: 10, monthly_operations: 10, remaining: 0 });

    // Refused requests used no units: with 2 more units, exactly 2 more requests are served.
    await setLimits(tenant, { monthly_operations: 12 });
    expect(await usage(tenant)).toMatchObject({ operations: 11, monthly_operations: 12, remaining: 1 });
    const body = await json<{ plan: string; limits: Record<string, number>; usage: Usage }>(await request("GET", "/v1/tenant", { token: tenant.token }));
    expect(body.plan).toBe("free");
    expect(body.limits).toEqual({ rate_per_second: 1000, burst: 1000, monthly_operations: 12, max_keys: 10 });
    expect(body.usage).toEqual({ ...thisMonth(), operations: 12, monthly_operations: 12, remaining: 0 });
    expect((await request("GET", "/v1/tenant", { token: tenant.token })).status).toBe(200);
    await expectProblem(await request("GET", "/v1/keys", { token: tenant.token }), 403, "quota_exceeded");
  });

  it("charges each operation its cost, and never part of one", async () => {
    const tenant = await createTenant({ name: "weighted", plan: "free", limits: { ...ROOMY_RATE, monthly_operations: 3 } });
    // Creating a key costs 2 units: the first fits, the second does not (1 unit left) ...
    expect((await request("POST", "/v1/keys", { token: tenant.token, body: { algorithm: "ML-KEM-512" } })).status).toBe(201);
    const refused = await expectProblem(await request("POST", "/v1/keys", { token: tenant.token, body: { algorithm: "ML-KEM-512" } }), 403, "quota_exceeded");
    expect(refused.rule).toBe("monthly_quota");
    // ... and the unit it could not use is still there for a 1-unit request.
    expect(await usage(tenant)).toMatchObject({ operations: 3, remaining: 0 });
  });

  it("meters each tenant separately, and every API key of a tenant together", async () => {
    const busy = await createTenant({ name: "busy", plan: "free", limits: { ...ROOMY_RATE, monthly_operations: 2 } });
    const quiet = await createTenant({ name: "quiet", plan: "free", limits: { ...ROOMY_RATE, monthly_operations: 2 } });
    const created = await request("POST", "/v1/api-keys", { token: busy.token, body: { name: "second", role: "auditor" } });
    expect(created.status).toBe(201);
    const second = await json<{ token: string }>(created);
    expect((await request("GET", "/v1/keys", { token: second.token })).status).toBe(200);
    await expectProblem(await request("GET", "/v1/keys", { token: busy.token }), 403, "quota_exceeded");
    await expectProblem(await request("GET", "/v1/keys", { token: second.token }), 403, "quota_exceeded");
    expect(await usage(quiet)).toMatchObject({ operations: 1, remaining: 1 });
  });
});

describe("usage and limits", () => {
  it("shows the plan's limits until an override is set, in both /v1/usage and /v1/tenant", async () => {
    const tenant = await createTenant({ name: "pro-usage", plan: "pro" });
    expect(await usage(tenant)).toEqual({ ...thisMonth(), operations: 1, monthly_operations: 5_000_000, remaining: 4_999_999, plan: "pro", days: [{ date: today(), operations: 1 }] });
    const body = await json<{ limits: Record<string, number>; limit_overrides: Record<string, number | null>; usage: Usage }>(
      await request("GET", "/v1/tenant", { token: tenant.token }),
    );
    expect(body.limits).toEqual({ rate_per_second: 100, burst: 200, monthly_operations: 5_000_000, max_keys: 1_000 });
    expect(body.limit_overrides).toEqual({ rate_per_second: null, burst: null, monthly_operations: null, max_keys: null });
    expect(body.usage).toMatchObject({ operations: 2, monthly_operations: 5_000_000 });
  });

  it("refuses every metered request when an override sets the quota to 0, but still shows usage", async () => {
    const tenant = await createTenant({ name: "zero", plan: "enterprise", limits: { monthly_operations: 0 } });
    await expectProblem(await request("GET", "/v1/keys", { token: tenant.token }), 403, "quota_exceeded");
    expect(await usage(tenant)).toMatchObject({ operations: 0, monthly_operations: 0, remaining: 0 });
  });
});

describe("the platform's copy in D1", () => {
  it("is written by the limiter's alarm, and catches up with later usage", async () => {
    const tenant = await createTenant({ name: "flushed", plan: "pro" });
    const readCopy = () =>
      env.DB.prepare("SELECT period, operations FROM usage WHERE tenant_id = ?").bind(tenant.id).first<{ period: string; operations: number }>();
    for (let i = 0; i < 3; i++) expect((await request("GET", "/v1/keys", { token: tenant.token })).status).toBe(200);
    const limiter = env.RATE_LIMITER.get(placedId(env.RATE_LIMITER, "default", tenant.id));
    // The limiter arms its alarm in the background of the request that used a unit.
    const flush = () => vi.waitFor(async () => expect(await runDurableObjectAlarm(limiter)).toBe(true), { timeout: 2_000, interval: 20 });
    expect(await readCopy()).toBeNull();
    await flush();
    expect(await readCopy()).toEqual({ period: thisMonth().period, operations: 3 });

    for (let i = 0; i < 2; i++) expect((await request("GET", "/v1/keys", { token: tenant.token })).status).toBe(200);
    await flush();
    expect(await readCopy()).toEqual({ period: thisMonth().period, operations: 5 });
    expect(await runDurableObjectAlarm(limiter)).toBe(false);
  });
});


describe("a limiter that restarts", () => {
  // The limiter spends the quota in memory and reserves it from storage in blocks: a new instance
  // over the same storage (what an eviction leaves) starts from the reservation, so the unspent
  // rest of the last block is forfeited, counted as used, and the limit still holds.
  const check = { ratePerSecond: 1_000_000, burst: 1_000_000, cost: 1, tenantId: "restarted", monthlyOperations: 1_000 };

  it("forfeits at most one block, shows it as used, and never serves past the limit", async () => {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName("restart-test"));
    const now = Date.now();
    const served = await runInDurableObject(stub, (limiter: RateLimiter) => {
      let n = 0;
      for (let i = 0; i < 50; i++) if (limiter.check(check, now + i)?.quota?.withinQuota) n++;
      return n;
    });
    expect(served).toBe(50);
    const restarted = await runInDurableObject(stub, (_: RateLimiter, state) => {
      const reserved = state.storage.sql.exec<{ used: number }>("SELECT used FROM usage").one().used;
      const fresh = new RateLimiter(state, env);
      let n = 0;
      let after = 0;
      for (let i = 0; i < 2_000; i++) {
        const quota = fresh.check(check, now + 100 + i).quota;
        if (quota?.withinQuota) n++;
        after = quota?.used ?? after;
      }
      return { reserved, n, after };
    });
    // 1 ms apart, the first 50 units were reserved in blocks of 1, 2, 4, 8, then 10 (1 % of the
    // limit) four times: 55, of which 5 are forfeited.
    expect(restarted.reserved).toBe(55);
    expect(restarted.n).toBe(1_000 - restarted.reserved);
    expect(restarted.after).toBe(1_000);
  });
});
