/**
 * Policy decisions in the tenant's audit log (architecture §4, §9): every request the policy engine
 * refuses — missing scope, plan, quota, the tenant's own rules — is one `denied` event naming the
 * rule, the API key and the request; with many of them interleaved with allowed operations, the
 * hash chain still verifies; filters and cursor paging find them; and another tenant never sees
 * them. (Lifecycle and crypto events are covered by audit-trail.test.ts; tampering inside the
 * vault by test/vault/audit-tamper.test.ts.)
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { AuditEventView } from "../../workers/shared/rpc.ts";
import { createApiKey, createTenant, json, request, type TestTenant } from "./helpers.ts";
import { b64, createKey, type KeyView } from "./kms-helpers.ts";
import { auditEvents, waitForEvent, type AuditPage } from "./policy-helpers.ts";

/** Denials are recorded in the background: waits until the log holds `count` events matching `query`. */
async function waitForCount(tenant: TestTenant, query: string, count: number): Promise<AuditEventView[]> {
  return vi.waitFor(
    async () => {
      const { events } = await auditEvents(tenant, query);
      expect(events).toHaveLength(count);
      return events;
    },
    { timeout: 5_000, interval: 50 },
  );
}

describe("each kind of policy denial is one denied event naming its rule", () => {
  it("records scope, plan, tenant-rule and quota denials with the API key, request, operation and key", async () => {
    const tenant = await createTenant({ name: "denied", plan: "free", limits: { rate_per_second: 1000, burst: 1000 } });
    const key = await createKey(tenant, { algorithm: "ML-KEM-512" });
    const reader = await createApiKey(tenant, { name: "reader", scopes: ["keys:read"] });
    const cases: [string, () => Promise<Response>, Partial<AuditEventView>][] = [
      [
        "scopes",
        () => request("POST", `/v1/keys/${key.id}/encrypt`, { token: reader.token, body: { plaintext: b64("x") } }),
        { operation: "crypto.encrypt", key_id: key.id, api_key_id: reader.id },
      ],
      ["plan_algorithm", () => request("POST", "/v1/keys", { token: tenant.token, body: { algorithm: "X-Wing" } }), { operation: "keys.create", key_id: null }],
      [
        "tenant_ip_allow",
        async () => {
          const rule = await json<{ id: string }>(
            await request("POST", "/v1/policy-rules", { token: tenant.token, body: { kind: "ip_allow", value: "192.0.2.0/24" } }),
          );
          const denied = await request("GET", `/v1/keys/${key.id}`, { token: tenant.token, headers: { "cf-connecting-ip": "198.51.100.1" } });
          await request("DELETE", `/v1/policy-rules/${rule.id}`, { token: tenant.token, headers: { "cf-connecting-ip": "192.0.2.1" } });
          return denied;
        },
        { operation: "keys.get", key_id: key.id },
      ],
      [
        "monthly_quota",
        async () => {
          const quota = (monthly_operations: number | null) =>
            request("PATCH", `/admin/v1/tenants/${tenant.id}`, { admin: true, body: { limits: { monthly_operations } } });
          await quota(0);
          const denied = await request("POST", `/v1/keys/${key.id}/rotate`, { token: tenant.token });
          await quota(null); // reading the log is an operation too
          return denied;
        },
        { operation: "keys.rotate", key_id: key.id },
      ],
    ];
    for (const [rule, send, expected] of cases) {
      const response = await send();
      expect({ rule, status: response.status }).toEqual({ rule, status: 403 });
      const requestId = response.headers.get("x-request-id");
      const event = await waitForEvent(tenant, requestId);
      expect({ rule, event }).toMatchObject({
        rule,
        event: { outcome: "denied", rule, severity: "warning", request_id: requestId, api_key_id: tenant.apiKeyId, key_version: null, ...expected },
      });
    }
  });
});

