/**
 * Plans through the real gateway, policy Worker and vault (architecture §4 rule 3): hybrids and SLH-DSA
 * are for pro and enterprise; a tenant downgraded to free keeps its premium keys readable — get,
 * public key, decrypt, decapsulate, verify — but protects nothing new with them; and the key-count
 * limit on create. The policy learns an existing key's algorithm and the tenant's key count from
 * the vault's D1 projection, which the vault's alarm fills about a second after a change: the tests
 * wait for it (waitForProjection) before relying on it, and run concurrently (one tenant each).
 */
import { describe, expect, it } from "vitest";
import { createTenant, expectProblem, request, type TestTenant } from "./helpers.ts";
import { api, b64, createKey, ok, text } from "./kms-helpers.ts";
import { waitForProjection } from "./policy-helpers.ts";

const PREMIUM = ["X-Wing", "Composite-ML-DSA-65-P256", "SLH-DSA-SHA2-128s", "SLH-DSA-SHA2-128f"];

async function expectPlanRestricted(tenant: TestTenant, method: string, path: string, body: unknown, rule: string) {
  const problem = await expectProblem(await request(method, path, { token: tenant.token, body }), 403, "plan_restricted");
  expect(problem.rule).toBe(rule);
  return problem;
}

async function setPlan(tenant: TestTenant, body: Record<string, unknown>) {
  const response = await request("PATCH", `/admin/v1/tenants/${tenant.id}`, { admin: true, body });
  expect(response.status, await response.clone().text()).toBe(200);
}

describe.concurrent("algorithms by plan, on create", () => {
  it("refuses every hybrid and SLH-DSA key to a free tenant: 403 plan_restricted, rule plan_algorithm", async () => {
    const free = await createTenant({ name: "free", plan: "free" });
    for (const algorithm of PREMIUM) {
      const problem = await expectPlanRestricted(free, "POST", "/v1/keys", { algorithm }, "plan_algorithm");
      expect(problem.detail).toContain(algorithm);
    }
    await createKey(free, { algorithm: "ML-KEM-768" });
    await createKey(free, { algorithm: "ML-DSA-44" });
    const { keys } = await ok<{ keys: unknown[] }>(free, "GET", "/v1/keys");
    expect(keys).toHaveLength(2);
  });

  it("lets a pro tenant create them", async () => {
    const pro = await createTenant({ name: "pro", plan: "pro" });
    for (const algorithm of ["X-Wing", "Composite-ML-DSA-65-P256", "SLH-DSA-SHA2-128f"]) {
      expect((await createKey(pro, { algorithm })).algorithm).toBe(algorithm);
    }
  });
});

