/**
 * Audit log routes (architecture §9): the tenant's hash-chained events, newest first, with filters and
 * cursor paging; and chain verification, from the latest signed checkpoint by default (a bounded
 * cost whatever the log's length) or over every event the vault still holds, which reports where it
 * started and the first broken link. The archive is checked offline (scripts/audit-archive.ts). The
 * platform admin reads the platform's own log the same way.
 */
import * as z from "zod";
import { AUDIT_OPERATIONS, type AuditOperation } from "../../../shared/operations.ts";
import type { CallContext } from "../../../shared/rpc.ts";
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { route } from "../http/route-spec.ts";
import { callKms, platformCallContext } from "../kms/client.ts";
import { ChainVerdict, VerifyQuery } from "./audit-schemas.ts";
import { instantBound, LIMITS, RequestId } from "./inputs.ts";

const AuditQuery = z.strictObject({
  key_id: z.uuid().optional().describe("Only events about this key"),
  operation: z
    .enum(AUDIT_OPERATIONS as [string, ...string[]], { message: "not an operation name (see x-pqkms-operation in /openapi.json)" })
    .optional()
    .describe("Only events of this operation, by the catalog's name (e.g. keys.disable, crypto.sign), whatever the outcome"),
  request_id: RequestId.optional().describe("Only events of this request (its X-Request-ID)"),
  outcome: z.enum(["allowed", "denied", "failed"]).optional().describe("Only events with this outcome"),
  from: instantBound("start").optional().describe("Only events at or after this time, inclusive: a date (YYYY-MM-DD, from its start, UTC) or an RFC 3339 date-time"),
  to: instantBound("end").optional().describe("Only events at or before this time, inclusive: a date (YYYY-MM-DD, to its end, UTC) or an RFC 3339 date-time"),
  limit: z.coerce.number().int().min(1).max(LIMITS.pageSize).default(50).describe(`Events per page, 1–${LIMITS.pageSize}`),
  cursor: z.string().regex(/^\d{1,15}$/, "not a cursor this API issued").optional().describe("The next_cursor of the previous page"),
});

const AuditEvent = z.object({
  seq: z.number().int().describe("Position in the log's hash chain, from 1"),
  id: z.uuid().describe("The event's id"),
  time: z.iso.datetime().describe("When it happened (RFC 3339, UTC)"),
  api_key_id: z.string().nullable().describe("The API key that made the request, or null (platform events)"),
  request_id: z.string().nullable().describe("The request's X-Request-ID, or null"),
  operation: z.string().describe("The operation, e.g. crypto.sign or keys.create"),
  key_id: z.string().nullable().describe("The key involved, or null"),
  key_version: z.number().int().nullable().describe("The key version involved, or null"),
  outcome: z.enum(["allowed", "denied", "failed"]).describe("allowed (done), denied (refused by policy or state), failed (error)"),
  rule: z.string().nullable().describe("The policy rule that denied it, or null"),
  severity: z.enum(["info", "warning", "critical"]).describe("critical: e.g. a request let through by emergency fail-open"),
  detail: z.string().nullable().describe("What happened, in words; never secret values"),
  prev_hash: z.string().describe("The previous event's hash (hex), chaining the log"),
  hash: z.string().describe("SHA-256 over this event and prev_hash (hex)"),
}).meta({ id: "AuditEvent", description: "One audit log entry" });
const AuditPage = z
  .object({ events: z.array(AuditEvent).describe("Events, newest first"), next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page") })
  .meta({ id: "AuditPage", description: "A page of audit events" });
type Query = z.output<typeof AuditQuery>;

/** `keyIds`: an API key's key restriction: it reads the events of its keys only (architecture §2). */
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
    operationId: "listAuditEvents",
    tag: "audit",
    access: { kind: "tenant", operation: "audit.list" },
    query: AuditQuery,
    responses: { 200: { description: "A page of events", schema: AuditPage } },
    handler: async (c, { query, call }) => {
      return c.json(await listEvents(c, call, query, c.get("auth").keyRestriction));
    },
  }),
  route({
    method: "get",
    path: "/v1/audit-events/verify",
    summary: "Check this tenant's audit hash chain from its latest signed checkpoint (or ?from=window: every event still held); reports the first broken link",
    operationId: "verifyAuditChain",
    tag: "audit",
    access: { kind: "tenant", operation: "audit.verify" },
    query: VerifyQuery,
    errors: ["audit_unavailable"],
    responses: { 200: { description: "Verdict, with where the check started", schema: ChainVerdict } },
    handler: async (c, { query, call }) => c.json(await callKms(() => c.env.KMS.verifyAudit(call, { from: query.from }))),
  }),
  route({
    method: "get",
    path: "/admin/v1/audit-events",
    summary: "The platform's own audit events (fail-open switches)",
    operationId: "listPlatformAuditEvents",
    tag: "admin",
    access: { kind: "admin" },
    errors: ["kms_unavailable"],
    query: AuditQuery,
    responses: { 200: { description: "A page of events", schema: AuditPage } },
    handler: async (c, { query }) => c.json(await listEvents(c, platformCallContext(c.get("requestId")), query, null)),
  }),
  route({
    method: "get",
    path: "/admin/v1/audit-events/verify",
    summary: "Check the platform audit hash chain from its latest signed checkpoint (or ?from=window)",
    operationId: "verifyPlatformAuditChain",
    tag: "admin",
    access: { kind: "admin" },
    query: VerifyQuery,
    errors: ["kms_unavailable", "audit_unavailable"],
    responses: { 200: { description: "Verdict, with where the check started", schema: ChainVerdict } },
    handler: async (c, { query }) =>
      c.json(await callKms(() => c.env.KMS.verifyAudit(platformCallContext(c.get("requestId")), { from: query.from }))),
  }),
];
