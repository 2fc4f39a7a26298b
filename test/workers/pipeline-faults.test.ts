/**
 * Fail closed (architecture §3, §8): every dependency of the pipeline broken in turn — D1, the
 * RateLimiter DO, the policy Worker, the kms Worker, the gateway's own secrets — through the gateway
 * app with one binding replaced. No fault ever becomes an allow or a 401, and no 5xx body carries an
 * internal message. Broken secrets: every API request is 503 `misconfigured`, `/ready` names the
 * secret (never its value), `/health` still answers.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { Result } from "../../workers/shared/errors.ts";
import type { CallContext, RecordedEvent, VaultSummary } from "../../workers/shared/rpc.ts";
import { createApiKey, createTenant, expectProblem, failingBinding, json, requestWithEnv, type TestTenant } from "./helpers.ts";

const INTERNAL = /internal detail|\/srv\/|stack|Error:/;

/** A kms Worker stand-in that records each call and answers `answer`. */
function recordingKms(answer: (call: CallContext) => unknown = (call) => ({ ok: true, value: { tenantId: call.tenantId, keyCount: 7 } })) {
  const calls: CallContext[] = [];
  const events: RecordedEvent[] = [];
  const binding = {
    vaultSummary: async (call: CallContext) => {
      calls.push(call);
      return answer(call) as Result<VaultSummary>;
    },
    recordEvent: async (_call: CallContext, event: RecordedEvent) => {
      events.push(event);
      return { ok: true, value: { seq: events.length } };
    },
    health: async () => ({ reasons: [] }),
  } as unknown as Env["KMS"];
  return { binding, calls, events };
}

function policyAnswering(evaluate: () => unknown): Env["POLICY"] {
  return { evaluate, health: async () => ({ reasons: [] }) } as unknown as Env["POLICY"];
}

function limiterAnswering(check: () => unknown): Env["RATE_LIMITER"] {
  return {
    idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
    get: () => ({ check }),
  } as unknown as Env["RATE_LIMITER"];
}

async function expectServerProblem(response: Response, status: number, code: string) {
  const body = await expectProblem(response, status, code);
  expect(JSON.stringify(body)).not.toMatch(INTERNAL);
  return body;
}

/** A key that has never been used, so no isolate has it cached and stage 3 must read D1. */
async function freshKey(tenant: TestTenant) {
  return createApiKey(tenant, { name: "fresh", role: "admin" });
}

describe("D1 unavailable during key lookup", () => {
  it("answers 503 database_unavailable, never 401 and never allow", async () => {
    const tenant = await createTenant();
    const key = await freshKey(tenant);
    const { binding: db, uses } = failingBinding<D1Database>("D1");
    const kms = recordingKms();
    await expectServerProblem(await requestWithEnv({ DB: db, KMS: kms.binding }, "GET", "/v1/tenant", { token: key.token }), 503, "database_unavailable");
    expect(uses.length).toBeGreaterThan(0);
    expect(kms.calls).toEqual([]);
  });
});

describe("RateLimiter DO unavailable", () => {
  it.each([
    ["throws", () => {
      throw new Error("internal detail: DO reset");
    }],
    ["rejects", () => Promise.reject(new Error("internal detail: DO overloaded"))],
    ["answers nonsense", () => ({ allowed: "yes" })],
    ["answers nothing", () => undefined],
  ])("answers 503 rate_limiter_unavailable when the limiter %s", async (_name, check) => {
    const tenant = await createTenant();
    const kms = recordingKms();
    const response = await requestWithEnv({ RATE_LIMITER: limiterAnswering(check), KMS: kms.binding }, "GET", "/v1/tenant", { token: tenant.token });
    await expectServerProblem(response, 503, "rate_limiter_unavailable");
    expect(kms.calls).toEqual([]);
  });
});

