/**
 * Helpers for the policy, plan, quota, fail-open and audit tests through the gateway: a policy
 * Worker that is down, waiting for the vault's D1 projection, reading audit logs and metrics.
 */
import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";
import type { AuditEventView } from "../../workers/shared/rpc.ts";
import { json, request, type TestTenant } from "./helpers.ts";

export type AuditPage = { events: AuditEventView[]; next_cursor: string | null };

/** A policy binding whose every call fails, as an unreachable policy Worker does. */
export function downPolicy(): { binding: Env["POLICY"]; calls: () => number } {
  let calls = 0;
  const binding = {
    evaluate: async () => {
      calls++;
      throw new Error("policy Worker unreachable");
    },
    health: async () => ({ reasons: ["down"] }),
  } as unknown as Env["POLICY"];
  return { binding, calls: () => calls };
}

/**
 * Waits until the vault's outbox has projected a key into D1 (its alarm drains about a second after
 * a change). The policy reads key algorithms and counts from that projection.
 */
export async function waitForProjection(tenant: TestTenant, keyIds: string[]): Promise<void> {
  await vi.waitFor(
    async () => {
      const placeholders = keyIds.map(() => "?").join(", ");
      const row = await env.DB.prepare(`SELECT count(*) AS n FROM keys WHERE tenant_id = ? AND id IN (${placeholders})`)
        .bind(tenant.id, ...keyIds)
        .first<{ n: number }>();
      expect(row?.n).toBe(keyIds.length);
    },
    { timeout: 10_000, interval: 100 },
  );
}

/** The tenant's audit events (newest first) for a query string such as `outcome=denied`. */
export async function auditEvents(tenant: TestTenant, query = "", headers: Record<string, string> = {}): Promise<AuditPage> {
  const response = await request("GET", `/v1/audit-events?limit=100${query ? `&${query}` : ""}`, { token: tenant.token, headers });
  expect(response.status, await response.clone().text()).toBe(200);
  return json<AuditPage>(response);
}

/** The platform's own audit events (fail-open switches), newest first. */
export async function platformAuditEvents(query = ""): Promise<AuditPage> {
  const response = await request("GET", `/admin/v1/audit-events?limit=100${query ? `&${query}` : ""}`, { admin: true });
  expect(response.status, await response.clone().text()).toBe(200);
  return json<AuditPage>(response);
}

/** Waits for the denial the gateway records in the background, and returns it. */
export async function waitForEvent(tenant: TestTenant, requestId: string | null): Promise<AuditEventView> {
  expect(requestId).not.toBeNull();
  return vi.waitFor(
    async () => {
      const { events } = await auditEvents(tenant);
      const event = events.find((e) => e.request_id === requestId);
      if (!event) throw new Error(`no audit event for request ${requestId} yet`);
      return event;
    },
    { timeout: 5_000, interval: 50 },
  );
}

/** Every series of /metrics as series → value. */
export async function scrapeMetrics(): Promise<Map<string, number>> {
  const response = await request("GET", "/metrics", { admin: true });
  expect(response.status).toBe(200);
  const values = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    const match = /^(\S+) (\d+)$/.exec(line);
    if (match) values.set(match[1] as string, Number(match[2]));
  }
  return values;
}
