/**
 * The edges of the HTTP surface (architecture §5, §6): one problem+json shape for every failure (unknown
 * route, wrong method, oversized or malformed body, invalid input, internal error), the
 * unauthenticated system routes, and an OpenAPI document that matches the route registry.
 */
import { describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, ROUTES } from "../../workers/gateway/src/app.ts";
import { ERROR_CODES } from "../../workers/shared/errors.ts";
import { OPERATIONS } from "../../workers/shared/operations.ts";
import { createTenant, expectProblem, json, request, requestWithEnv, type Json } from "./helpers.ts";

const PROBLEM_KEYS = ["code", "detail", "request_id", "status", "title", "type"];

describe("problem details for every failure", () => {
  it("answers an unknown route with 404 not_found, before any authentication", async () => {
    for (const path of ["/", "/nowhere", "/v1/nothing", "/v2/tenant", "/v1/tenant/extra", "/admin/v1/other"]) {
      const body = await expectProblem(await request("GET", path), 404, "not_found");
      expect(Object.keys(body).sort()).toEqual(PROBLEM_KEYS);
      expect(body.type).toBe("https://pqkms.dev/problems/not-found");
      expect(body.title).toBe("Not found");
    }
  });

  it("answers a known path with another method with 405 method_not_allowed and Allow", async () => {
    const cases: [string, string, string[]][] = [
      ["PUT", "/v1/tenant", ["GET"]],
      ["DELETE", "/v1/api-keys", ["GET", "POST"]],
      ["GET", `/v1/api-keys/${crypto.randomUUID()}`, ["DELETE"]],
      ["PATCH", "/admin/v1/tenants", ["GET", "POST"]],
      ["DELETE", `/admin/v1/tenants/${crypto.randomUUID()}`, ["GET", "PATCH"]],
      ["POST", "/health", ["GET"]],
    ];
    for (const [method, path, allow] of cases) {
      const response = await request(method, path);
      await expectProblem(response, 405, "method_not_allowed");
      expect(response.headers.get("allow")?.split(", ").sort(), `${method} ${path}`).toEqual(allow);
    }
  });

  it("refuses a body over 1 MiB with 413 payload_too_large, and accepts one of exactly 1 MiB", async () => {
    const tenant = await createTenant();
    // JSON whitespace pads the body: every field is a known one, so only the size can refuse it.
    const fields = '{"name":"padded","role":"app"';
    const exact = fields + " ".repeat(MAX_BODY_BYTES - fields.length - 1) + "}";
    expect(exact.length).toBe(MAX_BODY_BYTES);
    expect((await request("POST", "/v1/api-keys", { token: tenant.token, body: exact })).status).toBe(201);
    const over = fields + " ".repeat(MAX_BODY_BYTES - fields.length) + "}";
    await expectProblem(await request("POST", "/v1/api-keys", { token: tenant.token, body: over }), 413, "payload_too_large");
    await expectProblem(await request("POST", "/admin/v1/tenants", { admin: true, body: over }), 413, "payload_too_large");
  });

  it("refuses an oversized streamed body that declares no length", async () => {
    const tenant = await createTenant();
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_BODY_BYTES) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const response = await requestWithEnv({}, "POST", "/v1/api-keys", { token: tenant.token, stream });
    await expectProblem(response, 413, "payload_too_large");
  });

  it("refuses malformed JSON with 400 invalid_json", async () => {
    const tenant = await createTenant();
    for (const body of ["{", '{"name": "x",}', "nul", "[1, 2"]) {
      await expectProblem(await request("POST", "/v1/api-keys", { token: tenant.token, body }), 400, "invalid_json");
    }
  });

  it("refuses a body that is not JSON by type with 415 unsupported_media_type", async () => {
    const tenant = await createTenant();
    const response = await request("POST", "/v1/api-keys", {
      token: tenant.token,
      body: '{"name":"x","role":"app"}',
      headers: { "content-type": "text/plain" },
    });
    await expectProblem(response, 415, "unsupported_media_type");
  });

  it("refuses input that fails validation with 400 invalid_request naming the field", async () => {
    const tenant = await createTenant();
    const cases: [unknown, string][] = [
      [{ name: 42, role: "app" }, "body.name"],
      [{ name: "x".repeat(101), role: "app" }, "body.name"],
      [[1, 2, 3], "body"],
      ["just a string", "body"],
    ];
    for (const [body, field] of cases) {
      const response = await request("POST", "/v1/api-keys", { token: tenant.token, body: JSON.stringify(body) });
      const problem = await expectProblem(response, 400, "invalid_request");
      expect(problem.detail, JSON.stringify(body)).toContain(`${field}:`);
    }
  });

  it("answers an unexpected failure with 500 internal_error and a fixed message", async () => {
    const tenant = await createTenant();
    const kms = { vaultSummary: async () => ({ ok: true, value: null }), health: async () => ({ reasons: [] }) } as unknown as Env["KMS"];
    const body = await expectProblem(await requestWithEnv({ KMS: kms }, "GET", "/v1/tenant", { token: tenant.token }), 500, "internal_error");
    expect(body.detail).toBe("An internal error occurred; quote the request id when reporting it");
  });
});