describe.concurrent("a pro tenant downgraded to free", () => {
  it("keeps its X-Wing key readable and decryptable, but can no longer encrypt, encapsulate, rotate or create one", async () => {
    const tenant = await createTenant({ name: "downgraded", plan: "pro" });
    const key = await createKey(tenant, { algorithm: "X-Wing" });
    const path = (action = "") => `/v1/keys/${key.id}${action ? `/${action}` : ""}`;
    const { ciphertext } = await ok<{ ciphertext: string }>(tenant, "POST", path("encrypt"), { plaintext: b64("kept readable") });
    const encapsulated = await ok<{ ciphertext: string; shared_secret: string }>(tenant, "POST", path("encapsulate"));
    await waitForProjection(tenant, [key.id]);

    await setPlan(tenant, { plan: "free" });

    expect((await ok<{ algorithm: string }>(tenant, "GET", path())).algorithm).toBe("X-Wing");
    await ok(tenant, "GET", `${path("public-key")}?format=raw`);
    expect(text((await ok<{ plaintext: string }>(tenant, "POST", path("decrypt"), { ciphertext })).plaintext)).toBe("kept readable");
    const decapsulated = await ok<{ shared_secret: string }>(tenant, "POST", path("decapsulate"), { ciphertext: encapsulated.ciphertext });
    expect(decapsulated.shared_secret).toBe(encapsulated.shared_secret);
    await ok(tenant, "PATCH", path(), { name: "still manageable" });

    await expectPlanRestricted(tenant, "POST", path("encrypt"), { plaintext: b64("new") }, "plan_algorithm");
    await expectPlanRestricted(tenant, "POST", path("encapsulate"), undefined, "plan_algorithm");
    await expectPlanRestricted(tenant, "POST", path("rotate"), undefined, "plan_algorithm");
    await expectPlanRestricted(tenant, "POST", "/v1/keys", { algorithm: "X-Wing" }, "plan_algorithm");
    expect((await ok<{ primary_version: number }>(tenant, "GET", path())).primary_version).toBe(1);

    // Back on pro, the key protects new data again.
    await setPlan(tenant, { plan: "pro" });
    await ok(tenant, "POST", path("encrypt"), { plaintext: b64("new") });
  });

  it("keeps a composite signing key verifiable, but can no longer sign with it", async () => {
    const tenant = await createTenant({ name: "downgraded-signer", plan: "pro" });
    const key = await createKey(tenant, { algorithm: "Composite-ML-DSA-65-P256" });
    const message = b64("signed before the downgrade");
    const { signature } = await ok<{ signature: string }>(tenant, "POST", `/v1/keys/${key.id}/sign`, { message });
    await waitForProjection(tenant, [key.id]);

    await setPlan(tenant, { plan: "free" });

    expect(await ok(tenant, "POST", `/v1/keys/${key.id}/verify`, { message, signature })).toMatchObject({ valid: true });
    await expectPlanRestricted(tenant, "POST", `/v1/keys/${key.id}/sign`, { message }, "plan_algorithm");
  });

  it("leaves keys of algorithms every plan includes untouched", async () => {
    const tenant = await createTenant({ name: "downgraded-plain", plan: "pro" });
    const key = await createKey(tenant, { algorithm: "ML-KEM-768" });
    await waitForProjection(tenant, [key.id]);
    await setPlan(tenant, { plan: "free" });
    await ok(tenant, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: b64("x") });
    await ok(tenant, "POST", `/v1/keys/${key.id}/rotate`);
  });
});

describe.concurrent("the key-count limit", () => {
  it("lets a tenant limited to 2 keys create 2; the 3rd is 403 plan_restricted, rule plan_max_keys", async () => {
    const tenant = await createTenant({ name: "two-keys", plan: "free", limits: { max_keys: 2 } });
    const first = await createKey(tenant, { algorithm: "ML-KEM-512" });
    await waitForProjection(tenant, [first.id]);
    const second = await createKey(tenant, { algorithm: "ML-KEM-512" });
    await waitForProjection(tenant, [first.id, second.id]);

    const problem = await expectPlanRestricted(tenant, "POST", "/v1/keys", { algorithm: "ML-KEM-512" }, "plan_max_keys");
    expect(problem.detail).toContain("2 keys");
    const { keys } = await ok<{ keys: unknown[] }>(tenant, "GET", "/v1/keys");
    expect(keys).toHaveLength(2);

    // Raising the override makes room for exactly one more.
    await setPlan(tenant, { limits: { max_keys: 3 } });
    const third = await createKey(tenant, { algorithm: "ML-KEM-512" });
    await waitForProjection(tenant, [third.id]);
    await expectPlanRestricted(tenant, "POST", "/v1/keys", { algorithm: "ML-KEM-512" }, "plan_max_keys");
  });

  it("counts keys pending deletion until they are destroyed", async () => {
    const tenant = await createTenant({ name: "one-key", plan: "free", limits: { max_keys: 1 } });
    const key = await createKey(tenant, { algorithm: "ML-KEM-512" });
    await ok(tenant, "POST", `/v1/keys/${key.id}/schedule-deletion`, { days: 7 });
    await waitForProjection(tenant, [key.id]);
    expect((await api(tenant, "POST", "/v1/keys", { algorithm: "ML-KEM-512" })).body).toMatchObject({ code: "plan_restricted", rule: "plan_max_keys" });
  });
});
