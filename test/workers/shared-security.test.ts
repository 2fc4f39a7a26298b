/**
 * Shared negative tests every authenticated route must pass (architecture §2, §3). The routes come from
 * the registry itself (ROUTES in app.ts), so a route added later is covered without touching this
 * file. Stages 2–3 run before input validation, so those checks need nothing per route; the scope
 * check (stage 6) needs input that validates, so a new operation needs an entry in REQUESTS (a
 * minimal valid request for it), and the suite fails with a clear message until it has one.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ROUTES } from "../../workers/gateway/src/app.ts";
import { segmentId } from "../../workers/shared/audit/archive-format.ts";
import type { AnyRoute } from "../../workers/gateway/src/http/route-spec.ts";
import { OPERATIONS, type Operation } from "../../workers/shared/operations.ts";
import { SCOPES, type Scope } from "../../workers/shared/scopes.ts";
import { createApiKey, createTenant, expectProblem, request, revokeApiKey, unknownToken, type TestTenant } from "./helpers.ts";

/** A minimal request that passes input validation, so the only thing under test is access. */
interface MinimalRequest {
  body?: unknown;
  query?: string;
  /** Path parameters that are not ids (a UUID fills every other one). */
  params?: Record<string, string>;
}

const SOME_BYTES = btoa("shared-security");
/** A well-formed segment id no log has (a segment id is a sequence range, not a UUID). */
const SOME_SEGMENT = segmentId(1, 1);

const REQUESTS: Record<Operation, () => MinimalRequest> = {
  "tenant.read": () => ({}),
  "api-keys.create": () => ({ body: { name: "shared-security", scopes: ["keys:read"] } }),
  "api-keys.list": () => ({}),
  "api-keys.revoke": () => ({}),
  "keys.create": () => ({ body: { algorithm: "ML-KEM-768" } }),
  "keys.list": () => ({ query: "limit=10" }),
  "keys.get": () => ({}),
  "keys.update": () => ({ body: { name: "renamed" } }),
  "keys.public-key": () => ({ query: "format=spki" }),
  "keys.rotate": () => ({}),
  "keys.disable": () => ({}),
  "keys.enable": () => ({}),
  "keys.schedule-deletion": () => ({ body: { days: 7 } }),
  "keys.cancel-deletion": () => ({}),
  "keys.versions.disable": () => ({ params: { version: "1" } }),
  "keys.versions.enable": () => ({ params: { version: "1" } }),
  "keys.versions.schedule-destruction": () => ({ params: { version: "1" }, body: { days: 7 } }),
  "keys.versions.cancel-destruction": () => ({ params: { version: "1" } }),
  "aliases.create": () => ({ body: { name: "shared-security", key_id: crypto.randomUUID() } }),
  "aliases.list": () => ({ query: "limit=10" }),
  "aliases.get": () => ({}),
  "aliases.update": () => ({ body: { key_id: crypto.randomUUID() } }),
  "aliases.delete": () => ({}),
  "crypto.encrypt": () => ({ body: { plaintext: SOME_BYTES } }),
  "crypto.decrypt": () => ({ body: { ciphertext: SOME_BYTES } }),
  "crypto.rewrap": () => ({ body: { ciphertext: SOME_BYTES } }),
  "crypto.datakey": () => ({}),
  "crypto.encapsulate": () => ({}),
  "crypto.decapsulate": () => ({ body: { ciphertext: SOME_BYTES } }),
  "crypto.sign": () => ({ body: { message: SOME_BYTES } }),
  "crypto.verify": () => ({ body: { message: SOME_BYTES, signature: SOME_BYTES } }),
  "crypto.mac": () => ({ body: { message: SOME_BYTES } }),
  "crypto.verify-mac": () => ({ body: { message: SOME_BYTES, mac: SOME_BYTES } }),
  "import-jobs.create": () => ({ body: { wrapping_algorithm: "ML-KEM-768" } }),
  "import-jobs.list": () => ({}),
  "import-jobs.get": () => ({}),
  "keys.import": () => ({ body: { import_job_id: crypto.randomUUID(), wrapped_material: SOME_BYTES } }),
  "crypto.batch": () => ({ body: { operation: "encrypt", items: [{ plaintext: SOME_BYTES }] } }),
  "audit.list": () => ({}),
  "audit.verify": () => ({ query: "from=window" }),
  "audit.exports.list": () => ({ query: "limit=5" }),
  "audit.exports.get": () => ({ params: { id: SOME_SEGMENT } }),
  "audit.checkpoints.list": () => ({ query: "limit=5" }),
  "audit.checkpoints.create": () => ({}),
  "audit.keys.list": () => ({}),
  "usage.read": () => ({}),
  "policy-rules.list": () => ({}),
  "policy-rules.create": () => ({ body: { kind: "operation_deny", value: "keys.create" } }),
  "policy-rules.delete": () => ({}),
};

type TenantRoute = AnyRoute & { access: { kind: "tenant"; operation: Operation } };

