/**
 * The audit archive's routes (architecture §9): a log's archived segments (listed, and each streamed
 * as the gzip object stored), its signed checkpoints (listed, and one signed on demand), and the
 * platform's audit signing keys that verify them. The platform admin has the same views of the
 * platform's own log, and rotates the signing key.
 *
 * An API key restricted to some keys is refused the segments and checkpoints (403 access_denied,
 * rule key_restriction, policy rule 2): a segment holds every key's events, and a checkpoint commits
 * to all of them (the tenant's whole operation count and chain head), while such a key may read only
 * its own keys' events (`GET /v1/audit-events`). The public audit keys and the verdict are not
 * refused: they say nothing about any key.
 */
import type { Context } from "hono";
import type { CallContext } from "../../../shared/rpc.ts";
import type { AppEnv } from "../app-env.ts";
import { route, type ResponseSpec } from "../http/route-spec.ts";
import { segmentDownload } from "../http/segment-download.ts";
import { callKms, platformCallContext } from "../kms/client.ts";
import {
  AuditCheckpointPage, AuditCheckpointSchema, AuditKeyList, AuditKeySchema, AuditSegmentPage, CheckpointQuery, SegmentIdParam, SegmentQuery,
} from "./audit-schemas.ts";

const DOWNLOAD: ResponseSpec = {
  description: "The segment's gzip object (RFC 1952) as stored, streamed: NDJSON, one event a line, oldest first",
  contentType: "application/gzip",
  headers: {
    "Content-Disposition": { description: 'attachment; filename="{id}.ndjson.gz"', schema: { type: "string" } },
    "Content-Length": { description: "The object's size in bytes, as the listing's `bytes`", schema: { type: "integer", minimum: 0 } },
    "Repr-Digest": {
      description: "SHA-256 of the object (RFC 9530 §3): `sha-256=:<base64 of the 32-byte digest>:`; the listing's `sha256` is the same digest in hex",
      schema: { type: "string", pattern: "^sha-256=:[A-Za-z0-9+/]{43}=:$" },
    },
  },
};

const page = (query: { limit: number; cursor?: string | undefined }) => ({ limit: query.limit, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) });

async function download(c: Context<AppEnv>, call: CallContext, id: string): Promise<Response> {
  const { segment, body } = await callKms(() => c.env.KMS.auditSegment(call, id));
  return segmentDownload(id, segment, body);
}

const platform = (c: Context<AppEnv>) => platformCallContext(c.get("requestId"));

