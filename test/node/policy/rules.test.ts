/**
 * Policy rules 1 and 2 (workers/policy/src/rules.ts, DESIGN §4): each rule's allow and deny, and
 * the order: the first deny ends evaluation and is the one reported.
 */
import { describe, expect, it, vi } from "vitest";
import { OPERATIONS, type Operation } from "../../../workers/shared/operations.ts";
import type { PolicyRequest } from "../../../workers/shared/rpc.ts";
import { SCOPES, type Scope } from "../../../workers/shared/scopes.ts";
import { RULES, evaluate, scopesAndRestriction, tenantActive, type PolicyFacts, type Rule } from "../../../workers/policy/src/rules.ts";

const KEY_A = "0b6f4e2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b";
const KEY_B = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
const ACTIVE: PolicyFacts = { tenant: { status: "active" } };
const SUSPENDED: PolicyFacts = { tenant: { status: "suspended" } };

function request(overrides: Partial<PolicyRequest> = {}): PolicyRequest {
  return {
    tenantId: "tenant-1",
    apiKeyId: "api-key-1",
    scopes: [...SCOPES],
    keyRestriction: null,
    operation: "tenant.read",
    keyId: null,
    algorithm: null,
    sourceIp: null,
    requestId: "req-00000001",
    ...overrides,
  };
}

describe("rule 1: tenant status", () => {
  it("allows an active tenant", () => {
    expect(tenantActive(request(), ACTIVE)).toBeNull();
  });

  it("denies a suspended tenant with tenant_suspended", () => {
    expect(tenantActive(request(), SUSPENDED)).toMatchObject({ allow: false, rule: "tenant_status", code: "tenant_suspended" });
  });

  it("denies a tenant that does not exist", () => {
    expect(tenantActive(request(), { tenant: null })).toMatchObject({ allow: false, rule: "tenant_status", code: "access_denied" });
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

  it("evaluates rule 1 (tenant status), then rule 2 (scopes), before any other rule", () => {
    expect(RULES.slice(0, 2)).toEqual([tenantActive, scopesAndRestriction]);
  });
});
