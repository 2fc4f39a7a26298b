/**
 * Policy rules 3 and 4 (workers/shared/policy/rules.ts, architecture §4). Rule 3: the plan allows the
 * algorithm — on create and on every later use, where a key the plan no longer allows (after a
 * downgrade) stays readable but protects nothing new — and the key-count limit on create.
 * Rule 4: the monthly quota, as the RateLimiter reserved it for this request.
 */
import { describe, expect, it } from "vitest";
import { KEY_ALGORITHM_NAMES } from "../../../workers/shared/algorithms.ts";
import { OPERATIONS, type Operation } from "../../../workers/shared/operations.ts";
import { OPERATIONS_AFTER_DOWNGRADE, PLAN_LIMITS, PREMIUM_ALGORITHMS, planAllowsAlgorithm, type Plan } from "../../../workers/shared/plans.ts";
import { QUOTA_EXEMPT, monthlyQuota, planLimits } from "../../../workers/shared/policy/rules.ts";
import { facts, quota, request } from "./fixtures.ts";

const KEY_ID = "0b6f4e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
const PREMIUM = ["X-Wing", "Composite-ML-DSA-65-P256", "SLH-DSA-SHA2-128s", "SLH-DSA-SHA2-128f"];
const PLANS = Object.keys(PLAN_LIMITS) as Plan[];
const OPERATIONS_LIST = Object.keys(OPERATIONS) as Operation[];
/** The operations that act on keys: the only ones whose request names a key and so has its algorithm. */
const KEY_OPERATIONS = OPERATIONS_LIST.filter((op) => op.startsWith("keys.") || op.startsWith("crypto."));

/** What a downgraded tenant can no longer do with a premium key: anything that protects data anew. */
// Rewrap and datakey seal anew under the primary version: new protection too; so is a fresh HMAC tag.
// `crypto.batch` is judged as its inner operation once the body is read (pipeline/policy.ts); by its
// own name it counts as new protection, the cautious side.
const NEW_PROTECTION: Operation[] = [
  "keys.create", "keys.rotate", "crypto.encrypt", "crypto.encapsulate", "crypto.sign", "crypto.rewrap", "crypto.datakey", "crypto.mac", "crypto.batch",
  "keys.import",
];

describe("plans", () => {
  it("reserves hybrids and SLH-DSA for pro and enterprise; every other algorithm is open to all", () => {
    expect([...PREMIUM_ALGORITHMS].sort()).toEqual([...PREMIUM].sort());
    for (const algorithm of KEY_ALGORITHM_NAMES) {
      expect({ algorithm, free: planAllowsAlgorithm("free", algorithm) }).toEqual({ algorithm, free: !PREMIUM.includes(algorithm) });
      expect(planAllowsAlgorithm("pro", algorithm)).toBe(true);
      expect(planAllowsAlgorithm("enterprise", algorithm)).toBe(true);
    }
  });

  it("keeps only what reads, manages or undoes protection available after a downgrade", () => {
    const blocked = KEY_OPERATIONS.filter((op) => !OPERATIONS_AFTER_DOWNGRADE.has(op));
    expect(blocked.sort()).toEqual([...NEW_PROTECTION].sort());
    for (const op of OPERATIONS_AFTER_DOWNGRADE) expect(Object.hasOwn(OPERATIONS, op)).toBe(true);
  });

  it("gives each plan more room than the one below it", () => {
    for (const field of ["ratePerSecond", "burst", "monthlyOperations", "maxKeys"] as const) {
      expect(PLAN_LIMITS.free[field]).toBeLessThan(PLAN_LIMITS.pro[field]);
      expect(PLAN_LIMITS.pro[field]).toBeLessThan(PLAN_LIMITS.enterprise[field]);
    }
  });
});

describe("rule 3: the plan's algorithms, on create", () => {
  it.each(PREMIUM)("denies a free tenant creating a %s key: plan_restricted, rule plan_algorithm", (algorithm) => {
    expect(planLimits(request({ operation: "keys.create", algorithm }), facts({ plan: "free" }))).toMatchObject({
      allow: false,
      rule: "plan_algorithm",
      code: "plan_restricted",
      detail: expect.stringContaining(algorithm),
    });
  });

  it.each(PLANS)("lets a %s tenant create every algorithm its plan includes", (plan) => {
    for (const algorithm of KEY_ALGORITHM_NAMES) {
      const denied = planLimits(request({ operation: "keys.create", algorithm }), facts({ plan }));
      expect({ algorithm, denied: denied !== null }).toEqual({ algorithm, denied: !planAllowsAlgorithm(plan, algorithm) });
    }
  });
});

