/**
 * Helpers for end-to-end tests through the real gateway (main Worker) with the real kms and policy
 * Workers behind it. Requests go through `exports.default.fetch`, exactly as a client's would.
 */
import { exports } from "cloudflare:workers";
import { env } from "cloudflare:workers";
import { expect } from "vitest";

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

export async function createApiKey(tenant: TestTenant, body: Json): Promise<{ id: string; token: string }> {
  const response = await request("POST", "/v1/api-keys", { token: tenant.token, body });
  expect(response.status, await response.clone().text()).toBe(201);
  return json<{ id: string; token: string }>(response);
}