describe("policy Worker unavailable or malformed", () => {
  it("calls kms when the policy allows (the control for the cases below)", async () => {
    const tenant = await createTenant();
    const kms = recordingKms();
    const response = await requestWithEnv({ POLICY: policyAnswering(async () => ({ allow: true })), KMS: kms.binding }, "GET", "/v1/tenant", {
      token: tenant.token,
    });
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ id: tenant.id, key_count: 7 });
    expect(kms.calls).toEqual([expect.objectContaining({ tenantId: tenant.id, apiKeyId: tenant.apiKeyId })]);
  });

  it("reports a policy deny as 403 with the rule's code and rule, without calling kms", async () => {
    const tenant = await createTenant();
    const kms = recordingKms();
    const policy = policyAnswering(async () => ({ allow: false, rule: "monthly_quota", code: "quota_exceeded", detail: "Quota used up" }));
    const body = await expectProblem(await requestWithEnv({ POLICY: policy, KMS: kms.binding }, "GET", "/v1/tenant", { token: tenant.token }), 403, "quota_exceeded");
    expect(body).toMatchObject({ rule: "monthly_quota", detail: "Quota used up" });
    expect(kms.calls).toEqual([]);
    // The deny itself is audited in the tenant's log (and nothing else reaches kms).
    await vi.waitFor(() => expect(kms.events).toMatchObject([{ operation: "tenant.read", outcome: "denied", rule: "monthly_quota" }]));
  });

  const broken: [string, () => unknown][] = [
    ["throws", () => {
      throw new Error("internal detail: policy crashed");
    }],
    ["rejects", () => Promise.reject(new Error("internal detail: D1 timeout"))],
    ["answers allow: \"yes\"", async () => ({ allow: "yes" })],
    ["answers null", async () => null],
    ["answers undefined", async () => undefined],
    ["answers a string", async () => "allow"],
    ["answers allow: 1", async () => ({ allow: 1 })],
    ["denies without a code", async () => ({ allow: false })],
    ["denies without a rule", async () => ({ allow: false, code: "access_denied", detail: "no" })],
    ["denies with a code outside the policy codes", async () => ({ allow: false, rule: "r", code: "internal_error", detail: "x" })],
  ];

  it.each(broken)("answers 503 policy_unavailable when the policy Worker %s, and never calls kms", async (_name, evaluate) => {
    const tenant = await createTenant();
    const kms = recordingKms();
    const response = await requestWithEnv({ POLICY: policyAnswering(evaluate), KMS: kms.binding }, "GET", "/v1/tenant", { token: tenant.token });
    await expectServerProblem(response, 503, "policy_unavailable");
    expect(kms.calls).toEqual([]);
  });

  it("answers 503 policy_unavailable when the policy Worker never answers (3 s deadline)", async () => {
    const tenant = await createTenant();
    const kms = recordingKms();
    const hanging = policyAnswering(() => new Promise(() => undefined));
    const response = await requestWithEnv({ POLICY: hanging, KMS: kms.binding }, "GET", "/v1/tenant", { token: tenant.token });
    await expectServerProblem(response, 503, "policy_unavailable");
    expect(kms.calls).toEqual([]);
  });
});

describe("kms Worker unavailable or failing", () => {
  it("answers 503 kms_unavailable when kms throws, with no internal message", async () => {
    const tenant = await createTenant();
    const { binding } = failingBinding<Env["KMS"]>("kms");
    await expectServerProblem(await requestWithEnv({ KMS: binding }, "GET", "/v1/tenant", { token: tenant.token }), 503, "kms_unavailable");
  });

  it("answers 503 kms_unavailable when kms answers something that is not a Result", async () => {
    const tenant = await createTenant();
    for (const answer of [null, "ok", { ok: "yes" }, { ok: false }, { ok: false, error: { code: "no_such_code" } }]) {
      const kms = recordingKms(() => answer);
      const response = await requestWithEnv({ KMS: kms.binding }, "GET", "/v1/tenant", { token: tenant.token });
      await expectServerProblem(response, 503, "kms_unavailable");
    }
  });

  it("never shows the detail of a 5xx failure that kms reports", async () => {
    const tenant = await createTenant();
    const kms = recordingKms(() => ({ ok: false, error: { code: "internal_error", detail: "internal detail: vault tenant mismatch" } }));
    const body = await expectServerProblem(await requestWithEnv({ KMS: kms.binding }, "GET", "/v1/tenant", { token: tenant.token }), 500, "internal_error");
    expect(body.detail).not.toContain("vault");
  });

  it("passes on the code and detail of an expected 4xx failure", async () => {
    const tenant = await createTenant();
    const kms = recordingKms(() => ({ ok: false, error: { code: "key_disabled", detail: "Key 42 is disabled" } }));
    const body = await expectProblem(await requestWithEnv({ KMS: kms.binding }, "GET", "/v1/tenant", { token: tenant.token }), 409, "key_disabled");
    expect(body.detail).toBe("Key 42 is disabled");
  });
});