describe("rule 3: the plan's algorithms, on use (a downgraded tenant's premium key)", () => {
  const downgraded = (algorithm: string) => facts({ plan: "free", keyAlgorithm: algorithm });

  it.each(PREMIUM)("%s: denies new protection, allows reading, managing, decrypting and verifying", (algorithm) => {
    for (const operation of KEY_OPERATIONS) {
      const decision = planLimits(request({ operation, keyId: KEY_ID }), downgraded(algorithm));
      // Import is a paying plan's feature whatever the key (rule plan_import, checked first).
      const rule = operation === "keys.import" ? "plan_import" : "plan_algorithm";
      const expected = NEW_PROTECTION.includes(operation) ? { rule, code: "plan_restricted" } : null;
      expect({ operation, decision }).toEqual({ operation, decision: expected && { allow: false, ...expected, detail: expect.any(String) } });
    }
  });

  it("allows every operation on a key whose algorithm every plan includes (import aside: not a free plan's)", () => {
    for (const operation of KEY_OPERATIONS.filter((op) => op !== "keys.import")) {
      expect(planLimits(request({ operation, keyId: KEY_ID }), downgraded("ML-KEM-768"))).toBeNull();
    }
  });

  it("allows every operation on a premium key once the tenant is back on pro", () => {
    for (const operation of NEW_PROTECTION) {
      expect(planLimits(request({ operation, keyId: KEY_ID }), facts({ plan: "pro", keyAlgorithm: "X-Wing" }))).toBeNull();
    }
  });

  it("allows a use when the key's algorithm is unknown (a key not yet projected, or none)", () => {
    expect(planLimits(request({ operation: "crypto.encrypt", keyId: KEY_ID }), facts({ plan: "free" }))).toBeNull();
  });
});

describe("rule 3: key import (plan_import)", () => {
  it.each(PLANS)("%s: import jobs and imports only on pro and enterprise", (plan) => {
    for (const operation of ["import-jobs.create", "import-jobs.list", "import-jobs.get", "keys.import"] as const) {
      const decision = planLimits(request({ operation, keyId: null }), facts({ plan }));
      expect(decision).toEqual(plan === "free" ? { allow: false, rule: "plan_import", code: "plan_restricted", detail: "The free plan does not include key import" } : null);
    }
  });
});

describe("rule 3: the key-count limit on create", () => {
  const create = request({ operation: "keys.create", algorithm: "ML-KEM-768" });

  it("allows a create below the limit and denies one at it: plan_restricted, rule plan_max_keys", () => {
    expect(planLimits(create, facts({ maxKeys: 2, keyCount: 0 }))).toBeNull();
    expect(planLimits(create, facts({ maxKeys: 2, keyCount: 1 }))).toBeNull();
    expect(planLimits(create, facts({ maxKeys: 2, keyCount: 2 }))).toMatchObject({
      allow: false,
      rule: "plan_max_keys",
      code: "plan_restricted",
      detail: expect.stringContaining("2 keys"),
    });
    expect(planLimits(create, facts({ maxKeys: 2, keyCount: 5 }))).toMatchObject({ rule: "plan_max_keys" });
  });

  it("denies every create when the limit is 0", () => {
    expect(planLimits(create, facts({ maxKeys: 0, keyCount: 0 }))).toMatchObject({ rule: "plan_max_keys" });
  });

  it("never limits operations other than create", () => {
    for (const operation of OPERATIONS_LIST.filter((op) => op !== "keys.create")) {
      expect(planLimits(request({ operation, keyId: KEY_ID }), facts({ maxKeys: 1, keyCount: 9 }))).toBeNull();
    }
  });

  it("reports the algorithm before the count when both deny", () => {
    const premium = request({ operation: "keys.create", algorithm: "X-Wing" });
    expect(planLimits(premium, facts({ plan: "free", maxKeys: 1, keyCount: 1 }))).toMatchObject({ rule: "plan_algorithm" });
  });
});

describe("rule 4: the monthly quota", () => {
  it("allows a request with no reservation (a route the limiter does not meter) or one within the quota", () => {
    expect(monthlyQuota(request({ quota: null }), facts())).toBeNull();
    expect(monthlyQuota(request({ quota: quota({ used: 100, limit: 100 }) }), facts())).toBeNull();
  });

  it("denies a request the quota could not hold: quota_exceeded, rule monthly_quota, naming the limit and the reset", () => {
    const resetsAt = Date.UTC(2027, 0, 1);
    expect(monthlyQuota(request({ operation: "crypto.sign", quota: quota({ used: 100, limit: 100, exceeded: true, resetsAt }) }), facts())).toEqual({
      allow: false,
      rule: "monthly_quota",
      code: "quota_exceeded",
      detail: "The monthly quota of 100 operations is used up; it resets at 2027-01-01T00:00:00.000Z",
    });
  });

  it("never denies reading the tenant or its usage, so a tenant out of quota can see why", () => {
    const exceeded = quota({ used: 100, limit: 100, exceeded: true });
    for (const operation of QUOTA_EXEMPT) expect(monthlyQuota(request({ operation: operation as Operation, quota: exceeded }), facts())).toBeNull();
    expect(monthlyQuota(request({ operation: "keys.list", quota: exceeded }), facts())).toMatchObject({ rule: "monthly_quota" });
  });
});
