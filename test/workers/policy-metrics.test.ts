/**
 * Policy outcomes in /metrics (architecture §3, §4): denials counted by the rule that decided, requests
 * let through by emergency fail-open, and policy outages that failed closed. Compared as deltas
 * between two scrapes, so other traffic in the same store never matters.
 */
import { describe, expect, it } from "vitest";
import { createApiKey, createTenant, expectProblem, json, request, requestWithEnv } from "./helpers.ts";
import { downPolicy, scrapeMetrics } from "./policy-helpers.ts";

const denials = (rule: string) => `pqkms_policy_denials_total{rule="${rule}"}`;
const FAIL_OPEN = "pqkms_fail_open_allowances_total";
const POLICY_DOWN = 'pqkms_dependency_failures_total{dependency="policy"}';

async function deltasOver(run: () => Promise<void>): Promise<(series: string) => number> {
  const before = await scrapeMetrics();
  await run();
  const after = await scrapeMetrics();
  return (series) => (after.get(series) ?? 0) - (before.get(series) ?? 0);
}

describe("policy metrics", () => {
  it("counts denials by rule", async () => {
    const tenant = await createTenant({ plan: "free", limits: { monthly_operations: 6 } });
    const reader = await createApiKey(tenant, { name: "reader", scopes: ["keys:read"] });
    const delta = await deltasOver(async () => {
      for (let i = 0; i < 3; i++) await expectProblem(await request("GET", "/v1/audit-events", { token: reader.token }), 403, "access_denied");
      await expectProblem(await request("POST", "/v1/keys", { token: tenant.token, body: { algorithm: "X-Wing" } }), 403, "plan_restricted");
      await expectProblem(await request("GET", "/v1/keys", { token: tenant.token }), 403, "quota_exceeded");
    });
    expect(delta(denials("scopes"))).toBe(3);
    expect(delta(denials("plan_algorithm"))).toBe(1);
    expect(delta(denials("monthly_quota"))).toBe(1);
    expect(delta('pqkms_requests_total{method="GET",operation="audit.list",route="/v1/audit-events",status="403"}')).toBe(3);
  });

  it("counts requests let through by fail-open, and outages that failed closed", async () => {
    const tenant = await createTenant({ plan: "enterprise" });
    const outage = () => requestWithEnv({ POLICY: downPolicy().binding }, "GET", "/v1/tenant", { token: tenant.token });
    const delta = await deltasOver(async () => {
      await expectProblem(await outage(), 503, "policy_unavailable");
      const on = await request("POST", "/admin/v1/policy/fail-open", { admin: true, body: { minutes: 1, reason: "metrics test" } });
      expect(on.status).toBe(200);
      for (let i = 0; i < 2; i++) expect((await outage()).status).toBe(200);
      expect((await request("DELETE", "/admin/v1/policy/fail-open", { admin: true })).status).toBe(200);
      await expectProblem(await outage(), 503, "policy_unavailable");
    });
    expect(delta(FAIL_OPEN)).toBe(2);
    expect(delta(POLICY_DOWN)).toBe(2);
  });

  it("counts the tenant's own rules and key restrictions under their own rule names", async () => {
    const tenant = await createTenant({ plan: "enterprise" });
    const restricted = await createApiKey(tenant, { name: "one key only", role: "app", key_ids: [crypto.randomUUID()] });
    const rule = await request("POST", "/v1/policy-rules", { token: tenant.token, body: { kind: "operation_deny", value: "audit.*" } });
    expect(rule.status).toBe(201);
    const delta = await deltasOver(async () => {
      await expectProblem(await request("GET", "/v1/audit-events", { token: tenant.token }), 403, "access_denied");
      await expectProblem(await request("GET", `/v1/keys/${crypto.randomUUID()}`, { token: restricted.token }), 403, "access_denied");
    });
    expect(delta(denials("tenant_operation_deny"))).toBe(1);
    expect(delta(denials("key_restriction"))).toBe(1);
  });

  it("counts a refusal during fail-open as a denial, and a rate-limited request as neither", async () => {
    const tenant = await createTenant({ plan: "enterprise", limits: { burst: 1, rate_per_second: 1 } });
    // Issued by the admin, so that the tenant's one unit of burst is still there for the denial below.
    const issued = await request("POST", `/admin/v1/tenants/${tenant.id}/api-keys`, { admin: true, body: { name: "auditor", role: "auditor" } });
    expect(issued.status).toBe(201);
    const auditor = await json<{ token: string }>(issued);
    const outage = (token: string, path: string) => requestWithEnv({ POLICY: downPolicy().binding }, "GET", path, { token });
    const on = await request("POST", "/admin/v1/policy/fail-open", { admin: true, body: { minutes: 1, reason: "metrics test" } });
    expect(on.status).toBe(200);
    const delta = await deltasOver(async () => {
      // The key lacks api-keys:manage: refused by the gateway's own check of the rules.
      await expectProblem(await outage(auditor.token, "/v1/api-keys"), 403, "access_denied");
      await expectProblem(await outage(tenant.token, "/v1/tenant"), 429, "rate_limited");
    });
    expect((await request("DELETE", "/admin/v1/policy/fail-open", { admin: true })).status).toBe(200);
    expect(delta(denials("scopes"))).toBe(1);
    expect(delta(FAIL_OPEN)).toBe(0);
    expect(delta("pqkms_rate_limited_total")).toBe(1);
  });

  it("labels series with rule names only: no tenant, key or request ids", async () => {
    const tenant = await createTenant({ plan: "free" });
    await expectProblem(await request("POST", "/v1/keys", { token: tenant.token, body: { algorithm: "X-Wing" } }), 403, "plan_restricted");
    const series = [...(await scrapeMetrics()).keys()].filter((s) => s.startsWith("pqkms_policy_denials_total"));
    expect(series.length).toBeGreaterThan(0);
    for (const s of series) expect(s).toMatch(/^pqkms_policy_denials_total\{rule="[a-z_]+"\}$/);
  });
});
