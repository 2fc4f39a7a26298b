/**
 * /openapi.json, generated from the route registry's zod schemas (OpenAPI 3.1, JSON Schema
 * 2020-12), so the document cannot drift from what the gateway validates and answers: one
 * operationId per route, named component schemas, the headers the gateway reads and sets, and
 * every failure an operation can answer with its codes (openapi-errors.ts).
 */
import * as z from "zod";
import { ERRORS } from "../../../shared/errors.ts";
import { OPERATIONS } from "../../../shared/operations.ts";
import { ProblemSchema } from "../routes/schemas.ts";
import { errorCodesOf, HEADER_COMPONENTS, problemExamples, problemResponses, successHeaders } from "./openapi-errors.ts";
import { SchemaCollector, type JsonSchema } from "./openapi-schemas.ts";
import type { AnyRoute } from "./route-spec.ts";

const TAGS = [
  { name: "keys", description: "Key management: create, list, read, change, rotate, disable and enable keys, schedule and cancel their destruction. Private key material never leaves the service." },
  { name: "crypto", description: "Cryptographic operations with a key: HPKE envelope encryption and decryption, rewrap, data keys, ML-KEM encapsulation and decapsulation (FIPS 203), ML-DSA signatures (FIPS 204). Binary fields are base64." },
  { name: "aliases", description: "A tenant's names for its keys: use alias:NAME wherever a key id goes, and re-point an alias to another key of the same purpose without touching the application." },
  { name: "api-keys", description: "The tenant's own API keys: create (with a subset of the caller's scopes), list, revoke." },
  { name: "tenant", description: "The caller's tenant: plan, status, limits and this month's usage." },
  { name: "audit", description: "The tenant's hash-chained audit log and its verification; its archive (segments, gzip NDJSON, with their SHA-256), the checkpoints the platform signs over it with ML-DSA-65, and the public keys that verify them." },
  { name: "policy", description: "Tenant-defined policy rules: a source-IP allow-list and per-operation denies." },
  { name: "admin", description: "Platform administration with the platform admin token: tenants, their first API keys, the platform audit log (its archive, checkpoints and the audit signing key's rotation) and emergency policy fail-open." },
  { name: "system", description: "Unauthenticated service routes: liveness, readiness, metrics (own token), this document and its rendered reference." },
];

/** The tags the routes use, each described; a route with an undescribed tag refuses to generate. */
function definedTags(used: ReadonlySet<string>) {
  const missing = [...used].filter((name) => !TAGS.some((t) => t.name === name));
  if (missing.length > 0) throw new Error(`openapi: describe the tags ${missing.join(", ")} in TAGS`);
  return TAGS.filter((t) => used.has(t.name));
}

const DESCRIPTION = `Private key material never leaves the service: clients ask it to encrypt, decrypt, encapsulate,
decapsulate, sign and verify, and get public keys.

Authenticate tenant requests with an API key, in the \`x-api-key\` header or as \`Authorization: Bearer <key>\`.
Every failure is an RFC 9457 problem (\`application/problem+json\`) whose \`code\` is one of a closed list;
each operation lists the codes it can answer. A known path called with another method answers 405
\`method_not_allowed\` with an \`Allow\` header listing the methods it has. Every response carries
\`X-Request-ID\`; tenant routes carry \`RateLimit\` and \`RateLimit-Policy\`.

Binary fields are base64 (RFC 4648 §4; base64url, §5, is accepted on input); size limits are stated in
bytes after decoding.`;

const ref = (kind: "headers" | "parameters" | "schemas", name: string) => ({ $ref: `#/components/${kind}/${name}` });

const PARAMETERS = {
  RequestId: {
    name: "X-Request-ID",
    in: "header",
    required: false,
    description:
      "Your id for this request, echoed in the X-Request-ID response header and recorded in audit events: 8–128 characters of [A-Za-z0-9._:-], starting with a letter or digit. Anything else is replaced by a fresh UUID.",
    schema: { type: "string", minLength: 8, maxLength: 128, pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$" },
  },
  IdempotencyKey: {
    name: "Idempotency-Key",
    in: "header",
    required: false,
    description:
      "Makes a retried create safe: the same key with the same body answers the key first created; with a different body, 409 idempotency_conflict. 1–255 visible ASCII characters.",
    schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7e]{1,255}$" },
  },
};

const pascal = (id: string) => id[0]!.toUpperCase() + id.slice(1);

/** A stable default: `get /admin/v1/tenants/:id/api-keys` → `getAdminV1TenantsByIdApiKeys`. */
export function defaultOperationId(spec: Pick<AnyRoute, "method" | "path">): string {
  const words = spec.path
    .split(/[/._-]/)
    .filter((part) => part !== "")
    .map((part) => (part.startsWith(":") ? `By${pascal(part.slice(1))}` : pascal(part)));
  return spec.method + words.join("");
}

export const operationIdOf = (spec: AnyRoute): string => spec.operationId ?? defaultOperationId(spec);

