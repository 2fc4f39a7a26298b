/**
 * Emergency policy fail-open (architecture §4): off, a policy-engine outage is 503; a platform admin may
 * switch it on for 1–60 minutes with a reason, and then an outage lets requests through, each one
 * audited as critical (rule fail_open) in its tenant's log. It never lets through what was decided
 * without the engine: a deny the engine returned, a malformed answer, a rate limit, or the rules
 * the gateway can judge alone (scopes, quota). It turns itself off when its time is up; switching
 * it on and off is audited as critical in the platform's log. The tests share the one setting, so
 * they run in order.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { activeFailOpen } from "../../workers/gateway/src/db/settings.ts";
import { createApiKey, createTenant, expectProblem, failingBinding, json, request, requestWithEnv, type TestTenant } from "./helpers.ts";
import { auditEvents, downPolicy, platformAuditEvents } from "./policy-helpers.ts";

interface Status {
  enabled: boolean;
  until: string | null;
  reason: string | null;
}

async function switchOn(body: unknown = { minutes: 5, reason: "policy Worker outage, incident 42" }): Promise<Status> {
  const response = await request("POST", "/admin/v1/policy/fail-open", { admin: true, body });
  expect(response.status, await response.clone().text()).toBe(200);
  return json<Status>(response);
}

async function switchOff(): Promise<Status> {
  const response = await request("DELETE", "/admin/v1/policy/fail-open", { admin: true });
  expect(response.status).toBe(200);
  return json<Status>(response);
}

const duringOutage = (tenant: { token: string }, method = "GET", path = "/v1/tenant", body?: unknown) =>
  requestWithEnv({ POLICY: downPolicy().binding }, method, path, { token: tenant.token, ...(body === undefined ? {} : { body }) });

const answering = (decision: unknown) => ({ evaluate: async () => decision, health: async () => ({ reasons: [] }) }) as unknown as Env["POLICY"];

afterEach(async () => {
  await switchOff();
});

describe("while off", () => {
  it("answers a policy outage with 503 policy_unavailable, and says it is off", async () => {
    const tenant = await createTenant();
    await expectProblem(await duringOutage(tenant), 503, "policy_unavailable");
    const status = await json<Status>(await request("GET", "/admin/v1/policy/fail-open", { admin: true }));
    expect(status).toEqual({ enabled: false, until: null, reason: null });
  });
});

describe("while on", () => {
  it("lets requests through a policy outage, each audited in the tenant's log as critical, rule fail_open", async () => {
    const tenant = await createTenant({ plan: "pro" });
    const before = Date.now();
    const status = await switchOn();
    expect(status).toMatchObject({ enabled: true, reason: "policy Worker outage, incident 42" });
    const until = Date.parse(status.until ?? "");
    expect(until).toBeGreaterThanOrEqual(before + 5 * 60_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 5 * 60_000);

    const read = await duringOutage(tenant);
    expect(read.status).toBe(200);
    const created = await duringOutage(tenant, "POST", "/v1/keys", { algorithm: "ML-KEM-512" });
    expect(created.status).toBe(201);

    const { events } = await auditEvents(tenant, "outcome=allowed&operation=tenant.read");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      operation: "tenant.read",
      outcome: "allowed",
      rule: "fail_open",
      severity: "critical",
      api_key_id: tenant.apiKeyId,
      request_id: read.headers.get("x-request-id"),
      detail: expect.stringContaining("policy Worker outage, incident 42"),
    });
    const failOpen = (await auditEvents(tenant)).events.filter((e) => e.rule === "fail_open");
    expect(failOpen.map((e) => e.operation).sort()).toEqual(["keys.create", "tenant.read"]);
  });

  it("still refuses what the gateway can judge alone: a missing scope, a plan's algorithm, a used-up quota", async () => {
    // Refused requests still use their units (reserved by the limiter before the policy runs):
    // 1 to mint the reader, 2 + 2 for the refused creates, 1 for the read, none for the last one.
    const tenant = await createTenant({ plan: "free", limits: { monthly_operations: 6 } });
    const reader = await createApiKey(tenant, { name: "reader", scopes: ["keys:read"] });
    await switchOn();
    const scopes = await expectProblem(await duringOutage(reader, "POST", "/v1/keys", { algorithm: "ML-KEM-512" }), 403, "access_denied");
    expect(scopes.rule).toBe("scopes");
    const plan = await expectProblem(await duringOutage(tenant, "POST", "/v1/keys", { algorithm: "X-Wing" }), 403, "plan_restricted");
    expect(plan.rule).toBe("plan_algorithm");
    expect((await duringOutage(tenant, "GET", "/v1/keys")).status).toBe(200);
    const quota = await expectProblem(await duringOutage(tenant, "GET", "/v1/keys"), 403, "quota_exceeded");
    expect(quota.rule).toBe("monthly_quota");
    // Refusals are denials in the log, not fail-open allowances.
    await request("PATCH", `/admin/v1/tenants/${tenant.id}`, { admin: true, body: { limits: { monthly_operations: null } } });
    const { events } = await auditEvents(tenant, "outcome=denied");
    expect(events.map((e) => e.rule).sort()).toEqual(["monthly_quota", "plan_algorithm", "scopes"]);
    expect(events.every((e) => e.severity === "warning")).toBe(true);
  });

  it("still applies the tenant's own rules, read by the gateway itself", async () => {
    const tenant = await createTenant({ plan: "enterprise" });
    const rule = await request("POST", "/v1/policy-rules", { token: tenant.token, body: { kind: "ip_allow", value: "192.0.2.0/24" } });
    expect(rule.status).toBe(201);
    await switchOn();
    const outside = await requestWithEnv({ POLICY: downPolicy().binding }, "GET", "/v1/tenant", { token: tenant.token, headers: { "cf-connecting-ip": "198.51.100.1" } });
    expect((await expectProblem(outside, 403, "access_denied")).rule).toBe("tenant_ip_allow");
    const inside = await requestWithEnv({ POLICY: downPolicy().binding }, "GET", "/v1/tenant", { token: tenant.token, headers: { "cf-connecting-ip": "192.0.2.1" } });
    expect(inside.status).toBe(200);
    const [event] = (await auditEvents(tenant, "operation=tenant.read&outcome=allowed", { "cf-connecting-ip": "192.0.2.1" })).events;
    expect(event).toMatchObject({ rule: "fail_open", request_id: inside.headers.get("x-request-id"), detail: expect.stringContaining("every rule checked") });
  });

  it("falls back to the rules that need no D1 facts when those cannot be read, and says so in the audit event", async () => {
    const tenant = await createTenant({ plan: "enterprise" });
    const reader = await createApiKey(tenant, { name: "reader", scopes: ["keys:read"] });
    await request("POST", "/v1/policy-rules", { token: tenant.token, body: { kind: "ip_allow", value: "192.0.2.0/24" } });
    await switchOn();
    // D1 answers everything but the policy's fact queries (which all read tenants or tenant_rules).
    const factsDown = {
      prepare: (sql: string) => {
        if (/FROM tenant_rules/.test(sql)) throw new Error("D1_ERROR: tenant_rules unreadable");
        return env.DB.prepare(sql);
      },
      batch: env.DB.batch.bind(env.DB),
    } as unknown as D1Database;
    const outage = (token: string, path: string) =>
      requestWithEnv({ POLICY: downPolicy().binding, DB: factsDown }, "GET", path, { token, headers: { "cf-connecting-ip": "198.51.100.1" } });
    expect((await expectProblem(await outage(reader.token, "/v1/audit-events"), 403, "access_denied")).rule).toBe("scopes");
    const admitted = await outage(tenant.token, "/v1/tenant");
    expect(admitted.status).toBe(200);
    const [event] = (await auditEvents(tenant, "operation=tenant.read&outcome=allowed", { "cf-connecting-ip": "192.0.2.1" })).events;
    expect(event).toMatchObject({ rule: "fail_open", severity: "critical", request_id: admitted.headers.get("x-request-id") });
    expect(event?.detail).toContain("tenant rules and key facts not checked");
  });

  it("still refuses a deny the policy engine returned, and a malformed answer", async () => {
    const tenant = await createTenant();
    await switchOn();
    const deny = answering({ allow: false, rule: "tenant_operation_deny", code: "access_denied", detail: "denied by the tenant" });
    const problem = await expectProblem(await requestWithEnv({ POLICY: deny }, "GET", "/v1/tenant", { token: tenant.token }), 403, "access_denied");
    expect(problem.rule).toBe("tenant_operation_deny");
    for (const malformed of [{ allow: "yes" }, null, { allow: false }]) {
      await expectProblem(await requestWithEnv({ POLICY: answering(malformed) }, "GET", "/v1/tenant", { token: tenant.token }), 503, "policy_unavailable");
    }
  });

  it("still applies the rate limit", async () => {
    const tenant = await createTenant({ limits: { burst: 2, rate_per_second: 1 } });
    await switchOn();
    expect((await duringOutage(tenant)).status).toBe(200);
    expect((await duringOutage(tenant)).status).toBe(200);
    await expectProblem(await duringOutage(tenant), 429, "rate_limited");
  });

  it("lets nothing through when the critical audit event cannot be written", async () => {
    const tenant = await createTenant();
    await switchOn();
    const { binding: kms } = failingBinding<Env["KMS"]>("kms");
    const response = await requestWithEnv({ POLICY: downPolicy().binding, KMS: kms }, "GET", "/v1/tenant", { token: tenant.token });
    await expectProblem(response, 503, "policy_unavailable");
  });
});

describe("switching off", () => {
  it("reverts by itself once its window has passed", async () => {
    const tenant = await createTenant();
    await switchOn();
    expect((await duringOutage(tenant)).status).toBe(200);
    await env.DB.prepare("UPDATE platform_settings SET expires_at = ? WHERE name = 'policy_fail_open'").bind(Date.now() - 1).run();
    await expectProblem(await duringOutage(tenant), 503, "policy_unavailable");
    const status = await json<Status>(await request("GET", "/admin/v1/policy/fail-open", { admin: true }));
    expect(status.enabled).toBe(false);
  });

  it("is in force until the last millisecond of its window, and not after", () => {
    const setting = { reason: "r", enabledAt: 1_000, until: 61_000 };
    expect(activeFailOpen(setting, 1_000)).toBe(setting);
    expect(activeFailOpen(setting, 60_999)).toBe(setting);
    expect(activeFailOpen(setting, 61_000)).toBeNull();
    expect(activeFailOpen(null, 0)).toBeNull();
  });

  it("switches off at once with DELETE", async () => {
    const tenant = await createTenant();
    await switchOn();
    expect((await duringOutage(tenant)).status).toBe(200);
    expect(await switchOff()).toEqual({ enabled: false, until: null, reason: null });
    await expectProblem(await duringOutage(tenant), 503, "policy_unavailable");
  });

  it("audits switching on and off as critical in the platform's log", async () => {
    await switchOn({ minutes: 7, reason: "audited switch" });
    await switchOff();
    const { events } = await platformAuditEvents();
    const [off, on] = events;
    expect(on).toMatchObject({ operation: "policy.fail-open.enable", severity: "critical", outcome: "allowed", detail: expect.stringMatching(/^for 7 min until .*: audited switch$/) });
    expect(off).toMatchObject({ operation: "policy.fail-open.disable", severity: "critical", detail: "switched off by the platform admin" });
    const verdict = await json<{ valid: boolean }>(await request("GET", "/admin/v1/audit-events/verify", { admin: true }));
    expect(verdict.valid).toBe(true);
  });
});

describe("the admin API", () => {
  let tenant: TestTenant;

  it("cannot be used with a tenant API key: 401, and nothing is switched on", async () => {
    tenant = await createTenant({ plan: "enterprise" });
    const body = { minutes: 5, reason: "tenant tries" };
    await expectProblem(await request("POST", "/admin/v1/policy/fail-open", { token: tenant.token, body }), 401, "invalid_admin_token");
    const bearer = { authorization: `Bearer ${tenant.token}` };
    await expectProblem(await request("POST", "/admin/v1/policy/fail-open", { headers: bearer, body }), 401, "invalid_admin_token");
    await expectProblem(await request("GET", "/admin/v1/policy/fail-open", { token: tenant.token }), 401, "invalid_admin_token");
    await expectProblem(await request("GET", "/admin/v1/audit-events", { token: tenant.token }), 401, "invalid_admin_token");
    await expectProblem(await duringOutage(tenant), 503, "policy_unavailable");
  });

  it.each([
    [{ minutes: 61, reason: "too long" }, "body.minutes"],
    [{ minutes: 0, reason: "too short" }, "body.minutes"],
    [{ minutes: 1.5, reason: "not whole" }, "body.minutes"],
    [{ minutes: 5 }, "body.reason"],
    [{ minutes: 5, reason: "  " }, "body.reason"],
  ])("refuses %j: 400 naming %s", async (body, field) => {
    const problem = await expectProblem(await request("POST", "/admin/v1/policy/fail-open", { admin: true, body }), 400, "invalid_request");
    expect(problem.detail).toContain(field);
    const status = await json<Status>(await request("GET", "/admin/v1/policy/fail-open", { admin: true }));
    expect(status.enabled).toBe(false);
  });

  it("defaults to 5 minutes, and accepts the 60-minute maximum", async () => {
    const short = await switchOn({ reason: "default window" });
    expect(Date.parse(short.until ?? "")).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
    expect(Date.parse(short.until ?? "")).toBeGreaterThan(Date.now() + 4 * 60_000);
    const long = await switchOn({ minutes: 60, reason: "maximum window" });
    expect(Date.parse(long.until ?? "")).toBeGreaterThan(Date.now() + 59 * 60_000);
  });
});
