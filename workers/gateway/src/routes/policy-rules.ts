/**
 * Tenant-defined policy rules (architecture §4 rule 5): a source-IP allow-list (`ip_allow`, CIDR; once
 * any exists, requests from other addresses are denied) and per-operation denies
 * (`operation_deny`, an operation name such as `crypto.sign` or a family such as `keys.*`).
 * Managed by API keys holding `api-keys:manage`; every change is audited in the tenant's log, and
 * bumps the tenant's revision so the policy's cached facts are refreshed (architecture §2 bound).
 */
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import * as z from "zod";
import * as schema from "../../../../schema/d1.ts";
import { OPERATIONS, type Operation } from "../../../shared/operations.ts";
import { parseCidr } from "../../../shared/policy/cidr.ts";
import { operationMatches } from "../../../shared/policy/rules.ts";
import type { AppEnv } from "../app-env.ts";
import { bumpTenantRevision, database } from "../db/tenants.ts";
import { ApiError } from "../http/problem.ts";
import { route } from "../http/route-spec.ts";
import { auditTenantChange, callContext } from "../kms/client.ts";
import { evictTenant } from "../pipeline/tenant.ts";
import { IdParam } from "./schemas.ts";

export const MAX_TENANT_RULES = 50;

/** The operation no rule may deny: without it, a rule could never be removed again. */
const UNDENIABLE: Operation = "policy-rules.delete";

// The policy Worker's own parser decides what is stored: a range it could not read would match no
// address, and the allow-list would then refuse every request (fail closed, but never intended).
const cidr = z
  .string()
  .max(100)
  .refine((v) => v === v.trim() && parseCidr(v) !== null, { message: "a CIDR range or address, e.g. 203.0.113.0/24 or 2001:db8::/32" });

const operationPattern = z
  .string()
  .max(100)
  .refine((v) => Object.hasOwn(OPERATIONS, v) || (v.endsWith(".*") && Object.keys(OPERATIONS).some((op) => operationMatches(v, op))), {
    message: "an operation name (e.g. crypto.sign) or family (e.g. keys.*)",
  })
  .refine((v) => !operationMatches(v, UNDENIABLE), { message: `cannot deny ${UNDENIABLE}: the rule could never be removed` });

const RuleInput = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("ip_allow").describe("Allow-list a source address range"), value: cidr.describe("A CIDR range or address, e.g. 203.0.113.0/24 or 2001:db8::/32") }),
  z.strictObject({ kind: z.literal("operation_deny").describe("Deny an operation"), value: operationPattern.describe("An operation name (e.g. crypto.sign) or family (e.g. keys.*)") }),
]);

const RuleSchema = z
  .object({
    id: z.uuid().describe("The rule's id"),
    kind: z.enum(["ip_allow", "operation_deny"]).describe("ip_allow: source-address allow-list entry; operation_deny: a denied operation or family"),
    value: z.string().describe("The CIDR range, or the operation name or family"),
    created_at: z.iso.datetime().describe("When the rule was added (RFC 3339, UTC)"),
  })
  .meta({ id: "PolicyRule", description: "A tenant-defined policy rule" });

type Row = typeof schema.tenantRules.$inferSelect;

const render = (row: Row) => ({
  id: row.id,
  kind: row.kind,
  value: row.value,
  created_at: new Date(row.createdAt).toISOString(),
});

/** Rule changes change who may do what: audited before they are made. */
function audit(c: Context<AppEnv>, operation: "policy-rules.create" | "policy-rules.delete", rule: Pick<Row, "id" | "kind" | "value">) {
  return auditTenantChange(c.env, callContext(c.get("auth"), c.get("requestId")), operation, `${rule.kind} ${rule.value} (rule ${rule.id})`);
}

export const policyRuleRoutes = [
  route({
    method: "get",
    path: "/v1/policy-rules",
    summary: "This tenant's own policy rules",
    operationId: "listPolicyRules",
    tag: "policy",
    access: { kind: "tenant", operation: "policy-rules.list" },
    responses: { 200: { description: "Rules", schema: z.object({ rules: z.array(RuleSchema).describe("Every rule of the tenant") }).meta({ id: "PolicyRuleList", description: "The tenant's rules" }) } },
    handler: async (c) => {
      const rows = await database(c.env.DB).select().from(schema.tenantRules).where(eq(schema.tenantRules.tenantId, c.get("auth").tenantId)).all();
      return c.json({ rules: rows.map(render) });
    },
  }),
  route({
    method: "post",
    path: "/v1/policy-rules",
    summary: "Add a rule: ip_allow (CIDR) or operation_deny (operation or family)",
    operationId: "createPolicyRule",
    tag: "policy",
    access: { kind: "tenant", operation: "policy-rules.create" },
    body: RuleInput,
    responses: { 201: { description: "The rule", schema: RuleSchema } },
    handler: async (c, { body }) => {
      const tenantId = c.get("auth").tenantId;
      const db = database(c.env.DB);
      const existing = await db.select().from(schema.tenantRules).where(eq(schema.tenantRules.tenantId, tenantId)).all();
      if (existing.length >= MAX_TENANT_RULES) throw new ApiError("invalid_request", `at most ${MAX_TENANT_RULES} rules per tenant`);
      const row = { tenantId, id: crypto.randomUUID(), kind: body.kind, value: body.value, createdAt: Date.now() };
      await audit(c, "policy-rules.create", row);
      await db.batch([db.insert(schema.tenantRules).values(row), bumpTenantRevision(c.env.DB, tenantId, Date.now())]);
      evictTenant(tenantId);
      return c.json(render(row), 201);
    },
  }),
  route({
    method: "delete",
    path: "/v1/policy-rules/:id",
    summary: "Remove one of this tenant's rules",
    operationId: "deletePolicyRule",
    tag: "policy",
    access: { kind: "tenant", operation: "policy-rules.delete" },
    params: IdParam,
    errors: ["not_found"],
    responses: { 204: { description: "Removed" } },
    handler: async (c, { params }) => {
      const db = database(c.env.DB);
      const which = and(eq(schema.tenantRules.tenantId, c.get("auth").tenantId), eq(schema.tenantRules.id, params.id.toLowerCase()));
      const rule = await db.select().from(schema.tenantRules).where(which).get();
      if (!rule) throw new ApiError("not_found", "No such rule");
      await audit(c, "policy-rules.delete", rule);
      await db.batch([db.delete(schema.tenantRules).where(which), bumpTenantRevision(c.env.DB, rule.tenantId, Date.now())]);
      evictTenant(rule.tenantId);
      return c.body(null, 204);
    },
  }),
];
