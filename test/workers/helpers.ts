/**
 * Helpers for end-to-end tests through the real gateway (main Worker) with the real kms and policy
 * Workers behind it. Requests go through `exports.default.fetch`, exactly as a client's would.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { createApp } from "../../workers/gateway/src/app.ts";
import { formatToken } from "../../workers/gateway/src/auth/token.ts";

export const BASE = "https://pqkms.test";

export interface Json {
  [key: string]: unknown;
}

export async function request(
  method: string,
  path: string,
  options: { token?: string; admin?: boolean; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("x-api-key", options.token);
  if (options.admin) headers.set("authorization", `Bearer ${env.ADMIN_TOKEN}`);
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return exports.default.fetch(new Request(BASE + path, { method, headers, body }));
}

export async function json<T = Json>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** Asserts an RFC 9457 problem with the given status and code; returns the body. */
export async function expectProblem(response: Response, status: number, code: string): Promise<Json> {
  const text = await response.text();
  expect({ status: response.status, body: text }).toMatchObject({ status });
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  const body = JSON.parse(text) as Json;
  expect(body).toMatchObject({ status, code });
  expect(body.request_id).toBe(response.headers.get("x-request-id"));
  return body;
}

export interface TestTenant {
  id: string;
  token: string;
  apiKeyId: string;
}

export async function createTenant(
  options: { name?: string; plan?: string; limits?: Record<string, number | null> } = {},
): Promise<TestTenant> {
  const response = await request("POST", "/admin/v1/tenants", {
    admin: true,
    body: { name: options.name ?? "acme", plan: options.plan ?? "free" },
  });
  expect(response.status).toBe(201);
  const body = await json<{ tenant: { id: string }; api_key: { id: string; token: string } }>(response);
  if (options.limits) {
    const patched = await request("PATCH", `/admin/v1/tenants/${body.tenant.id}`, { admin: true, body: { limits: options.limits } });
    expect(patched.status).toBe(200);
  }
  return { id: body.tenant.id, token: body.api_key.token, apiKeyId: body.api_key.id };
}

export async function createApiKey<T extends { id: string; token: string } = { id: string; token: string }>(
  tenant: TestTenant,
  body: Json,
): Promise<T> {
  const response = await request("POST", "/v1/api-keys", { token: tenant.token, body });
  expect(response.status, await response.clone().text()).toBe(201);
  return json<T>(response);
}

/** A random, well-formed token (valid checksum) that no tenant holds. */
export function unknownToken(): string {
  return formatToken(crypto.getRandomValues(new Uint8Array(32)));
}

export async function revokeApiKey(tenant: TestTenant, id: string): Promise<void> {
  const response = await request("DELETE", `/v1/api-keys/${id}`, { token: tenant.token });
  expect(response.status, await response.clone().text()).toBe(204);
}

/**
 * The gateway app called directly with a modified environment, for fault injection: the same
 * routes and stages as the deployed Worker, with one binding replaced.
 */
export function requestWithEnv(
  overrides: Partial<Env>,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<Response> {
  return requestApp(faultApp, overrides, method, path, options);
}

type RequestOptions = { token?: string; admin?: boolean; body?: unknown; stream?: ReadableStream<Uint8Array>; headers?: Record<string, string> };

/**
 * A test clock, starting at the real time, moved by hand: time-dependent behaviour (key expiry,
 * the rate limiter's refill) is tested by moving it, not by sleeping.
 */
export function testClock(): { now: () => number; advance: (ms: number) => void } {
  let now = Date.now();
  return { now: () => now, advance: (ms) => (now += ms) };
}

/** The gateway app with the given clock for its stages (key expiry and cache, rate limiter). */
export function requestWithClock(clock: () => number): (method: string, path: string, options?: RequestOptions) => Promise<Response> {
  const app = createApp(undefined, { clock });
  return (method, path, options = {}) => requestApp(app, {}, method, path, options);
}

async function requestApp(
  app: ReturnType<typeof createApp>,
  overrides: Partial<Env>,
  method: string,
  path: string,
  options: RequestOptions,
): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("x-api-key", options.token);
  if (options.admin) headers.set("authorization", `Bearer ${env.ADMIN_TOKEN}`);
  let body: string | ReadableStream<Uint8Array> | undefined = options.stream;
  if (options.body !== undefined || options.stream !== undefined) headers.set("content-type", "application/json");
  if (options.body !== undefined) body = JSON.stringify(options.body);
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(BASE + path, { method, headers, body }), { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

const faultApp = createApp();

/** A binding that records every use and fails it, as an unreachable dependency does. */
export function failingBinding<T>(what: string): { binding: T; uses: string[] } {
  const uses: string[] = [];
  const binding = new Proxy(
    {},
    {
      get(_target, property) {
        uses.push(String(property));
        return () => {
          throw new Error(`${what} is down (internal detail: /srv/${what}/socket)`);
        };
      },
    },
  ) as T;
  return { binding, uses };
}

/** Every text value in every table of D1 (the platform's shared database), for leak scans. */
export async function allD1Text(): Promise<string[]> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  expect(tables.results.map((t) => t.name)).toContain("api_keys");
  const values: string[] = [];
  for (const { name } of tables.results) {
    const rows = await env.DB.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).all<Record<string, unknown>>();
    for (const row of rows.results) for (const value of Object.values(row)) if (value !== null) values.push(String(value));
  }
  return values;
}