describe("a log full of denials", () => {
  let tenant: TestTenant;
  let other: TestTenant;
  let key: KeyView;
  let denials: number;

  beforeAll(async () => {
    tenant = await createTenant({ name: "busy", plan: "enterprise" });
    other = await createTenant({ name: "other", plan: "enterprise" });
    key = await createKey(tenant, { algorithm: "ML-KEM-512" });
    const signer = await createApiKey(tenant, { name: "signer", scopes: ["crypto:sign"] });
    const denyEncrypt = () => request("POST", `/v1/keys/${key.id}/encrypt`, { token: signer.token, body: { plaintext: b64("no") } });
    const allowEncrypt = () => request("POST", `/v1/keys/${key.id}/encrypt`, { token: tenant.token, body: { plaintext: b64("yes") } });
    const denyList = () => request("GET", "/v1/keys", { token: signer.token });
    // Denials (recorded in the background) interleaved with allowed operations (recorded inline).
    const sends = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? allowEncrypt() : i % 3 === 1 ? denyEncrypt() : denyList()));
    const statuses = (await Promise.all(sends)).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 403)).toHaveLength(40);
    denials = 40;
    await waitForCount(tenant, "outcome=denied", denials);
    await createKey(other, { algorithm: "ML-KEM-512" });
  });

  it("verifies the whole chain: creates, allowed operations and denials", async () => {
    const all = await collect(tenant, "");
    expect(all.length).toBe(2 + 20 + denials); // the key's creation, the signer API key's creation, the encrypts, the denials
    // from=window: every event the vault holds, here the whole log (a checkpoint may already cover part of it).
    const response = await request("GET", "/v1/audit-events/verify?from=window", { token: tenant.token });
    expect(await json(response)).toMatchObject({ valid: true, checked: all.length, from_seq: 1, to_seq: all.length });
  });

  it("filters denials by operation, outcome, key and time", async () => {
    const denied = (await auditEvents(tenant, "outcome=denied")).events;
    expect(denied).toHaveLength(denials);
    expect(denied.every((e) => e.rule === "scopes" && e.severity === "warning")).toBe(true);
    const deniedEncrypts = (await auditEvents(tenant, `outcome=denied&operation=crypto.encrypt&key_id=${key.id}`)).events;
    expect(deniedEncrypts).toHaveLength(20);
    expect((await auditEvents(tenant, "outcome=denied&operation=keys.list")).events).toHaveLength(20);
    expect((await auditEvents(tenant, `outcome=allowed&operation=crypto.encrypt&key_id=${key.id}`)).events).toHaveLength(20);
    // key_id: list denials name no key.
    expect((await auditEvents(tenant, `key_id=${key.id}&operation=keys.list`)).events).toHaveLength(0);

    const pivot = denied[Math.floor(denied.length / 2)] as AuditEventView;
    const at = encodeURIComponent(pivot.time);
    const since = (await auditEvents(tenant, `outcome=denied&from=${at}`)).events;
    const before = (await auditEvents(tenant, `outcome=denied&to=${at}`)).events;
    // Both bounds are inclusive: events at the pivot's millisecond are in both pages.
    expect(since.every((e) => e.time >= pivot.time) && before.every((e) => e.time <= pivot.time)).toBe(true);
    const atPivot = denied.filter((e) => e.time === pivot.time).length;
    expect(since.length + before.length).toBe(denials + atPivot);
    expect((await auditEvents(tenant, "outcome=denied&from=2100-01-01T00:00:00Z")).events).toEqual([]);
  });

  it("pages through denials with a cursor, newest first, without gaps or repeats", async () => {
    const paged = await collect(tenant, "outcome=denied", 7);
    expect(paged).toEqual((await auditEvents(tenant, "outcome=denied")).events);
    expect(paged.map((e) => e.seq)).toEqual([...paged.map((e) => e.seq)].sort((a, b) => b - a));
  });

  it("never shows them to another tenant", async () => {
    const theirs = await collect(other, "");
    expect(theirs.length).toBeGreaterThan(0);
    const ours = new Set((await collect(tenant, "")).flatMap((e) => [e.id, e.request_id]));
    expect(theirs.filter((e) => ours.has(e.id) || ours.has(e.request_id))).toEqual([]);
    expect((await auditEvents(other, `key_id=${key.id}`)).events).toEqual([]);
    expect((await auditEvents(other, "outcome=denied")).events).toEqual([]);
    const verdict = await json(await request("GET", "/v1/audit-events/verify?from=window", { token: other.token }));
    expect(verdict).toMatchObject({ valid: true, checked: theirs.length, from_seq: 1, to_seq: theirs.length });
  });
});

/** Every event matching `query`, following next_cursor page by page. */
async function collect(tenant: TestTenant, query: string, limit = 100): Promise<AuditEventView[]> {
  const events: AuditEventView[] = [];
  let cursor: string | null = null;
  do {
    const params = [`limit=${limit}`, query, cursor === null ? "" : `cursor=${cursor}`].filter(Boolean).join("&");
    const response = await request("GET", `/v1/audit-events?${params}`, { token: tenant.token });
    expect(response.status).toBe(200);
    const page: AuditPage = await json<AuditPage>(response);
    expect(page.events.length).toBeLessThanOrEqual(limit);
    events.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return events;
}
