/**
 * Stage 5 (architecture §3): the tenant's RateLimiter DO under concurrent load, the 429 problem, and the
 * draft-ietf-httpapi-ratelimit-headers fields. The pure GCRA math is property-tested in
 * test/node/gateway/gcra.test.ts; here the DO's exactness and the wiring are proven.
 */
import { describe, expect, it } from "vitest";
import { createTenant, expectProblem, json, request, requestWithClock, testClock } from "./helpers.ts";

function parseRateLimit(header: string | null): { remaining: number; reset: number } {
  const match = /^"tenant";r=(\d+);t=(\d+)$/.exec(header ?? "");
  expect(match, `RateLimit: ${header}`).not.toBeNull();
  return { remaining: Number(match?.[1]), reset: Number(match?.[2]) };
}

describe("rate limiting", () => {
  it("allows exactly the burst under 50 concurrent requests and answers the rest 429", async () => {
    const tenant = await createTenant({ limits: { burst: 10, rate_per_second: 1 } });
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 50 }, () => request("GET", "/v1/tenant", { token: tenant.token })));
    // GCRA allows the burst plus what refills meanwhile (1 unit/s): exactly 10 when the 50 requests
    // land within a second, as they do unless the machine is badly overloaded.
    const refilled = Math.floor((Date.now() - started) / 1000);
    const allowed = responses.filter((r) => r.status === 200);
    const limited = responses.filter((r) => r.status === 429);
    expect(allowed.length + limited.length).toBe(50);
    expect(allowed.length).toBeGreaterThanOrEqual(10);
    expect(allowed.length).toBeLessThanOrEqual(10 + refilled);

    for (const response of limited) {
      const body = await expectProblem(response, 429, "rate_limited");
      expect(body.type).toBe("https://pqkms.dev/problems/rate-limited");
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(response.headers.get("ratelimit-policy")).toBe('"tenant";q=10;w=10');
      expect(parseRateLimit(response.headers.get("ratelimit")).remaining).toBe(0);
    }
    const remaining = new Set(allowed.map((r) => parseRateLimit(r.headers.get("ratelimit")).remaining));
    expect([...remaining].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const response of allowed) {
      expect(response.headers.get("retry-after")).toBeNull();
      expect(response.headers.get("ratelimit-policy")).toBe('"tenant";q=10;w=10');
    }
  });

  it("counts each tenant in its own bucket", async () => {
    const busy = await createTenant({ name: "busy", limits: { burst: 2, rate_per_second: 1 } });
    const quiet = await createTenant({ name: "quiet", limits: { burst: 2, rate_per_second: 1 } });
    for (let i = 0; i < 2; i++) expect((await request("GET", "/v1/tenant", { token: busy.token })).status).toBe(200);
    await expectProblem(await request("GET", "/v1/tenant", { token: busy.token }), 429, "rate_limited");
    expect((await request("GET", "/v1/tenant", { token: quiet.token })).status).toBe(200);
  });

  it("shares one bucket between all API keys of a tenant", async () => {
    const tenant = await createTenant({ limits: { burst: 2, rate_per_second: 1 } });
    const created = await request("POST", "/v1/api-keys", { token: tenant.token, body: { name: "second", role: "auditor" } });
    expect(created.status).toBe(201);
    const second = await json<{ token: string }>(created);
    expect((await request("GET", "/v1/tenant", { token: second.token })).status).toBe(200);
    await expectProblem(await request("GET", "/v1/tenant", { token: tenant.token }), 429, "rate_limited");
    await expectProblem(await request("GET", "/v1/tenant", { token: second.token }), 429, "rate_limited");
  });

  it("lets requests through again after Retry-After", async () => {
    const tenant = await createTenant({ limits: { burst: 1, rate_per_second: 1 } });
    const clock = testClock();
    const at = requestWithClock(clock.now);
    expect((await at("GET", "/v1/tenant", { token: tenant.token })).status).toBe(200);
    const limited = await at("GET", "/v1/tenant", { token: tenant.token });
    await expectProblem(limited, 429, "rate_limited");
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBe(1);
    clock.advance(retryAfter * 1000 + 20);
    expect((await at("GET", "/v1/tenant", { token: tenant.token })).status).toBe(200);
  });

  it("applies the plan's limits until an override is set, and again once it is cleared", async () => {
    const tenant = await createTenant({ plan: "free" });
    const first = await request("GET", "/v1/tenant", { token: tenant.token });
    expect(first.headers.get("ratelimit-policy")).toBe('"tenant";q=20;w=2');
    await request("PATCH", `/admin/v1/tenants/${tenant.id}`, { admin: true, body: { limits: { burst: 50, rate_per_second: 5 } } });
    expect((await request("GET", "/v1/tenant", { token: tenant.token })).headers.get("ratelimit-policy")).toBe('"tenant";q=50;w=10');
    await request("PATCH", `/admin/v1/tenants/${tenant.id}`, { admin: true, body: { limits: { burst: null, rate_per_second: null } } });
    expect((await request("GET", "/v1/tenant", { token: tenant.token })).headers.get("ratelimit-policy")).toBe('"tenant";q=20;w=2');
  });

  it("carries the RateLimit headers on responses refused after stage 5, such as a policy deny", async () => {
    const tenant = await createTenant({ limits: { burst: 5, rate_per_second: 1 } });
    const created = await request("POST", "/v1/api-keys", { token: tenant.token, body: { name: "auditor", role: "auditor" } });
    const auditor = await json<{ token: string }>(created);
    const denied = await request("GET", "/v1/api-keys", { token: auditor.token });
    await expectProblem(denied, 403, "access_denied");
    expect(denied.headers.get("ratelimit-policy")).toBe('"tenant";q=5;w=5');
    expect(parseRateLimit(denied.headers.get("ratelimit")).remaining).toBe(3);
  });

  it("does not spend the tenant's budget on requests refused before stage 5", async () => {
    const tenant = await createTenant({ limits: { burst: 1, rate_per_second: 1 } });
    for (let i = 0; i < 5; i++) {
      await expectProblem(await request("GET", "/v1/tenant", { token: `${tenant.token.slice(0, -1)}!` }), 401, "invalid_api_key");
    }
    expect((await request("GET", "/v1/tenant", { token: tenant.token })).status).toBe(200);
  });
});