export const auditArchiveRoutes = [
  route({
    method: "get",
    path: "/v1/audit-exports",
    summary: "This tenant's archived audit segments, newest first, and how far the archive is behind",
    operationId: "listAuditExports",
    tag: "audit",
    access: { kind: "tenant", operation: "audit.exports.list" },
    query: SegmentQuery,
    errors: ["audit_unavailable"],
    responses: { 200: { description: "A page of segments", schema: AuditSegmentPage } },
    handler: async (c, { query, call }) => c.json(await callKms(() => c.env.KMS.auditSegments(call, page(query)))),
  }),
  route({
    method: "get",
    path: "/v1/audit-exports/:id",
    summary: "Download one archived audit segment (gzip NDJSON), with its SHA-256 in Repr-Digest",
    operationId: "getAuditExport",
    tag: "audit",
    access: { kind: "tenant", operation: "audit.exports.get" },
    params: SegmentIdParam,
    errors: ["audit_segment_not_found", "audit_unavailable"],
    responses: { 200: DOWNLOAD },
    handler: async (c, { params, call }) => download(c, call, params.id),
  }),
  route({
    method: "get",
    path: "/v1/audit-checkpoints",
    summary: "This tenant's signed audit checkpoints, newest first",
    operationId: "listAuditCheckpoints",
    tag: "audit",
    access: { kind: "tenant", operation: "audit.checkpoints.list" },
    query: CheckpointQuery,
    errors: ["audit_unavailable"],
    responses: { 200: { description: "A page of checkpoints", schema: AuditCheckpointPage } },
    handler: async (c, { query, call }) => c.json(await callKms(() => c.env.KMS.auditCheckpoints(call, page(query)))),
  }),
  route({
    method: "post",
    path: "/v1/audit-checkpoints",
    summary: "Sign a checkpoint of this tenant's log now (the latest is returned when the head has not moved or it is under a minute old)",
    operationId: "createAuditCheckpoint",
    tag: "audit",
    access: { kind: "tenant", operation: "audit.checkpoints.create" },
    errors: ["audit_unavailable"],
    responses: {
      201: { description: "A checkpoint of the current head, signed now", schema: AuditCheckpointSchema },
      200: { description: "The latest checkpoint, returned instead of signing another", schema: AuditCheckpointSchema },
    },
    handler: async (c, { call }) => {
      const { checkpoint, created } = await callKms(() => c.env.KMS.createAuditCheckpoint(call));
      return c.json(checkpoint, created ? 201 : 200);
    },
  }),
  route({
    method: "get",
    path: "/v1/audit-keys",
    summary: "The platform's audit signing public keys (PEM and JWK, with validity), to verify checkpoints",
    operationId: "listAuditKeys",
    tag: "audit",
    access: { kind: "tenant", operation: "audit.keys.list" },
    errors: ["audit_unavailable"],
    responses: { 200: { description: "Every key version, newest first", schema: AuditKeyList } },
    handler: async (c) => c.json(await callKms(() => c.env.KMS.auditKeys())),
  }),
  route({
    method: "get",
    path: "/admin/v1/audit-exports",
    summary: "The platform log's archived segments, newest first, and its archive lag",
    operationId: "listPlatformAuditExports",
    tag: "admin",
    access: { kind: "admin" },
    query: SegmentQuery,
    errors: ["kms_unavailable", "audit_unavailable"],
    responses: { 200: { description: "A page of segments", schema: AuditSegmentPage } },
    handler: async (c, { query }) => c.json(await callKms(() => c.env.KMS.auditSegments(platform(c), page(query)))),
  }),
  route({
    method: "get",
    path: "/admin/v1/audit-exports/:id",
    summary: "Download one archived segment of the platform log",
    operationId: "getPlatformAuditExport",
    tag: "admin",
    access: { kind: "admin" },
    params: SegmentIdParam,
    errors: ["kms_unavailable", "audit_segment_not_found", "audit_unavailable"],
    responses: { 200: DOWNLOAD },
    handler: async (c, { params }) => download(c, platform(c), params.id),
  }),
  route({
    method: "get",
    path: "/admin/v1/audit-checkpoints",
    summary: "The platform log's signed checkpoints, newest first",
    operationId: "listPlatformAuditCheckpoints",
    tag: "admin",
    access: { kind: "admin" },
    query: CheckpointQuery,
    errors: ["kms_unavailable", "audit_unavailable"],
    responses: { 200: { description: "A page of checkpoints", schema: AuditCheckpointPage } },
    handler: async (c, { query }) => c.json(await callKms(() => c.env.KMS.auditCheckpoints(platform(c), page(query)))),
  }),
  route({
    method: "get",
    path: "/admin/v1/audit-keys",
    summary: "The platform's audit signing public keys",
    operationId: "listPlatformAuditKeys",
    tag: "admin",
    access: { kind: "admin" },
    errors: ["kms_unavailable", "audit_unavailable"],
    responses: { 200: { description: "Every key version, newest first", schema: AuditKeyList } },
    handler: async (c) => c.json(await callKms(() => c.env.KMS.auditKeys())),
  }),
  route({
    method: "post",
    path: "/admin/v1/audit-keys/rotate",
    summary: "Rotate the platform's audit signing key: a new ML-DSA-65 key signs from now on; the old one is retired, still published",
    operationId: "rotatePlatformAuditKey",
    tag: "admin",
    access: { kind: "admin" },
    errors: ["kms_unavailable", "audit_unavailable"],
    responses: { 201: { description: "The new current key", schema: AuditKeySchema } },
    handler: async (c) => c.json(await callKms(() => c.env.KMS.rotateAuditKey(platform(c))), 201),
  }),
];
