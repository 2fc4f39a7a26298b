/**
 * Policy rules 1 and 2 (workers/shared/policy/rules.ts, architecture §4): each rule's allow and deny, and
 * the order of all five: the first deny ends evaluation and is the one reported. Rules 3 and 4 are
 * in plan-and-quota-rules.test.ts, rule 5 in tenant-rules.test.ts.
 */
import { describe, expect, it, vi } from "vitest";
import { OPERATIONS, type Operation } from "../../../workers/shared/operations.ts";
import { SCOPES, type Scope } from "../../../workers/shared/scopes.ts";
import {
  RULES, evaluate, monthlyQuota, planLimits, scopesAndRestriction, tenantActive, tenantRules, type PolicyFacts, type Rule,
} from "../../../workers/shared/policy/rules.ts";
import { NO_FACTS, facts, ipAllow, operationDeny, quota, request } from "./fixtures.ts";

const KEY_A = "0b6f4e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
const KEY_B = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
const ACTIVE: PolicyFacts = facts();
const SUSPENDED: PolicyFacts = facts({ status: "suspended" });

describe("rule 1: tenant status", () => {
  it("allows an active tenant", () => {
    expect(tenantActive(request(), ACTIVE)).toBeNull();
  });

  it("denies a suspended tenant with tenant_suspended", () => {
    expect(tenantActive(request(), SUSPENDED)).toMatchObject({ allow: false, rule: "tenant_status", code: "tenant_suspended" });
  });

  it("denies a tenant that does not exist", () => {
    expect(tenantActive(request(), NO_FACTS)).toMatchObject({ allow: false, rule: "tenant_status", code: "access_denied" });
  });
});

describe("rule 2: scopes and key restriction", () => {
  const operations = Object.keys(OPERATIONS) as Operation[];

  it.each(operations)("%s: allowed with exactly its scope, denied with every other scope", (operation) => {
    const needed: Scope = OPERATIONS[operation].scope;
    expect(scopesAndRestriction(request({ operation, scopes: [needed] }), ACTIVE)).toBeNull();
    const others = SCOPES.filter((s) => s !== needed);
    expect(scopesAndRestriction(request({ operation, scopes: others }), ACTIVE)).toMatchObject({
      allow: false,
      rule: "scopes",
      code: "access_denied",
      detail: expect.stringContaining(needed),
    });
    expect(scopesAndRestriction(request({ operation, scopes: [] }), ACTIVE)).toMatchObject({ rule: "scopes" });
  });

  it("allows a restricted API key on a key in its list, whatever the case of the id", () => {
    expect(scopesAndRestriction(request({ keyRestriction: [KEY_A], keyId: KEY_A }), ACTIVE)).toBeNull();
    expect(scopesAndRestriction(request({ keyRestriction: [KEY_A], keyId: KEY_A.toUpperCase() }), ACTIVE)).toBeNull();
  });

  it("denies a restricted API key on a key outside its list", () => {
    expect(scopesAndRestriction(request({ keyRestriction: [KEY_A], keyId: KEY_B }), ACTIVE)).toMatchObject({
      allow: false,
      rule: "key_restriction",
      code: "access_denied",
    });
    expect(scopesAndRestriction(request({ keyRestriction: [], keyId: KEY_A }), ACTIVE)).toMatchObject({ rule: "key_restriction" });
  });

  it("does not apply the restriction to operations on no particular key", () => {
    expect(scopesAndRestriction(request({ keyRestriction: [KEY_A], keyId: null }), ACTIVE)).toBeNull();
  });

  it("refuses a restricted API key the operations over a whole audit log, and only those", () => {
    for (const operation of ["audit.exports.list", "audit.exports.get", "audit.checkpoints.list", "audit.checkpoints.create"] as const) {
      expect(scopesAndRestriction(request({ operation, scopes: ["audit:read"], keyRestriction: [KEY_A], keyId: null }), ACTIVE)).toMatchObject({
        rule: "key_restriction",
        code: "access_denied",
      });
      expect(scopesAndRestriction(request({ operation, scopes: ["audit:read"], keyRestriction: null, keyId: null }), ACTIVE)).toBeNull();
    }
    for (const operation of ["audit.list", "audit.verify", "audit.keys.list"] as const) {
      expect(scopesAndRestriction(request({ operation, scopes: ["audit:read"], keyRestriction: [KEY_A], keyId: null }), ACTIVE)).toBeNull();
    }
  });

  it("checks the scope before the restriction", () => {
    const denied = scopesAndRestriction(request({ scopes: [], keyRestriction: [KEY_A], keyId: KEY_B }), ACTIVE);
    expect(denied).toMatchObject({ rule: "scopes" });
  });
});