/** A parameter's documentation lives on the parameter: generators and renderers read it there. */
function parameter(name: string, where: "path" | "query", schema: JsonSchema, required: boolean) {
  const { description, ...rest } = schema;
  return { name, in: where, required, ...(description === undefined ? {} : { description }), schema: rest };
}

function parametersOf(spec: AnyRoute, schemas: SchemaCollector) {
  const names = [...spec.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
  const pathShape = (spec.params as z.ZodObject | undefined)?.shape ?? {};
  const path = names.map((name) => {
    const schema = pathShape[name] as z.ZodType | undefined;
    return parameter(name, "path", schema ? schemas.use(schema, "input") : { type: "string" }, true);
  });
  const queryShape = (spec.query as z.ZodObject | undefined)?.shape ?? {};
  const query = Object.entries(queryShape).map(([name, schema]) =>
    parameter(name, "query", schemas.use(schema as z.ZodType, "input"), !(schema as z.ZodType).safeParse(undefined).success),
  );
  return [...path, ...query, ref("parameters", "RequestId"), ...(spec.idempotencyKey ? [ref("parameters", "IdempotencyKey")] : [])];
}

function operationOf(spec: AnyRoute, schemas: SchemaCollector) {
  const access = spec.access;
  const operationId = operationIdOf(spec);
  const security =
    access.kind === "public" ? [] : access.kind === "admin" ? [{ adminToken: [] }] : [{ apiKey: [] }, { bearerApiKey: [] }];
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    const type = response.contentType ?? "application/json";
    const content = response.schema
      ? { [type]: { schema: schemas.use(response.schema, "output") } }
      : response.contentType
        ? { [type]: type === "application/json" ? {} : { schema: { type: "string" } } }
        : undefined;
    responses[status] = { description: response.description, headers: { ...successHeaders(spec), ...response.headers }, ...(content ? { content } : {}) };
  }
  Object.assign(responses, problemResponses(spec));
  responses.default = { description: "Any other failure (RFC 9457 problem details)", content: { "application/problem+json": { schema: ref("schemas", "Problem") } } };
  const catalog = access.kind === "tenant" ? OPERATIONS[access.operation] : undefined;
  return {
    operationId,
    summary: spec.summary,
    ...(access.kind === "tenant" && catalog
      ? { description: `Operation \`${access.operation}\`: needs the \`${catalog.scope}\` scope; costs ${catalog.cost} against the tenant's rate limit and monthly quota.` }
      : {}),
    tags: [spec.tag],
    ...(access.kind === "tenant" ? { "x-pqkms-operation": access.operation, "x-pqkms-scope": catalog?.scope } : {}),
    security,
    parameters: parametersOf(spec, schemas),
    ...(spec.body
      ? { requestBody: { required: true, content: { "application/json": { schema: schemas.use(spec.body as z.ZodType, "input", `${pascal(operationId)}Request`) } } } }
      : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly AnyRoute[]) {
  const schemas = new SchemaCollector();
  schemas.use(ProblemSchema, "output");
  const paths: Record<string, Record<string, unknown>> = {};
  const ids = new Set<string>();
  for (const spec of routes) {
    const id = operationIdOf(spec);
    if (ids.has(id)) throw new Error(`openapi: two operations are named ${id}`);
    ids.add(id);
    const path = spec.path.replace(/:(\w+)/g, "{$1}");
    paths[path] ??= {};
    paths[path][spec.method] = operationOf(spec, schemas);
  }
  const usedTags = new Set(routes.map((r) => r.tag));
  return {
    openapi: "3.1.0",
    info: {
      title: "pqkms",
      version: "1",
      summary: "Multi-tenant post-quantum key management service",
      description: DESCRIPTION,
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
      contact: { name: "pqkms maintainers" },
    },
    // Relative: the gateway that serves this document, deployed or local (http://localhost:8787
    // under `npm start`). A fixed localhost entry would be wrong for every deployed reader.
    servers: [{ url: "/", description: "The gateway that serves this document (http://localhost:8787 under npm start)" }],
    tags: definedTags(usedTags),
    paths,
    components: {
      schemas: schemas.components,
      examples: problemExamples(routes.flatMap((spec) => errorCodesOf(spec).filter((code) => spec.responses[ERRORS[code].status] === undefined))),
      parameters: {
        RequestId: PARAMETERS.RequestId,
        ...(routes.some((r) => r.idempotencyKey) ? { IdempotencyKey: PARAMETERS.IdempotencyKey } : {}),
      },
      headers: HEADER_COMPONENTS,
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "x-api-key", description: "A tenant API key (`pqk_…`) in the x-api-key header" },
        bearerApiKey: { type: "http", scheme: "bearer", description: "A tenant API key (`pqk_…`) as a Bearer token" },
        adminToken: { type: "http", scheme: "bearer", description: "The platform admin token (ADMIN_TOKEN) as a Bearer token" },
      },
    },
  };
}
