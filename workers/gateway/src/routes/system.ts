/**
 * Unauthenticated routes (stage 1 skip list): liveness, readiness, the OpenAPI document and the
 * API reference rendered from it. None of them reveals tenant data or secret values (readiness
 * reports the audit archive's lag as totals over every log, never per tenant).
 */
import * as z from "zod";
import { loadConfig } from "../config.ts";
import { archiveLag, readArchiveTotals, type ArchiveLag } from "../db/archive-lag.ts";
import { docsFile, docsPage } from "../http/docs-page.ts";
import { openApiDocument } from "../http/openapi.ts";
import { route, type AnyRoute } from "../http/route-spec.ts";
import { withDeadline } from "../http/deadline.ts";

const READY_DEADLINE_MS = 2_000;

/**
 * The audit archive's lag (architecture §9). It informs and never makes the gateway not ready: an
 * archive behind (R2 down, a vault retrying) does not hurt requests, since events stay in the vault
 * until R2 has them; alert on it from /metrics instead.
 */
const ArchiveLagSchema = z
  .object({
    logs_behind: z.number().int().describe("Audit logs with events not yet archived"),
    max_lag_seconds: z.number().int().describe("Age of the oldest event not yet archived, over every log, in seconds (0 when all are)"),
    logs_failing: z.number().int().describe("Audit logs whose last archive attempt failed (they retry with backoff)"),
  })
  .meta({ id: "AuditArchiveLag", description: "How far the audit archive is behind, over every log" });

const readinessView = (lag: ArchiveLag | null) =>
  lag === null ? null : { logs_behind: lag.logs_behind, max_lag_seconds: lag.max_lag_seconds, logs_failing: lag.logs_failing };

async function probe(name: string, check: () => Promise<string[]>): Promise<string[]> {
  try {
    return await withDeadline(name, READY_DEADLINE_MS, check);
  } catch {
    return [`${name} is unreachable`];
  }
}

export function systemRoutes(allRoutes: () => readonly AnyRoute[]) {
  let document: ReturnType<typeof openApiDocument> | undefined;
  return [
    route({
      method: "get",
      path: "/health",
      summary: "Liveness: the gateway is running",
      operationId: "getHealth",
      tag: "system",
      access: { kind: "public" },
      responses: { 200: { description: "Alive", schema: z.object({ status: z.literal("ok").describe("Always ok") }).meta({ id: "Health", description: "Liveness" }) } },
      handler: (c) => c.json({ status: "ok" as const }),
    }),
    route({
      method: "get",
      path: "/ready",
      summary: "Readiness: secrets present and well-formed, D1, kms and policy reachable; and the audit archive's lag",
      operationId: "getReadiness",
      tag: "system",
      access: { kind: "public" },
      responses: {
        200: {
          description: "Ready",
          schema: z
            .object({ status: z.literal("ready").describe("Ready"), reasons: z.array(z.string()).describe("Empty"), audit_archive: ArchiveLagSchema.describe("The audit archive's lag over every log: it informs, never makes the gateway not ready") })
            .meta({ id: "Ready" }),
        },
        503: {
          description: "Not ready",
          schema: z
            .object({
              status: z.literal("not_ready").describe("Not ready"),
              reasons: z.array(z.string()).describe("What is missing or unreachable"),
              audit_archive: ArchiveLagSchema.nullable().describe("The audit archive's lag, or null when D1 could not be read"),
            })
            .meta({ id: "NotReady" }),
        },
      },
      handler: async (c) => {
        let archive: ArchiveLag | null = null;
        const [config, d1, kms, policy] = await Promise.all([
          loadConfig(c.env).then((r) => (r.ok ? [] : (r.error.reasons ?? []))),
          // The archive query is the D1 probe: if it fails, D1 is the reason.
          probe("D1", async () => {
            archive = archiveLag(await readArchiveTotals(c.env.DB), Date.now());
            return [];
          }),
          probe("kms", async () => (await c.env.KMS.health()).reasons),
          probe("policy", async () => (await c.env.POLICY.health()).reasons),
        ]);
        const reasons = [...config, ...d1, ...kms, ...policy];
        const audit_archive = readinessView(archive);
        return reasons.length === 0 && audit_archive !== null
          ? c.json({ status: "ready" as const, reasons, audit_archive }, 200)
          : c.json({ status: "not_ready" as const, reasons, audit_archive }, 503);
      },
    }),
    route({
      method: "get",
      path: "/openapi.json",
      summary: "This API's OpenAPI 3.1 document",
      operationId: "getOpenApiDocument",
      tag: "system",
      access: { kind: "public" },
      responses: { 200: { description: "OpenAPI document", contentType: "application/json" } },
      handler: (c) => c.json((document ??= openApiDocument(allRoutes()))),
    }),
    route({
      method: "get",
      path: "/docs",
      summary: "The API reference, rendered from /openapi.json",
      operationId: "getApiReference",
      tag: "system",
      access: { kind: "public" },
      responses: { 200: { description: "HTML page (Content-Security-Policy: same-origin scripts and styles only)", contentType: "text/html" } },
      handler: (c) => docsPage(c, allRoutes()),
    }),
    route({
      method: "get",
      path: "/docs/:file",
      summary: "A file of the API reference page (its renderer, stylesheet, start-up script, licence)",
      operationId: "getApiReferenceFile",
      tag: "system",
      access: { kind: "public" },
      params: z.object({ file: z.string().max(100).describe("The file name, e.g. swagger-ui-bundle.js") }),
      errors: ["not_found"],
      responses: { 200: { description: "The file: text/javascript, text/css or text/plain" } },
      handler: (c, { params }) => docsFile(c, params.file),
    }),
  ];
}