const SIXTEEN_BYTES = btoa("0123456789abcdef");

const BROKEN: { name: string; overrides: Partial<Record<"ADMIN_TOKEN" | "API_KEY_PEPPER", string | undefined>>; reason: RegExp }[] = [
  { name: "ADMIN_TOKEN empty", overrides: { ADMIN_TOKEN: "" }, reason: /^ADMIN_TOKEN is not set$/ },
  { name: "ADMIN_TOKEN missing", overrides: { ADMIN_TOKEN: undefined }, reason: /^ADMIN_TOKEN is not set$/ },
  { name: "ADMIN_TOKEN too short", overrides: { ADMIN_TOKEN: "tiny-admin-value" }, reason: /^ADMIN_TOKEN is shorter than 32 characters$/ },
  { name: "API_KEY_PEPPER empty", overrides: { API_KEY_PEPPER: "" }, reason: /^API_KEY_PEPPER is not set$/ },
  { name: "API_KEY_PEPPER not base64", overrides: { API_KEY_PEPPER: "pepper*pepper*pepper*pepper*pepper*pepper*pepper" }, reason: /^API_KEY_PEPPER is not base64/ },
  { name: "API_KEY_PEPPER too short", overrides: { API_KEY_PEPPER: SIXTEEN_BYTES }, reason: /^API_KEY_PEPPER is not base64 of at least 32 bytes$/ },
];

describe.each(BROKEN)("secrets: $name", ({ overrides, reason }) => {
  const broken = overrides as Partial<Env>;

  it("answers every tenant and admin API request with 503 misconfigured", async () => {
    const tenant = await createTenant();
    const requests: [string, string, { token?: string; admin?: boolean; body?: unknown }][] = [
      ["GET", "/v1/tenant", { token: tenant.token }],
      ["GET", "/v1/tenant", {}],
      ["GET", "/v1/api-keys", { token: tenant.token }],
      ["POST", "/v1/api-keys", { token: tenant.token, body: { name: "x", role: "app" } }],
      ["POST", "/admin/v1/tenants", { admin: true, body: { name: "x" } }],
      ["GET", `/admin/v1/tenants/${tenant.id}`, { admin: true }],
    ];
    for (const [method, path, options] of requests) {
      const body = await expectProblem(await requestWithEnv(broken, method, path, options), 503, "misconfigured");
      expect(body.detail).not.toMatch(/ADMIN_TOKEN|API_KEY_PEPPER/);
    }
  });

  it("answers /ready with 503 and a reason that names the secret, never its value", async () => {
    const response = await requestWithEnv(broken, "GET", "/ready");
    expect(response.status).toBe(503);
    const text = await response.text();
    const body = JSON.parse(text) as { status: string; reasons: string[] };
    expect(body.status).toBe("not_ready");
    expect(body.reasons).toHaveLength(1);
    expect(body.reasons[0]).toMatch(reason);
    for (const value of Object.values(overrides)) if (value) expect(text).not.toContain(value);
    expect(text).not.toContain(env.ADMIN_TOKEN);
    expect(text).not.toContain(env.API_KEY_PEPPER);
  });

  it("still answers /health with 200", async () => {
    const response = await requestWithEnv(broken, "GET", "/health");
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ status: "ok" });
  });
});

describe("secrets: both broken", () => {
  it("lists every reason in /ready", async () => {
    const response = await requestWithEnv({ ADMIN_TOKEN: "", API_KEY_PEPPER: "%%%" }, "GET", "/ready");
    expect(response.status).toBe(503);
    const body = await json<{ reasons: string[] }>(response);
    expect(body.reasons).toEqual(["ADMIN_TOKEN is not set", "API_KEY_PEPPER is not base64 of at least 32 bytes"]);
  });
});

describe("secrets: fixed again", () => {
  it("recovers: the same app answers 200 once the secrets are fixed", async () => {
    const tenant = await createTenant();
    expect((await requestWithEnv({ ADMIN_TOKEN: "" }, "GET", "/v1/tenant", { token: tenant.token })).status).toBe(503);
    expect((await requestWithEnv({}, "GET", "/v1/tenant", { token: tenant.token })).status).toBe(200);
    expect((await requestWithEnv({}, "GET", "/ready")).status).toBe(200);
  });
});