const TENANT_ROUTES = ROUTES.filter((r): r is TenantRoute => r.access.kind === "tenant");

function minimalRequest(route: TenantRoute): MinimalRequest {
  const factory = (REQUESTS as Partial<Record<string, () => MinimalRequest>>)[route.access.operation];
  if (!factory) {
    throw new Error(
      `operation "${route.access.operation}" (${route.method.toUpperCase()} ${route.path}) has no entry in REQUESTS ` +
        "in test/workers/shared-security.test.ts: add a minimal valid request for it",
    );
  }
  return factory();
}

/**
 * Sends the route's minimal request, path parameters filled with fresh random UUIDs. Checks of
 * stages 2–3 may pass `anyInput`: they must hold whatever the input, even for a route whose
 * operation has no entry in REQUESTS yet.
 */
function send(route: TenantRoute, headers: Record<string, string>, anyInput = false): Promise<Response> {
  const hasFactory = Object.hasOwn(REQUESTS, route.access.operation);
  const { body, query, params }: MinimalRequest = anyInput && !hasFactory ? {} : minimalRequest(route);
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => params?.[name] ?? crypto.randomUUID()) + (query ? `?${query}` : "");
  return request(route.method.toUpperCase(), path, { headers, body });
}

const withKey = (token: string) => ({ "x-api-key": token });

interface Fixture {
  tenant: TestTenant;
  revoked: string;
  expired: string;
  suspended: string;
  /** Per scope: a key holding every scope but that one. */
  lacking: Map<Scope, string>;
}

let fixture: Fixture;

beforeAll(async () => {
  const tenant = await createTenant({ name: "shared-security", plan: "enterprise" });
  const revoked = await createApiKey(tenant, { name: "revoked", role: "admin" });
  await revokeApiKey(tenant, revoked.id);
  const expired = await createApiKey(tenant, { name: "expired", role: "admin" });
  await env.DB.prepare("UPDATE api_keys SET expires_at = ? WHERE id = ?").bind(Date.now() - 1, expired.id).run();
  const lacking = new Map<Scope, string>();
  for (const scope of SCOPES) {
    lacking.set(scope, (await createApiKey(tenant, { name: `without ${scope}`, scopes: SCOPES.filter((s) => s !== scope) })).token);
  }
  const suspendedTenant = await createTenant({ name: "suspended", plan: "enterprise" });
  const patched = await request("PATCH", `/admin/v1/tenants/${suspendedTenant.id}`, { admin: true, body: { status: "suspended" } });
  expect(patched.status).toBe(200);
  fixture = { tenant, revoked: revoked.token, expired: expired.token, suspended: suspendedTenant.token, lacking };
});

it("covers every tenant route in the registry, and every operation has a minimal request", () => {
  expect(TENANT_ROUTES.length).toBeGreaterThan(0);
  for (const route of TENANT_ROUTES) expect(() => minimalRequest(route)).not.toThrow();
  expect(Object.keys(REQUESTS).sort()).toEqual(Object.keys(OPERATIONS).sort());
});

describe.each(TENANT_ROUTES.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const))("%s", (_name, route) => {
  it("refuses a request without an API key: 401 missing_api_key", async () => {
    await expectProblem(await send(route, {}, true), 401, "missing_api_key");
  });

  it("refuses garbage, a wrong checksum and an unknown key: 401 invalid_api_key", async () => {
    const token = fixture.tenant.token;
    const wrongChecksum = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    for (const bad of ["garbage", wrongChecksum, unknownToken()]) {
      await expectProblem(await send(route, withKey(bad), true), 401, "invalid_api_key");
      await expectProblem(await send(route, { authorization: `Bearer ${bad}` }, true), 401, "invalid_api_key");
    }
  });

  it("refuses a revoked key and an expired key: 401 invalid_api_key", async () => {
    await expectProblem(await send(route, withKey(fixture.revoked), true), 401, "invalid_api_key");
    await expectProblem(await send(route, withKey(fixture.expired), true), 401, "invalid_api_key");
  });

  it("refuses a suspended tenant's key: 403 tenant_suspended", async () => {
    await expectProblem(await send(route, withKey(fixture.suspended), true), 403, "tenant_suspended");
  });

  it(`refuses a key that holds every scope but the route's own: 403 access_denied`, async () => {
    const scope = OPERATIONS[route.access.operation].scope;
    const token = fixture.lacking.get(scope) as string;
    const problem = await expectProblem(await send(route, withKey(token)), 403, "access_denied");
    expect(problem.rule).toBe("scopes");
    expect(problem.detail).toContain(scope);
  });

  it("lets a key with every scope past authentication and policy (the control for the cases above)", async () => {
    // A tenant of its own: what this request creates (a key, a rule) must not affect other routes.
    const control = await createTenant({ name: "control", plan: "enterprise" });
    const response = await send(route, withKey(control.token));
    expect([401, 403, 429, 503], `${response.status} ${await response.clone().text()}`).not.toContain(response.status);
  });
});
