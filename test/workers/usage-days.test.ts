/**
 * This month's operations per UTC day (GET /v1/usage `days`), counted by the tenant's RateLimiter
 * DO beside the monthly quota and stored only in the quota's own reservation writes
 * (rate-limit/usage-days.ts). The limiter takes an injected clock, so days and months turn here
 * without waiting.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { RateLimiter, type RateLimitCheck } from "../../workers/gateway/src/rate-limit/rate-limiter.ts";
import { createTenant, json, request } from "./helpers.ts";

let check: RateLimitCheck;
// A real tenant: each limiter's alarm copies its counts to D1's usage table, keyed by tenant.
beforeAll(async () => {
  const tenant = await createTenant({ name: "days-owner", plan: "pro" });
  check = { ratePerSecond: 1_000_000, burst: 1_000_000, cost: 1, tenantId: tenant.id, monthlyOperations: 1_000_000, withDays: true };
});
const at = (iso: string) => Date.parse(iso);

describe("per-day usage in the limiter", () => {
  it("counts each UTC day apart across midnight, weighs each operation's cost, and starts afresh in a new month", async () => {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName("days-midnight"));
    const answers = await runInDurableObject(stub, (limiter: RateLimiter) => {
      for (let i = 0; i < 3; i++) limiter.check(check, at("2026-11-29T23:59:58Z") + i * 10);
      limiter.check({ ...check, cost: 2 }, at("2026-11-30T00:00:00.000Z"));
      const beforeMidnight = limiter.check(check, at("2026-11-30T23:59:59.999Z")).quota;
      const newMonth = limiter.check(check, at("2026-12-01T00:00:00.000Z")).quota;
      const withoutDays = limiter.check({ ...check, withDays: false }, at("2026-12-01T00:00:01Z")).quota;
      return { beforeMidnight, newMonth, withoutDays };
    });
    expect(answers.beforeMidnight?.used).toBe(6);
    expect(answers.beforeMidnight?.days).toEqual([
      { date: "2026-11-29", operations: 3 },
      { date: "2026-11-30", operations: 3 },
    ]);
    expect(answers.newMonth?.used).toBe(1);
    expect(answers.newMonth?.days).toEqual([{ date: "2026-12-01", operations: 1 }]);
    expect(answers.withoutDays?.days).toBeUndefined();
  });

  it("keeps its days across a restart: a block's unspent rest counts on the day it was reserved, and the days add up to the monthly count", async () => {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName("days-restart"));
    const result = await runInDurableObject(stub, (limiter: RateLimiter, state) => {
      // 1 ms apart the blocks grow (quota.ts `topUp`), so units are held ahead when the day turns.
      for (let i = 0; i < 20; i++) limiter.check(check, at("2026-12-01T23:59:59.900Z") + i);
      for (let i = 0; i < 7; i++) limiter.check(check, at("2026-12-02T00:00:00.000Z") + i);
      const beforeRestart = limiter.check(check, at("2026-12-02T00:00:01Z")).quota;
      const fresh = new RateLimiter(state, env);
      const afterRestart = fresh.check(check, at("2026-12-02T00:00:02Z")).quota;
      const stored = state.storage.sql.exec<{ day: string; used: number }>("SELECT day, used FROM usage_day ORDER BY day").toArray();
      return { beforeRestart, afterRestart, stored };
    });
    expect(result.beforeRestart?.days).toEqual([
      { date: "2026-12-01", operations: 20 },
      { date: "2026-12-02", operations: 8 },
    ]);
    // 1 ms apart, the first 20 units were reserved in blocks of 1, 2, 4, 8 and 16: 31 on Dec 1, 11
    // ahead, of which Dec 2 then spent 8 without a write. The restarted limiter counts what was
    // reserved (spent or forfeited) on the day it was reserved, and its days add up to its count.
    const after = result.afterRestart!;
    expect(after.used).toBe(32);
    expect(after.days).toEqual([
      { date: "2026-12-01", operations: 31 },
      { date: "2026-12-02", operations: 1 },
    ]);
    expect(result.stored.map((r) => r.day)).toEqual(["2026-12-01", "2026-12-02"]);
  });

  it("drops the previous month's stored days at the rollover", async () => {
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName("days-rollover"));
    const stored = await runInDurableObject(stub, (limiter: RateLimiter, state) => {
      limiter.check(check, at("2026-11-30T12:00:00Z"));
      limiter.check(check, at("2026-12-01T12:00:00Z"));
      return state.storage.sql.exec<{ day: string; used: number }>("SELECT day, used FROM usage_day ORDER BY day").toArray();
    });
    expect(stored).toEqual([{ day: "2026-12-01", used: 1 }]);
  });
});

describe("GET /v1/usage days", () => {
  it("answers today's count, which the usage read itself is part of", async () => {
    const tenant = await createTenant({ name: "daily", plan: "pro" });
    for (let i = 0; i < 2; i++) expect((await request("GET", "/v1/keys", { token: tenant.token })).status).toBe(200);
    const response = await request("GET", "/v1/usage", { token: tenant.token });
    expect(response.status).toBe(200);
    const usage = await json<{ operations: number; days: { date: string; operations: number }[] }>(response);
    const today = new Date().toISOString().slice(0, 10);
    // Around midnight UTC the first calls may fall on the day before: the days still add up.
    expect(usage.days.reduce((sum, d) => sum + d.operations, 0)).toBe(3);
    expect(usage.days.at(-1)?.date).toBe(today);
    expect(usage.operations).toBe(3);
  });
});