describe("system routes", () => {
  it("answers /health with 200", async () => {
    const response = await request("GET", "/health");
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ status: "ok" });
  });

  it("answers /ready with 200 when secrets, D1, kms and policy are all fine", async () => {
    const response = await request("GET", "/ready");
    // The audit archive's lag informs (other files' logs count in it); test/workers/archive-lag.test.ts checks it.
    expect(await json(response)).toEqual({ status: "ready", reasons: [], audit_archive: expect.objectContaining({ logs_behind: expect.any(Number) }) });
    expect(response.status).toBe(200);
  });

  it("answers /ready with 503 naming a dependency that is down", async () => {
    const down = { health: () => Promise.reject(new Error("internal detail")) } as unknown as Env["KMS"];
    const response = await requestWithEnv({ KMS: down }, "GET", "/ready");
    expect(response.status).toBe(503);
    expect(await json(response)).toMatchObject({ status: "not_ready", reasons: ["kms is unreachable"] });
  });

  it("lists every route in /docs", async () => {
    const response = await request("GET", "/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    for (const route of ROUTES) expect(html).toContain(`<code>${route.path}</code>`);
  });
});

describe("/openapi.json", () => {
  interface Operation {
    security: Record<string, string[]>[];
    parameters: { name: string; in: string }[];
    requestBody?: unknown;
    responses: Record<string, Json>;
    "x-pqkms-operation"?: string;
    "x-pqkms-scope"?: string;
  }
  interface Document {
    openapi: string;
    info: { title: string; version: string };
    components: { securitySchemes: Record<string, Json>; schemas: Record<string, Json> };
    paths: Record<string, Record<string, Operation>>;
  }

  it("is an OpenAPI 3.1 document that lists every route of the registry with its security", async () => {
    const response = await request("GET", "/openapi.json");
    expect(response.status).toBe(200);
    const doc = await json<Document>(response);
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });

    const listed = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`));
    const registered = ROUTES.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(listed.sort()).toEqual(registered.sort());

    for (const route of ROUTES) {
      const path = route.path.replace(/:(\w+)/g, "{$1}");
      const op = doc.paths[path]?.[route.method] as Operation;
      const where = `${route.method} ${path}`;
      if (route.access.kind === "public") expect(op.security, where).toEqual([]);
      if (route.access.kind === "admin") expect(op.security, where).toEqual([{ adminToken: [] }]);
      if (route.access.kind === "tenant") {
        expect(op.security, where).toEqual([{ apiKey: [] }, { bearerApiKey: [] }]);
        expect(op["x-pqkms-operation"], where).toBe(route.access.operation);
        expect(op["x-pqkms-scope"], where).toBe(OPERATIONS[route.access.operation].scope);
      }
      for (const requirement of op.security) {
        for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes, where).toHaveProperty(scheme);
      }
      const pathParams = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
      expect(op.parameters.filter((p) => p.in === "path").map((p) => p.name), where).toEqual(pathParams);
      expect(op.requestBody !== undefined, where).toBe(route.body !== undefined);
      expect(op.responses, where).toHaveProperty("default");
      const statuses = Object.keys(op.responses).filter((s) => s !== "default");
      expect(statuses.length, where).toBeGreaterThan(0);
    }
  });

  it("documents the problem body with the closed list of error codes", async () => {
    const doc = await json<Document>(await request("GET", "/openapi.json"));
    const problem = doc.paths["/v1/tenant"]?.get?.responses.default as { content: Record<string, { schema: Json }> };
    expect(problem.content["application/problem+json"]?.schema).toEqual({ $ref: "#/components/schemas/Problem" });
    const schema = doc.components.schemas.Problem as { properties: { code: { enum: string[] } } };
    expect(schema.properties.code.enum.sort()).toEqual([...ERROR_CODES].sort());
  });
});

