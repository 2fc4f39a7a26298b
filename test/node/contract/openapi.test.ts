/**
 * /openapi.json as a document to generate clients from: Redocly's recommended ruleset finds no
 * error (run offline, in-process), every operation has a unique operationId, the named schemas
 * are components referenced by `$ref`, every field and parameter is described, and every
 * operation lists the failures its access and shape imply, as problem+json with their codes.
 * It runs in Node but imports the gateway's route registry, so the root tsconfig (Workers runtime
 * types) checks it, not test/node's.
 */
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ROUTES } from "../../../workers/gateway/src/app.ts";
import { defaultOperationId, openApiDocument } from "../../../workers/gateway/src/http/openapi.ts";

type Json = { [key: string]: unknown };
interface Response {
  description: string;
  headers?: Record<string, Json>;
  content?: Record<string, { schema: Json; examples?: Record<string, Json> }>;
}
interface Operation {
  operationId: string;
  parameters: Json[];
  requestBody?: { content: Record<string, { schema: Json }> };
  responses: Record<string, Response>;
}

const doc = openApiDocument(ROUTES) as unknown as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; parameters: Record<string, Json>; headers: Record<string, Json> };
};
const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })),
);
const operationAt = (method: string, path: string) => doc.paths[path]?.[method] as Operation;
const codesOf = (response: Response | undefined) => Object.keys(response?.content?.["application/problem+json"]?.examples ?? {});

/** Unauthenticated routes that cannot fail with a client error: nothing to list under 4XX. */
const NO_CLIENT_ERROR = ["/health", "/ready", "/openapi.json", "/docs", "/console"];

describe("/openapi.json under Redocly's recommended rules", () => {
  let problems: Awaited<ReturnType<typeof lintFromString>>;

  beforeAll(async () => {
    // Offline by construction: any attempt to reach the network fails the lint.
    vi.stubGlobal("fetch", () => Promise.reject(new Error("the linter tried to reach the network")));
    const config = await createConfig({ extends: ["recommended"] });
    problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: "openapi.json", config });
  });

  afterAll(() => vi.unstubAllGlobals());

  it("has no errors", () => {
    const errors = problems.filter((p) => p.severity === "error").map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(errors).toEqual([]);
  });

  it("warns only that the unauthenticated service routes have no 4XX response", () => {
    const warnings = problems.filter((p) => p.severity === "warn").map((p) => `${p.ruleId} ${p.location[0]?.pointer}`);
    const expected = NO_CLIENT_ERROR.map((path) => `operation-4xx-response #/paths/${path.replaceAll("/", "~1")}/get/responses`);
    expect(warnings.sort()).toEqual(expected.sort());
  });
});

