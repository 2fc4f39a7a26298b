/**
 * Every operation in the gateway's OpenAPI document (clients/js/openapi.json, kept current by the
 * drift test) has a client method: a route added without one fails here (and the typecheck, through
 * OPERATIONS' type). Method, path and credential match the document.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OPERATIONS, Pqkms, type OperationId } from "../src/index.ts";

interface Operation {
  operationId: string;
  security: Record<string, unknown>[];
}
const doc = JSON.parse(readFileSync(new URL("../openapi.json", import.meta.url), "utf8")) as { paths: Record<string, Record<string, Operation>> };
const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));

const client = new Pqkms({ url: "http://localhost:8787", apiKey: "pqk_unused", adminToken: "unused" });

function resolve(target: unknown, dotted: string): unknown {
  return dotted.split(".").reduce<unknown>((object, name) => (object as Record<string, unknown> | undefined)?.[name], target);
}

describe("every operation of the document", () => {
  it("has an entry, and nothing else does", () => {
    expect(Object.keys(OPERATIONS).sort()).toEqual(operations.map(({ op }) => op.operationId).sort());
  });

  it.each(operations.map(({ path, method, op }) => [op.operationId, path, method, op] as const))("%s has a client method", (id, path, method, op) => {
    const spec = OPERATIONS[id as OperationId];
    expect(spec, `${id}: add it to clients/js/src/client/operations.ts and give it a method`).toBeDefined();
    expect({ method: spec.method, path: spec.path }).toEqual({ method: method.toUpperCase(), path });
    const auth = op.security.length === 0 ? "none" : op.security.some((s) => "adminToken" in s) ? "admin" : "tenant";
    expect(spec.auth).toBe(auth);
    expect(resolve(client, spec.client), `client.${spec.client}`).toBeTypeOf("function");
  });
});
