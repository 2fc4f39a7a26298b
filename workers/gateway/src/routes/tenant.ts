/**
 * The caller's own tenant: `GET /v1/tenant` (plan, status, limits, key count from the vault, this
 * month's usage, and the calling API key's metadata, so a client such as the web console can tell
 * what its key may do) and `GET /v1/usage` (with the month's per-day counts, from the same limiter call). Usage is the tenant's RateLimiter DO's count, the monthly
 * counter's single owner, as stage 5 received it (D1's `usage` table is a delayed copy for
 * platform reports).
 */
import type { Context } from "hono";
import * as z from "zod";
import type { AppEnv } from "../app-env.ts";
import { renderApiKey } from "../db/api-keys.ts";
import { renderTenant } from "../db/tenants.ts";
import { route } from "../http/route-spec.ts";
import { callKms } from "../kms/client.ts";
import { periodOf } from "../rate-limit/quota.ts";
import { ApiKeySchema, TenantSchema } from "./schemas.ts";

const UsageSchema = z.object({
  period: z.string().describe("Calendar month, UTC, YYYY-MM"),
  operations: z.number().int().describe("Operations counted this month (each weighs its rate-limit cost)"),
  monthly_operations: z.number().int().describe("The monthly quota"),
  remaining: z.number().int().describe("Operations left this month"),
  resets_at: z.iso.datetime().describe("When the next month starts (RFC 3339, UTC)"),
}).meta({ id: "Usage", description: "This month's operations against the monthly quota" });

const UsageDaySchema = z.object({
  date: z.iso.date().describe("The day, UTC, YYYY-MM-DD"),
  operations: z.number().int().describe("Operations counted that day (each weighs its rate-limit cost)"),
}).meta({ id: "UsageDay", description: "One day's operations" });

/**
 * This month's usage as stage 5 left it: the limiter answers every request with its count right
 * after this request's reservation (or, for a request it did not count, the count as it stood),
 * so the route needs no second call to the limiter.
 */
function readUsage(c: Context<AppEnv>): z.output<typeof UsageSchema> {
  const quota = c.get("quota");
  return {
    period: periodOf(quota.resetsAt - 1),
    operations: quota.used,
    monthly_operations: quota.limit,
    remaining: Math.max(0, quota.limit - quota.used),
    resets_at: new Date(quota.resetsAt).toISOString(),
  };
}

export const tenantRoutes = [
  route({
    method: "get",
    path: "/v1/tenant",
    summary: "This tenant: plan, status, limits, key count, this month's usage and the calling API key's scopes",
    operationId: "getOwnTenant",
    tag: "tenant",
    access: { kind: "tenant", operation: "tenant.read" },
    responses: {
      200: { description: "The tenant", schema: TenantSchema.extend({ key_count: z.number().int().describe("Keys the tenant holds"), usage: UsageSchema.describe("This month's usage"), api_key: ApiKeySchema.describe("The API key making this request: its scopes and key restriction say what it may do") }).meta({ id: "OwnTenant", description: "The caller's tenant, with its key count, usage and the calling API key" }) },
    },
    handler: async (c, { call }) => {
      const auth = c.get("auth");
      const vault = await callKms(() => c.env.KMS.vaultSummary(call));
      return c.json({ ...renderTenant(auth.tenant), key_count: vault.keyCount, usage: readUsage(c), api_key: renderApiKey(c.get("resolvedKey").key) });
    },
  }),
  route({
    method: "get",
    path: "/v1/usage",
    summary: "This month's operations, the monthly quota and when it resets",
    operationId: "getUsage",
    tag: "tenant",
    access: { kind: "tenant", operation: "usage.read" },
    responses: {
      200: {
        description: "Usage",
        schema: UsageSchema.extend({
          plan: z.string().describe("The tenant's plan"),
          days: z.array(UsageDaySchema).describe("This month's UTC days with operations, oldest first (days without any are absent); they add up to `operations`"),
        }).meta({ id: "PlanUsage", description: "Usage, with the plan and the month's operations per day" }),
      },
    },
    handler: async (c) => c.json({ ...readUsage(c), plan: c.get("auth").tenant.plan, days: c.get("usageDays") }),
  }),
];