describe("operations", () => {
  it("each has a unique, identifier-shaped operationId", () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(ids.length).toBe(ROUTES.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("a route without an operationId gets one from its method and path", () => {
    expect(defaultOperationId({ method: "get", path: "/admin/v1/tenants/:id/api-keys" })).toBe("getAdminV1TenantsByIdApiKeys");
    expect(defaultOperationId({ method: "post", path: "/v1/keys/:key/schedule-deletion" })).toBe("postV1KeysByKeyScheduleDeletion");
  });

  it("a duplicate operationId refuses to generate a document", () => {
    const [first] = ROUTES;
    expect(() => openApiDocument([first!, { ...first!, path: "/elsewhere" }])).toThrow(/two operations are named/);
  });

  it("tenant routes list their pipeline failures, with WWW-Authenticate on 401 and Retry-After on 429", () => {
    for (const { where, op } of operations) {
      if (!where.includes(" /v1/")) continue;
      expect(codesOf(op.responses["401"]), where).toEqual(["missing_api_key", "invalid_api_key"]);
      expect(op.responses["401"]?.headers, where).toHaveProperty("WWW-Authenticate");
      expect(codesOf(op.responses["403"]), where).toEqual(expect.arrayContaining(["access_denied", "tenant_suspended", "plan_restricted", "quota_exceeded"]));
      expect(codesOf(op.responses["429"]), where).toEqual(["rate_limited"]);
      expect(op.responses["429"]?.headers, where).toHaveProperty("Retry-After");
      expect(codesOf(op.responses["503"]), where).toEqual(
        expect.arrayContaining(["rate_limiter_unavailable", "policy_unavailable", "kms_unavailable"]),
      );
      expect(op.responses["200"]?.headers ?? op.responses["201"]?.headers ?? op.responses["204"]?.headers, where).toHaveProperty("RateLimit");
    }
  });

  it("routes with a key in the path answer key_not_found and key_disabled; routes with a body, the body failures", () => {
    const encrypt = operationAt("post", "/v1/keys/{key}/encrypt");
    expect(codesOf(encrypt.responses["404"])).toEqual(["key_not_found"]);
    expect(codesOf(encrypt.responses["409"])).toEqual(["key_disabled"]);
    expect(codesOf(encrypt.responses["400"])).toEqual(expect.arrayContaining(["invalid_request", "invalid_json"]));
    expect(codesOf(encrypt.responses["413"])).toEqual(["payload_too_large"]);
    expect(codesOf(encrypt.responses["415"])).toEqual(["unsupported_media_type"]);
    expect(codesOf(operationAt("get", "/v1/keys/{key}").responses["400"])).toEqual([]);
    expect(codesOf(operationAt("get", "/admin/v1/tenants/{id}").responses["401"])).toEqual(["invalid_admin_token"]);
    expect(codesOf(operationAt("get", "/admin/v1/tenants/{id}").responses["404"])).toEqual(["tenant_not_found"]);
  });

  it("every problem response references the Problem schema, and every response carries X-Request-ID", () => {
    for (const { where, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (status === "default") continue;
        expect(response.headers, `${where} ${status}`).toHaveProperty("X-Request-ID");
        const problem = response.content?.["application/problem+json"];
        if (problem) expect(problem.schema, `${where} ${status}`).toEqual({ $ref: "#/components/schemas/Problem" });
      }
    }
  });

  it("an audit segment's download documents its gzip body, Repr-Digest, Content-Length and Content-Disposition, and its failures", () => {
    for (const path of ["/v1/audit-exports/{id}", "/admin/v1/audit-exports/{id}"]) {
      const download = operationAt("get", path);
      expect(Object.keys(download.responses["200"]?.content ?? {})).toEqual(["application/gzip"]);
      expect(download.responses["200"]?.headers).toEqual(expect.objectContaining({ "Repr-Digest": expect.anything(), "Content-Length": expect.anything(), "Content-Disposition": expect.anything() }));
      expect(codesOf(download.responses["404"])).toEqual(["audit_segment_not_found"]);
      expect(codesOf(download.responses["503"])).toEqual(expect.arrayContaining(["kms_unavailable", "audit_unavailable"]));
      expect(codesOf(download.responses["400"])).toEqual(["invalid_request"]);
    }
    const create = operationAt("post", "/v1/audit-checkpoints");
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(["200", "201"]));
    expect(create.responses["201"]?.content?.["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/AuditCheckpoint" });
    expect(operationAt("get", "/v1/audit-events/verify").parameters).toContainEqual(expect.objectContaining({ name: "from", in: "query", required: false }));
  });

  it("POST /v1/keys documents Idempotency-Key; every operation accepts X-Request-ID", () => {
    expect(operationAt("post", "/v1/keys").parameters).toContainEqual({ $ref: "#/components/parameters/IdempotencyKey" });
    for (const { where, op } of operations) expect(op.parameters, where).toContainEqual({ $ref: "#/components/parameters/RequestId" });
  });
});

describe("schemas", () => {
  it("names the shared concepts as components, referenced by $ref", () => {
    const named = Object.keys(doc.components.schemas);
    for (const name of ["Key", "KeyVersion", "KeyPage", "PublicKey", "ApiKey", "CreatedApiKey", "Tenant", "AuditEvent", "AuditPage", "Problem", "Usage",
      "ChainVerdict", "AuditSegment", "AuditSegmentPage", "AuditArchiveStatus", "AuditCheckpoint", "AuditCheckpointPage", "AuditKey", "AuditKeyList"]) {
      expect(named).toContain(name);
    }
    expect(operationAt("get", "/v1/keys/{key}").responses["200"]?.content?.["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/Key" });
    expect(operationAt("post", "/v1/keys").requestBody?.content["application/json"]?.schema).toEqual({ $ref: "#/components/schemas/CreateKeyRequest" });
  });

  it("describes every field and every parameter", () => {
    const undescribed: string[] = [];
    const walk = (schema: unknown, where: string): void => {
      if (typeof schema !== "object" || schema === null) return;
      const s = schema as Json;
      for (const [name, property] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
        if (typeof property.description !== "string" || property.description === "") undescribed.push(`${where}.${name}`);
        walk(property, `${where}.${name}`);
      }
      for (const key of ["items", "additionalProperties"]) walk(s[key], `${where}[]`);
      for (const key of ["anyOf", "oneOf", "allOf"]) for (const [i, inner] of ((s[key] ?? []) as unknown[]).entries()) walk(inner, `${where}|${i}`);
    };
    for (const [name, schema] of Object.entries(doc.components.schemas)) walk(schema, name);
    for (const { where, op } of operations) {
      for (const parameter of op.parameters) {
        if ("$ref" in parameter) continue;
        if (typeof parameter.description !== "string") undescribed.push(`${where} ${String(parameter.in)} ${String(parameter.name)}`);
      }
      for (const [status, response] of Object.entries(op.responses)) {
        for (const { schema } of Object.values(response.content ?? {})) walk(schema, `${where} ${status}`);
      }
    }
    expect(undescribed).toEqual([]);
  });

  it("states base64 size limits in bytes after decoding", () => {
    const body = doc.components.schemas.EncryptRequest as { properties: Record<string, { description: string }> };
    expect(body.properties.plaintext?.description).toMatch(/base64.*at most 262144 bytes/s);
  });
});
