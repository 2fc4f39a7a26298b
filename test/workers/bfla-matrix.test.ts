/**
 * Broken function-level authorization, as a matrix (architecture §2, §4 rule 2): for every tenant route
 * in the registry (ROUTES in app.ts) and every scope, an API key holding exactly that one scope is
 * let through only where the route's operation needs that scope; every other pair is 403
 * access_denied, rule `scopes`. The routes come from the registry, so a route added later is in
 * the matrix; a new operation needs a minimal valid request in REQUESTS, or the suite says so.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../../workers/gateway/src/app.ts";
import { segmentId } from "../../workers/shared/audit/archive-format.ts";
import type { AnyRoute } from "../../workers/gateway/src/http/route-spec.ts";
import { OPERATIONS, type Operation } from "../../workers/shared/operations.ts";
import { SCOPES, type Scope } from "../../workers/shared/scopes.ts";
import { createApiKey, createTenant, request, type TestTenant } from "./helpers.ts";

interface MinimalRequest {
  body?: unknown;
  query?: string;
  /** Path parameters that are not ids (a UUID fills every other one). */
  params?: Record<string, string>;
}

const SOME_BYTES = btoa("bfla-matrix");
/** A well-formed segment id no log has (a segment id is a sequence range, not a UUID): 404 with the right scope. */
const SOME_SEGMENT = segmentId(1, 1);

/**
 * Input that passes validation, so that the policy decides. Where the right scope succeeds, the
 * request stays harmless: ids are random (404), a minted key grants only the scope the caller holds.
 */
const REQUESTS: Record<Operation, MinimalRequest> = {
  "tenant.read": {},
  "usage.read": {},
  "api-keys.create": { body: { name: "bfla", scopes: ["api-keys:manage"] } },
  "api-keys.list": {},
  "api-keys.revoke": {},
  "keys.create": { body: { algorithm: "ML-KEM-512" } },
  "keys.list": { query: "limit=5" },
  "keys.get": {},
  "keys.update": { body: { name: "renamed" } },
  "keys.public-key": { query: "format=raw" },
  "keys.rotate": {},
  "keys.disable": {},
  "keys.enable": {},
  "keys.schedule-deletion": { body: { days: 7 } },
  "keys.cancel-deletion": {},
  "keys.versions.disable": { params: { version: "1" } },
  "keys.versions.enable": { params: { version: "1" } },
  "keys.versions.schedule-destruction": { params: { version: "1" }, body: { days: 7 } },
  "keys.versions.cancel-destruction": { params: { version: "1" } },
  "aliases.create": { body: { name: "bfla", key_id: "00000000-0000-4000-8000-000000000000" } },
  "aliases.list": { query: "limit=5" },
  "aliases.get": {},
  "aliases.update": { body: { key_id: "00000000-0000-4000-8000-000000000000" } },
  "aliases.delete": {},
  "crypto.encrypt": { body: { plaintext: SOME_BYTES } },
  "crypto.decrypt": { body: { ciphertext: SOME_BYTES } },
  "crypto.rewrap": { body: { ciphertext: SOME_BYTES } },
  "crypto.datakey": {},
  "crypto.encapsulate": {},
  "crypto.decapsulate": { body: { ciphertext: SOME_BYTES } },
  "crypto.sign": { body: { message: SOME_BYTES } },
  "crypto.verify": { body: { message: SOME_BYTES, signature: SOME_BYTES } },
  "crypto.mac": { body: { message: SOME_BYTES } },
  "crypto.verify-mac": { body: { message: SOME_BYTES, mac: SOME_BYTES } },
  // A batch needs the scope of the operation its body names (test/workers/batch.test.ts covers the others).
  "import-jobs.create": { body: { wrapping_algorithm: "ML-KEM-768" } },
  "import-jobs.list": {},
  "import-jobs.get": {},
  "keys.import": { body: { import_job_id: "00000000-0000-4000-8000-000000000000", wrapped_material: SOME_BYTES } },
  "crypto.batch": { body: { operation: "encrypt", items: [{ plaintext: SOME_BYTES }] } },
  "audit.list": { query: "limit=5" },
  "audit.verify": {},
  "audit.exports.list": { query: "limit=5" },
  "audit.exports.get": { params: { id: SOME_SEGMENT } },
  "audit.checkpoints.list": { query: "limit=5" },
  "audit.checkpoints.create": {},
  "audit.keys.list": {},
  "policy-rules.list": {},
  "policy-rules.create": { body: { kind: "operation_deny", value: "audit.verify" } },
  "policy-rules.delete": {},
};

