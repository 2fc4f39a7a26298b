/**
 * Audit log routes (DESIGN §9): the tenant's hash-chained events, newest first, with filters and
 * cursor paging; and chain verification, which recomputes every hash in the vault and reports the
 * first broken link. The platform admin reads the platform's own log the same way.
 */
import * as z from "zod";
import { AUDIT_OPERATIONS, type AuditOperation } from "../../../shared/operations.ts";
import type { CallContext } from "../../../shared/rpc.ts";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { route } from "../http/routes.ts";
import { callContext, callKms, platformCallContext } from "../pipeline/route.ts";
import { instantBound, LIMITS, RequestId } from "./inputs.ts";

const AuditQuery = z.strictObject({
  key_id: z.uuid().optional(),
  operation: z.enum(AUDIT_OPERATIONS as [string, ...string[]], { message: "not an operation name (see x-pqkms-operation in /openapi.json)" }).optional(),
  request_id: RequestId.optional(),
  outcome: z.enum(["allowed", "denied", "failed"]).optional(),
  from: instantBound("start").optional(),
  to: instantBound("end").optional(),
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

/** `keyIds`: an API key's key restriction: it reads the events of its keys only (DESIGN §2). */
function listEvents(c: Context<AppEnv>, call: CallContext, query: Query, keyIds: string[] | null) {
  return callKms(() =>
    c.env.KMS.auditEvents(call, {
      ...(query.key_id === undefined ? {} : { keyId: query.key_id.toLowerCase() }),
      ...(keyIds === null ? {} : { keyIds }),
      ...(query.operation === undefined ? {} : { operation: query.operation as AuditOperation }),
      ...(query.request_id === undefined ? {} : { requestId: query.request_id }),
      ...(query.outcome === undefined ? {} : { outcome: query.outcome }),
      ...(query.from === undefined ? {} : { from: query.from }),
      ...(query.to === undefined ? {} : { to: query.to }),
      ...(query.cursor === undefined ? {} : { beforeSeq: Number(query.cursor) }),
      limit: query.limit,
    }),
  );
}

export const auditRoutes = [
  route({
    method: "get",
    path: "/v1/audit-events",
    summary: "This tenant's audit events, newest first (filters: key_id, operation, request_id, outcome, from and to inclusive)",
    tag: "audit",
    access: { kind: "tenant", operation: "audit.list" },
    query: AuditQuery,
    responses: { 200: { description: "A page of events", schema: AuditPage } },
    handler: async (c, { query }) => {
      const auth = c.get("auth");
      return c.json(await listEvents(c, callContext(auth, c.get("requestId")), query, auth.keyRestriction));
    },
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
    handler: async (c, { query }) => c.json(await listEvents(c, platformCallContext(c.get("requestId")), query, null)),
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
