/**
 * Audit log routes (DESIGN §9): the tenant's hash-chained events, newest first, with filters and
 * cursor paging; and chain verification, which recomputes every hash in the vault and reports the
 * first broken link. The platform admin reads the platform's own log the same way.
 */
import * as z from "zod";
import type { CallContext } from "../../../shared/rpc.ts";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { route } from "../http/routes.ts";
import { callContext, callKms, platformCallContext } from "../pipeline/route.ts";
import { LIMITS } from "./inputs.ts";

const AuditQuery = z
  .object({
    key_id: z.uuid().optional(),
    operation: z.string().max(100).optional(),
    outcome: z.enum(["allowed", "denied", "failed"]).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50),
    cursor: z.string().regex(/^\d{1,15}$/, "not a cursor this API issued").optional(),
  });

const AuditEvent = z.object({
  seq: z.number().int(),
  id: z.uuid(),
  time: z.iso.datetime(),
  api_key_id: z.string().nullable(),
  request_id: z.string().nullable(),
  operation: z.string(),
  key_id: z.string().nullable(),
  key_version: z.number().int().nullable(),
  outcome: z.enum(["allowed", "denied", "failed"]),
  rule: z.string().nullable(),
  severity: z.enum(["info", "warning", "critical"]),
  detail: z.string().nullable(),
  prev_hash: z.string(),
  hash: z.string(),
});
const AuditPage = z.object({ events: z.array(AuditEvent), next_cursor: z.string().nullable() });
const ChainVerdict = z.object({ valid: z.boolean(), checked: z.number().int(), first_broken: z.number().int().optional() });

type Query = z.output<typeof AuditQuery>;

function listEvents(c: Context<AppEnv>, call: CallContext, query: Query) {
  return callKms(() =>
    c.env.KMS.auditEvents(call, {
      ...(query.key_id === undefined ? {} : { keyId: query.key_id.toLowerCase() }),
      ...(query.operation === undefined ? {} : { operation: query.operation }),
      ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
      ...(query.from === undefined ? {} : { from: Date.parse(query.from) }),
      ...(query.to === undefined ? {} : { to: Date.parse(query.to) }),
      ...(query.cursor === undefined ? {} : { beforeSeq: Number(query.cursor) }),
      limit: query.limit,
    }),
  );
}

export const auditRoutes = [
  route({
    method: "get",
    path: "/v1/audit-events",
    summary: "This tenant's audit events, newest first (filters: key_id, operation, outcome, from, to)",
    tag: "audit",
    access: { kind: "tenant", operation: "audit.list" },
    query: AuditQuery,
    responses: { 200: { description: "A page of events", schema: AuditPage } },
    handler: async (c, { query }) => c.json(await listEvents(c, callContext(c.get("auth"), c.get("requestId")), query)),
  }),
  route({
    method: "get",
    path: "/v1/audit-events/verify",
    summary: "Recompute this tenant's audit hash chain; reports the first broken link",
    tag: "audit",
    access: { kind: "tenant", operation: "audit.verify" },
    responses: { 200: { description: "Verdict", schema: ChainVerdict } },
    handler: async (c) => {
      const call = callContext(c.get("auth"), c.get("requestId"));
      return c.json(await callKms(() => c.env.KMS.verifyAudit(call)));
    },
  }),
  route({
    method: "get",
    path: "/admin/v1/audit-events",
    summary: "The platform's own audit events (fail-open switches)",
    tag: "admin",
    access: { kind: "admin" },
    query: AuditQuery,
    responses: { 200: { description: "A page of events", schema: AuditPage } },
    handler: async (c, { query }) => c.json(await listEvents(c, platformCallContext(c.get("requestId")), query)),
  }),
  route({
    method: "get",
    path: "/admin/v1/audit-events/verify",
    summary: "Recompute the platform audit hash chain",
    tag: "admin",
    access: { kind: "admin" },
    responses: { 200: { description: "Verdict", schema: ChainVerdict } },
    handler: async (c) => c.json(await callKms(() => c.env.KMS.verifyAudit(platformCallContext(c.get("requestId"))))),
  }),
];
