/**
 * Stage 5: the tenant's RateLimiter DO decides; the gateway only asks and reports. Headers follow
 * draft-ietf-httpapi-ratelimit-headers (structured fields): `RateLimit-Policy: "tenant";q=<burst>;
 * w=<seconds to refill>` and `RateLimit: "tenant";r=<remaining>;t=<seconds until full>`.
 * A limiter that throws, hangs or answers nonsense is 503 `rate_limiter_unavailable`: fail closed.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { ApiError } from "../http/problem.ts";
import { rateLimitHeaders } from "../rate-limit/headers.ts";
import type { LimiterDecision } from "../rate-limit/rate-limiter.ts";
import type { UsageDay } from "../rate-limit/usage-days.ts";
import { withDeadline } from "../http/deadline.ts";
import { placedId } from "../../../shared/placement.ts";

const LIMITER_DEADLINE_MS = 2_000;

function isDecision(value: unknown): value is LimiterDecision {
  const d = value as LimiterDecision | null;
  if (typeof d !== "object" || d === null || typeof d.allowed !== "boolean") return false;
  if (!Number.isFinite(d.remaining) || !Number.isFinite(d.retryAfterMs) || !Number.isFinite(d.resetMs)) return false;
  // An allowed request must come with its quota reservation; anything else is a broken limiter.
  const q = d.quota;
  return !d.allowed || (typeof q === "object" && q !== null && typeof q.withinQuota === "boolean" && Number.isFinite(q.used) && Number.isFinite(q.limit));
}

function isDays(value: unknown): value is UsageDay[] {
  return Array.isArray(value) && value.every((d: Partial<UsageDay> | null) => typeof d?.date === "string" && Number.isInteger(d.operations));
}

/**
 * Charges `cost` units to the tenant's rate limit and monthly quota, or refuses with 429 (nothing
 * charged). Stage 5 charges the route's operation; a batch charges its other items once its body
 * is read (policy.ts). `clock`: the limiter's clock is its own unless given (tests); see RateLimiter.check.
 * `withDays`: the same call also answers this month's per-day counts (`usageDays`), for `GET /v1/usage`.
 */
export async function charge(c: Context<AppEnv>, cost: number, clock?: () => number, withDays = false): Promise<void> {
  const { tenantId, limits, tenant } = c.get("auth");
  let decision: unknown;
  try {
    const stub = c.env.RATE_LIMITER.get(placedId(c.env.RATE_LIMITER, tenant.placement, tenantId));
    const check = { ratePerSecond: limits.ratePerSecond, burst: limits.burst, cost, tenantId, monthlyOperations: limits.monthlyOperations, withDays };
    decision = await withDeadline("rate limiter", LIMITER_DEADLINE_MS, () => (clock === undefined ? stub.check(check) : stub.check(check, clock())));
  } catch {
    throw new ApiError("rate_limiter_unavailable");
  }
  if (!isDecision(decision)) throw new ApiError("rate_limiter_unavailable");
  const headers = rateLimitHeaders(limits, decision);
  c.set("rateLimitHeaders", headers);
  if (!decision.allowed || !decision.quota) throw new ApiError("rate_limited", "Too many requests for this tenant; retry later", { headers });
  const quota = decision.quota;
  c.set("quota", { used: quota.used, limit: quota.limit, exceeded: !quota.withinQuota, resetsAt: quota.resetsAt });
  if (withDays) {
    if (!isDays(quota.days)) throw new ApiError("rate_limiter_unavailable");
    c.set("usageDays", quota.days);
  }
}

export function rateLimit(cost: number, clock?: () => number, withDays = false): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await charge(c, cost, clock, withDays);
    await next();
    for (const [name, value] of Object.entries(c.get("rateLimitHeaders"))) c.res.headers.set(name, value);
  };
}