describe("evaluate: first deny wins", () => {
  it("allows when every rule allows", () => {
    expect(evaluate(request(), ACTIVE)).toEqual({ allow: true });
  });

  it("runs rule 1 before rule 2: a suspended tenant whose key also lacks the scope is reported as suspended", () => {
    expect(evaluate(request({ scopes: [] }), SUSPENDED)).toMatchObject({ rule: "tenant_status", code: "tenant_suspended" });
    expect(evaluate(request({ scopes: [] }), ACTIVE)).toMatchObject({ rule: "scopes", code: "access_denied" });
  });

  it("evaluates the rules in order and stops at the first deny", () => {
    const calls: string[] = [];
    const allowing = (name: string): Rule => () => {
      calls.push(name);
      return null;
    };
    const denying = (name: string): Rule => () => {
      calls.push(name);
      return { allow: false, rule: name, code: "access_denied", detail: name };
    };
    const never = vi.fn<Rule>(() => null);
    const decision = evaluate(request(), ACTIVE, [allowing("one"), denying("two"), denying("three"), never]);
    expect(decision).toMatchObject({ allow: false, rule: "two" });
    expect(calls).toEqual(["one", "two"]);
    expect(never).not.toHaveBeenCalled();
  });

  it("evaluates the five rules of architecture §4 in their order", () => {
    expect(RULES).toEqual([tenantActive, scopesAndRestriction, planLimits, monthlyQuota, tenantRules]);
  });

  it("reports the earliest of several denies; curing it reveals the next one", () => {
    // A request that breaks every rule at once: each step below cures the rule just reported.
    const allBroken = {
      request: request({ operation: "keys.create", algorithm: "X-Wing", scopes: [], quota: quota({ exceeded: true }), sourceIp: "198.51.100.1" }),
      facts: facts({ status: "suspended", plan: "free", tenantRules: [ipAllow("203.0.113.0/24"), operationDeny("keys.*")] }),
    };
    const cures: [string, (s: typeof allBroken) => typeof allBroken][] = [
      ["tenant_status", (s) => ({ ...s, facts: { ...s.facts, tenant: { status: "active", plan: "free", maxKeys: 10 } } })],
      ["scopes", (s) => ({ ...s, request: { ...s.request, scopes: ["keys:write"] } })],
      ["plan_algorithm", (s) => ({ ...s, request: { ...s.request, algorithm: "ML-KEM-768" } })],
      ["monthly_quota", (s) => ({ ...s, request: { ...s.request, quota: quota() } })],
      ["tenant_ip_allow", (s) => ({ ...s, request: { ...s.request, sourceIp: "203.0.113.9" } })],
      ["tenant_operation_deny", (s) => ({ ...s, facts: { ...s.facts, tenantRules: [ipAllow("203.0.113.0/24")] } })],
    ];
    let state = allBroken;
    for (const [rule, cure] of cures) {
      expect(evaluate(state.request, state.facts)).toMatchObject({ allow: false, rule });
      state = cure(state);
    }
    expect(evaluate(state.request, state.facts)).toEqual({ allow: true });
  });

  it("needs no facts beyond the tenant for a plain allowed request", () => {
    expect(evaluate(request(), { ...NO_FACTS, tenant: { status: "active", plan: "free", maxKeys: 0 } })).toEqual({ allow: true });
  });
});
