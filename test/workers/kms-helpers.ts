/**
 * Helpers for end-to-end tests of keys and crypto operations through the gateway: a tenant with
 * room for many requests, key creation, and calls that return status and parsed body together.
 */
import { expect } from "vitest";
import { fromBase64, toBase64 } from "../../workers/shared/base64.ts";
import type { KeyView } from "../../workers/shared/rpc.ts";
import { createTenant, json, request, type Json, type TestTenant } from "./helpers.ts";

export type { KeyView };

/** An enterprise tenant: its rate limit and quota leave room for every test's requests. */
export function roomyTenant(name = "kms-tests"): Promise<TestTenant> {
  return createTenant({ name, plan: "enterprise" });
}

export interface Answer<T = Json> {
  status: number;
  body: T;
  requestId: string | null;
}

/** Calls the API as the tenant; the body is parsed whatever the status. */
export async function api<T = Json>(tenant: TestTenant, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer<T>> {
  const response = await request(method, path, { token: tenant.token, ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) });
  return { status: response.status, body: await json<T>(response), requestId: response.headers.get("x-request-id") };
}

/** Calls the API and expects success; returns the body. */
export async function ok<T = Json>(tenant: TestTenant, method: string, path: string, body?: unknown): Promise<T> {
  const answer = await api<T>(tenant, method, path, body);
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  return answer.body;
}

export async function createKey(tenant: TestTenant, body: Json): Promise<KeyView> {
  const answer = await api<KeyView>(tenant, "POST", "/v1/keys", body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

export const b64 = (text: string): string => toBase64(new TextEncoder().encode(text));
export const text = (base64: string): string => new TextDecoder().decode(fromBase64(base64));
export const bytes = (base64: string): Uint8Array => fromBase64(base64) ?? expect.fail(`not base64: ${base64}`);
export { toBase64 };

/** A problem body without its request id: what must be identical between two answers. */
export function withoutRequestId(body: Json): Json {
  const { request_id: _requestId, ...rest } = body;
  return rest;
}
