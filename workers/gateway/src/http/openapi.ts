/**
 * /openapi.json, generated from the route registry's zod schemas (OpenAPI 3.1, JSON Schema
 * 2020-12), so the document cannot drift from what the gateway validates and answers.
 */
import * as z from "zod";
import { OPERATIONS } from "../../../shared/operations.ts";
import { ProblemSchema } from "../routes/schemas.ts";
import type { AnyRoute } from "./routes.ts";

const toSchema = (schema: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" });

function pathParams(spec: AnyRoute) {
  const names = [...spec.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
  const shape = (spec.params as z.ZodObject | undefined)?.shape ?? {};
  return names.map((name) => ({
    name,
    in: "path",
    required: true,
    schema: shape[name] ? toSchema(shape[name] as z.ZodType, "input") : { type: "string" },
  }));
}

function queryParams(spec: AnyRoute) {
  const shape = (spec.query as z.ZodObject | undefined)?.shape ?? {};
  return Object.entries(shape).map(([name, schema]) => ({
    name,
    in: "query",
    required: !(schema as z.ZodType).safeParse(undefined).success,
    schema: toSchema(schema as z.ZodType, "input"),
  }));
}

function operationOf(spec: AnyRoute) {
  const access = spec.access;
  const security =
    access.kind === "public" ? [] : access.kind === "admin" ? [{ adminToken: [] }] : [{ apiKey: [] }, { bearerApiKey: [] }];
  const problem = { "application/problem+json": { schema: toSchema(ProblemSchema, "output") } };
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(spec.responses)) {
    responses[status] = response.schema
      ? { description: response.description, content: { "application/json": { schema: toSchema(response.schema, "output") } } }
      : { description: response.description };
  }
  responses.default = { description: "Error (RFC 9457 problem details)", content: problem };
  return {
    summary: spec.summary,
    tags: [spec.tag],
    ...(access.kind === "tenant" ? { "x-pqkms-operation": access.operation, "x-pqkms-scope": OPERATIONS[access.operation].scope } : {}),
    security,
    parameters: [...pathParams(spec), ...queryParams(spec)],
    ...(spec.body
      ? { requestBody: { required: true, content: { "application/json": { schema: toSchema(spec.body, "input") } } } }
      : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly AnyRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const path = spec.path.replace(/:(\w+)/g, "{$1}");
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[spec.method] = operationOf(spec);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "pqkms",
      version: "1",
      description: "Multi-tenant post-quantum key management. Private key material never leaves the service.",
    },
    components: {
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
        bearerApiKey: { type: "http", scheme: "bearer", description: "The API key as a Bearer token" },
        adminToken: { type: "http", scheme: "bearer", description: "Platform admin token (ADMIN_TOKEN)" },
      },
    },
    paths,
  };
}