/**
 * What the right scope may be answered: success, or the route's own "no such thing" for a random id
 * (for key-less decrypt and rewrap, whose key is named by the envelope: 400 decrypt_failed).
 */
const ALLOWED_ANSWERS = new Set([200, 201, 204, 400, 404]);
const NOT_FOUND_CODES = new Set(["key_not_found", "api_key_not_found", "alias_not_found", "not_found", "audit_segment_not_found", "import_job_not_found"]);
const KEYLESS_PATHS = new Set(["/v1/decrypt", "/v1/rewrap"]);

type TenantRoute = AnyRoute & { access: { kind: "tenant"; operation: Operation } };
const TENANT_ROUTES = ROUTES.filter((r): r is TenantRoute => r.access.kind === "tenant");

function minimalRequest(route: TenantRoute): MinimalRequest {
  const known = (REQUESTS as Partial<Record<string, MinimalRequest>>)[route.access.operation];
  if (!known) {
    throw new Error(
      `operation "${route.access.operation}" (${route.method.toUpperCase()} ${route.path}) has no entry in REQUESTS ` +
        "in test/workers/bfla-matrix.test.ts: add a minimal valid request for it",
    );
  }
  return known;
}

function send(route: TenantRoute, token: string): Promise<Response> {
  const { body, query, params } = minimalRequest(route);
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => params?.[name] ?? crypto.randomUUID()) + (query ? `?${query}` : "");
  return request(route.method.toUpperCase(), path, { token, body });
}

let tenant: TestTenant;
const tokens = new Map<Scope, string>();

beforeAll(async () => {
  tenant = await createTenant({ name: "bfla", plan: "enterprise" });
  const minted = await Promise.all(SCOPES.map((scope) => createApiKey(tenant, { name: `only ${scope}`, scopes: [scope] })));
  SCOPES.forEach((scope, i) => tokens.set(scope, (minted[i] as { token: string }).token));
});

it("covers every tenant route in the registry, each with a minimal request", () => {
  expect(TENANT_ROUTES.length).toBeGreaterThanOrEqual(Object.keys(OPERATIONS).length);
  for (const route of TENANT_ROUTES) expect(() => minimalRequest(route)).not.toThrow();
  expect(Object.keys(REQUESTS).sort()).toEqual(Object.keys(OPERATIONS).sort());
  // Every operation's scope is one an API key can hold, so every row of the matrix has one allowed cell.
  for (const { scope } of Object.values(OPERATIONS)) expect(SCOPES).toContain(scope);
});

describe.each(TENANT_ROUTES.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))("%s", (_name, route) => {
  const needed = OPERATIONS[route.access.operation].scope;

  it(`admits only a key holding ${needed}; a key with any other single scope is 403 rule scopes`, async () => {
    const answers = await Promise.all(
      SCOPES.map(async (scope) => {
        const response = await send(route, tokens.get(scope) as string);
        const text = await response.text();
        return { scope, status: response.status, body: (text ? JSON.parse(text) : {}) as { code?: string; rule?: string; id?: string } };
      }),
    );
    for (const { scope, status, body } of answers) {
      if (scope === needed) {
        expect(ALLOWED_ANSWERS.has(status), `${scope}: ${status} ${JSON.stringify(body)}`).toBe(true);
        if (status === 404) expect(NOT_FOUND_CODES.has(body.code ?? ""), `${scope}: ${JSON.stringify(body)}`).toBe(true);
        if (status === 400) expect(KEYLESS_PATHS.has(route.path) && body.code === "decrypt_failed", `${scope}: ${JSON.stringify(body)}`).toBe(true);
      } else {
        expect({ scope, status, code: body.code, rule: body.rule }).toEqual({ scope, status: 403, code: "access_denied", rule: "scopes" });
      }
    }
    // A rule the allowed request created must not change the answers of the routes after this one.
    const created = answers.find((a) => a.scope === needed && a.status === 201);
    if (route.access.operation === "policy-rules.create" && created?.body.id) {
      const removed = await request("DELETE", `/v1/policy-rules/${created.body.id}`, { token: tokens.get("api-keys:manage") as string });
      expect(removed.status).toBe(204);
    }
  });
});
