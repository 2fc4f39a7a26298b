/**
 * Platform administration (architecture §2): tenants and their API keys. Authenticated by ADMIN_TOKEN
 * only, never by a tenant API key.
 */
import * as z from "zod";
import * as schema from "../../../../schema/d1.ts";
import { PLANS, TENANT_STATUSES, JURISDICTIONS } from "../../../../schema/d1.ts";
import { placementFor } from "../../../shared/placement.ts";
import { scopesForRole } from "../../../shared/scopes.ts";
import { renderApiKey } from "../db/api-keys.ts";
import { database, findTenant, listTenants, renderTenant, updateTenant } from "../db/tenants.ts";
import { ApiKeyCreateSchema, insertApiKey, issueApiKey, mintApiKey } from "../auth/issue.ts";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { callKms } from "../kms/client.ts";
import { ApiError } from "../http/problem.ts";
import { route } from "../http/route-spec.ts";
import { evictTenant } from "../pipeline/tenant.ts";
import { CreatedApiKeySchema, IdParam, TenantSchema } from "./schemas.ts";
import { LIMITS } from "./inputs.ts";

const positiveOrNull = (what: string) => z.number().int().positive().max(1_000_000_000).nullable().optional().describe(`${what}; null clears the override`);

const TenantCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).describe("Display name, 1–200 characters"),
  plan: z.enum(PLANS).default("free").describe("Plan (default free)"),
  jurisdiction: z.enum(JURISDICTIONS).optional().describe("Data jurisdiction to bind the tenant to"),
});

const TenantPatchSchema = z
  .strictObject({
    plan: z.enum(PLANS).optional().describe("New plan"),
    status: z.enum(TENANT_STATUSES).optional().describe("active, or suspended (every request answers 403 tenant_suspended)"),
    jurisdiction: z
      .enum(JURISDICTIONS)
      .nullable()
      .optional()
      .describe("Data jurisdiction (null: none); moves where the tenant's vault is placed, so refused (409) once the tenant has keys"),
    limits: z
      .strictObject({
        rate_per_second: positiveOrNull("Requests per second"),
        burst: positiveOrNull("Burst size"),
        monthly_operations: z.number().int().nonnegative().max(1e12).nullable().optional().describe("Operations per month; null clears the override"),
        max_keys: z.number().int().nonnegative().max(1_000_000).nullable().optional().describe("Keys the tenant may hold; null clears the override"),
      })
      .optional()
      .describe("Overrides of the plan's limits"),
  })
  .refine((v) => v.plan !== undefined || v.status !== undefined || v.limits !== undefined || v.jurisdiction !== undefined, {
    message: "give at least one of plan, status, limits, jurisdiction",
  });

const TenantListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50).describe(`Tenants per page, 1–${LIMITS.pageSize}`),
  cursor: z.uuid({ message: "must be a cursor this API issued" }).optional().describe("The next_cursor of the previous page"),
});

const TenantPage = z
  .object({
    tenants: z.array(TenantSchema).describe("Tenants, in id order"),
    next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page"),
  })
  .meta({ id: "TenantPage", description: "A page of tenants" });

async function requireTenant(db: D1Database, id: string) {
  const tenant = await findTenant(db, id);
  if (!tenant) throw new ApiError("tenant_not_found");
  return tenant;
}

/**
 * A jurisdiction change moves where the tenant's vault is placed (shared/placement.ts): allowed only
 * while its vault holds no live key, which would otherwise stay behind in the old namespace.
 */
async function replaceable(c: Context<AppEnv>, tenantId: string, jurisdiction: (typeof JURISDICTIONS)[number] | null) {
  const tenant = await requireTenant(c.env.DB, tenantId);
  const call = { tenantId, placement: tenant.placement, apiKeyId: "platform-admin", requestId: c.get("requestId") };
  const summary = await callKms(() => c.env.KMS.vaultSummary(call));
  if (summary.keyCount > 0) throw new ApiError("conflict", "body.jurisdiction cannot change once the tenant has keys");
  return { jurisdiction, placement: placementFor(jurisdiction) };
}

