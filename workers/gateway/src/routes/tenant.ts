/**
 * The caller's own tenant: `GET /v1/tenant` (plan, status, limits, key count from the vault, this
 * month's usage) and `GET /v1/usage`. Usage is read from the tenant's RateLimiter DO, the monthly
 * counter's single owner (D1's `usage` table is a delayed copy for platform reports).
 */
import type { Context } from "hono";
import * as z from "zod";
import type { AppEnv } from "../app-env.ts";
import { renderTenant } from "../db/tenants.ts";
import { ApiError } from "../http/problem.ts";
import { route } from "../http/route-spec.ts";
import { callKms } from "../kms/client.ts";
import { nextPeriodStart } from "../rate-limit/quota.ts";
import { TenantSchema } from "./schemas.ts";

const UsageSchema = z.object({
  period: z.string().describe("Calendar month, UTC, YYYY-MM"),
  operations: z.number().int().describe("Operations counted this month (each weighs its rate-limit cost)"),
  monthly_operations: z.number().int().describe("The monthly quota"),
  remaining: z.number().int().describe("Operations left this month"),
  resets_at: z.iso.datetime().describe("When the next month starts (RFC 3339, UTC)"),
}).meta({ id: "Usage", description: "This month's operations against the monthly quota" });

async function readUsage(c: Context<AppEnv>): Promise<z.output<typeof UsageSchema>> {
  const auth = c.get("auth");
  const now = Date.now();
  let usage: { period: string; used: number };
  try {
    usage = await c.env.RATE_LIMITER.get(c.env.RATE_LIMITER.idFromName(auth.tenantId)).usage(now);
  } catch {
    throw new ApiError("rate_limiter_unavailable");
  }
  const limit = auth.limits.monthlyOperations;
  return {
    period: usage.period,
    operations: usage.used,
    monthly_operations: limit,
    remaining: Math.max(0, limit - usage.used),
    resets_at: new Date(nextPeriodStart(now)).toISOString(),
  };
}

export const tenantRoutes = [
  route({
    method: "get",
    path: "/v1/tenant",
    summary: "This tenant: plan, status, limits, key count and this month's usage",
    operationId: "getOwnTenant",
    tag: "tenant",
    access: { kind: "tenant", operation: "tenant.read" },
    responses: {
      200: { description: "The tenant", schema: TenantSchema.extend({ key_count: z.number().int().describe("Keys the tenant holds"), usage: UsageSchema.describe("This month's usage") }).meta({ id: "OwnTenant", description: "The caller's tenant, with its key count and usage" }) },
    },
    handler: async (c, { call }) => {
      const auth = c.get("auth");
      const [vault, usage] = await Promise.all([
        callKms(() => c.env.KMS.vaultSummary(call)),
        readUsage(c),
      ]);
      return c.json({ ...renderTenant(auth.tenant), key_count: vault.keyCount, usage });
    },
  }),
  route({
    method: "get",
    path: "/v1/usage",
    summary: "This month's operations, the monthly quota and when it resets",
    operationId: "getUsage",
    tag: "tenant",
    access: { kind: "tenant", operation: "usage.read" },
    responses: { 200: { description: "Usage", schema: UsageSchema.extend({ plan: z.string().describe("The tenant's plan") }).meta({ id: "PlanUsage", description: "Usage, with the plan" }) } },
    handler: async (c) => c.json({ ...(await readUsage(c)), plan: c.get("auth").tenant.plan }),
  }),
];