export const adminRoutes = [
  route({
    method: "post",
    path: "/admin/v1/tenants",
    summary: "Create a tenant and its first admin-role API key (token shown once)",
    operationId: "createTenant",
    tag: "admin",
    access: { kind: "admin" },
    body: TenantCreateSchema,
    responses: { 201: { description: "Created", schema: z.object({ tenant: TenantSchema.describe("The new tenant"), api_key: CreatedApiKeySchema.describe("Its first API key (role admin)") }).meta({ id: "CreatedTenant", description: "The new tenant and its first admin-role API key" }) } },
    handler: async (c, { body }) => {
      const now = Date.now();
      const tenant = {
        id: crypto.randomUUID(),
        name: body.name,
        plan: body.plan,
        status: "active" as const,
        jurisdiction: body.jurisdiction ?? null,
        // Recorded, not derived: the placement never changes once the tenant has keys (residency, README).
        placement: placementFor(body.jurisdiction ?? null),
        ratePerSecond: null,
        burst: null,
        monthlyOperations: null,
        maxKeys: null,
        createdAt: now,
        updatedAt: now,
      };
      const { row, token } = await mintApiKey(
        c.get("config"),
        { tenantId: tenant.id, name: "admin", role: "admin", scopes: scopesForRole("admin"), keyIds: null, expiresAt: null, createdBy: "platform-admin" },
        now,
      );
      const db = database(c.env.DB);
      // One batch = one D1 transaction: never a tenant without its first key, or the reverse.
      await db.batch([db.insert(schema.tenants).values(tenant), insertApiKey(c.env.DB, row)]);
      return c.json({ tenant: renderTenant(tenant), api_key: renderApiKey(row, token) }, 201);
    },
  }),
  route({
    method: "get",
    path: "/admin/v1/tenants",
    summary: "List tenants, a page at a time (in id order)",
    operationId: "listTenants",
    tag: "admin",
    access: { kind: "admin" },
    query: TenantListQuery,
    responses: { 200: { description: "A page of tenants", schema: TenantPage } },
    handler: async (c, { query }) => {
      const { rows, next } = await listTenants(c.env.DB, query.limit, query.cursor);
      return c.json({ tenants: rows.map(renderTenant), next_cursor: next });
    },
  }),
  route({
    method: "get",
    path: "/admin/v1/tenants/:id",
    summary: "Get a tenant",
    operationId: "getTenant",
    tag: "admin",
    access: { kind: "admin" },
    params: IdParam,
    errors: ["tenant_not_found"],
    responses: { 200: { description: "The tenant", schema: TenantSchema } },
    handler: async (c, { params }) => c.json(renderTenant(await requireTenant(c.env.DB, params.id))),
  }),
  route({
    method: "patch",
    path: "/admin/v1/tenants/:id",
    summary: "Change a tenant's plan, status, limit overrides (null clears an override) or, while it has no keys, its jurisdiction",
    operationId: "updateTenant",
    tag: "admin",
    access: { kind: "admin" },
    params: IdParam,
    errors: ["tenant_not_found", "conflict"],
    body: TenantPatchSchema,
    responses: { 200: { description: "The updated tenant", schema: TenantSchema } },
    handler: async (c, { params, body }) => {
      const limits = body.limits ?? {};
      const placement = body.jurisdiction === undefined ? {} : await replaceable(c, params.id, body.jurisdiction);
      const updated = await updateTenant(
        c.env.DB,
        params.id,
        {
          ...(body.plan === undefined ? {} : { plan: body.plan }),
          ...(body.status === undefined ? {} : { status: body.status }),
          ...placement,
          ...(limits.rate_per_second === undefined ? {} : { ratePerSecond: limits.rate_per_second }),
          ...(limits.burst === undefined ? {} : { burst: limits.burst }),
          ...(limits.monthly_operations === undefined ? {} : { monthlyOperations: limits.monthly_operations }),
          ...(limits.max_keys === undefined ? {} : { maxKeys: limits.max_keys }),
        },
        Date.now(),
      );
      if (!updated) throw new ApiError("tenant_not_found");
      evictTenant(params.id);
      return c.json(renderTenant(updated));
    },
  }),
  route({
    method: "post",
    path: "/admin/v1/tenants/:id/api-keys",
    summary: "Issue an API key for a tenant (token shown once)",
    operationId: "createTenantApiKey",
    tag: "admin",
    access: { kind: "admin" },
    params: IdParam,
    errors: ["tenant_not_found"],
    body: ApiKeyCreateSchema,
    responses: { 201: { description: "Created", schema: CreatedApiKeySchema } },
    handler: async (c, { params, body }) => {
      await requireTenant(c.env.DB, params.id);
      const { row, token } = await issueApiKey(c.get("config"), { input: body, tenantId: params.id, createdBy: "platform-admin", now: Date.now() });
      await insertApiKey(c.env.DB, row).run();
      return c.json(renderApiKey(row, token), 201);
    },
  }),
];
