/**
 * Policy rule 5 (workers/shared/policy/rules.ts, architecture §4): the tenant's own rules. An `ip_allow`
 * list, once it has any entry, admits only source addresses inside one of its ranges — a request
 * with no source address, or a range that does not parse, admits nothing (fail closed). An
 * `operation_deny` names one operation or a family (`crypto.*`).
 */
import { describe, expect, it } from "vitest";
import { OPERATIONS, type Operation } from "../../../workers/shared/operations.ts";
import { operationMatches, tenantRules, type TenantRuleFacts } from "../../../workers/shared/policy/rules.ts";
import { facts, ipAllow, operationDeny, request } from "./fixtures.ts";

const withRules = (...rules: TenantRuleFacts[]) => facts({ tenantRules: rules });
const from = (sourceIp: string | null, operation: Operation = "tenant.read") => request({ sourceIp, operation });

describe("rule 5: no rules", () => {
  it("allows every operation from anywhere, even with no source address", () => {
    for (const ip of [null, "192.0.2.1", "2001:db8::1"]) expect(tenantRules(from(ip), withRules())).toBeNull();
  });
});

describe("rule 5: ip_allow", () => {
  const deniedByAllowList = { allow: false, rule: "tenant_ip_allow", code: "access_denied" };

  it.each([
    ["203.0.113.0/24", "203.0.113.0", true],
    ["203.0.113.0/24", "203.0.113.255", true],
    ["203.0.113.0/24", "203.0.114.0", false],
    ["203.0.113.0/24", "203.0.112.255", false],
    ["203.0.113.7", "203.0.113.7", true],
    ["203.0.113.7/32", "203.0.113.8", false],
    ["0.0.0.0/0", "198.51.100.1", true],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["2001:DB8::/32", "2001:db8::abcd", true],
    ["::/0", "::1", true],
    ["2001:db8::1/128", "2001:db8::2", false],
    ["0.0.0.0/0", "2001:db8::1", false],
    ["::/0", "203.0.113.7", false],
  ])("range %s, source %s: %s", (range, ip, inside) => {
    expect(tenantRules(from(ip), withRules(ipAllow(range)))).toEqual(inside ? null : { ...deniedByAllowList, detail: expect.any(String) });
  });

  it("admits a source inside any one of several ranges", () => {
    const rules = withRules(ipAllow("192.0.2.0/24"), ipAllow("2001:db8::/32"), ipAllow("198.51.100.0/24"));
    expect(tenantRules(from("198.51.100.20"), rules)).toBeNull();
    expect(tenantRules(from("2001:db8::20"), rules)).toBeNull();
    expect(tenantRules(from("203.0.113.20"), rules)).toMatchObject(deniedByAllowList);
  });

  it("denies a request with no source address once an allow-list exists", () => {
    expect(tenantRules(from(null), withRules(ipAllow("0.0.0.0/0"), ipAllow("::/0")))).toMatchObject(deniedByAllowList);
  });

  it.each(["garbage", "", "203.0.113.300", "203.0.113.7 ", "::g", "203.0.113.7, 10.0.0.1"])("denies a malformed source address %j", (ip) => {
    expect(tenantRules(from(ip), withRules(ipAllow("0.0.0.0/0"), ipAllow("::/0")))).toMatchObject(deniedByAllowList);
  });

  it.each(["999.0.0.0/8", "10.0.0.0/33", "::/129", "nonsense", "10.0.0.0/8/8"])("a malformed range %j admits nothing (fail closed)", (range) => {
    expect(tenantRules(from("10.0.0.1"), withRules(ipAllow(range)))).toMatchObject(deniedByAllowList);
    // A well-formed range beside it still admits its own addresses.
    expect(tenantRules(from("10.0.0.1"), withRules(ipAllow(range), ipAllow("10.0.0.0/8")))).toBeNull();
  });

  it("applies to every operation, including the rules API itself", () => {
    for (const operation of Object.keys(OPERATIONS) as Operation[]) {
      expect(tenantRules(from("198.51.100.1", operation), withRules(ipAllow("203.0.113.0/24")))).toMatchObject(deniedByAllowList);
    }
  });
});

describe("rule 5: operation_deny", () => {
  it("denies exactly the named operation", () => {
    const rules = withRules(operationDeny("crypto.sign"));
    expect(tenantRules(from(null, "crypto.sign"), rules)).toMatchObject({
      allow: false,
      rule: "tenant_operation_deny",
      code: "access_denied",
      detail: expect.stringContaining("crypto.sign"),
    });
    for (const operation of ["crypto.verify", "crypto.encrypt", "keys.get"] as const) expect(tenantRules(from(null, operation), rules)).toBeNull();
  });

  it("denies every operation of a family, and none outside it", () => {
    const rules = withRules(operationDeny("crypto.*"));
    for (const operation of Object.keys(OPERATIONS) as Operation[]) {
      const denied = tenantRules(from(null, operation), rules) !== null;
      expect({ operation, denied }).toEqual({ operation, denied: operation.startsWith("crypto.") });
    }
  });

  it("matches a family on the whole segment, and names only exactly", () => {
    expect(operationMatches("keys.*", "keys.get")).toBe(true);
    expect(operationMatches("keys.*", "keys-extra.get")).toBe(false);
    expect(operationMatches("api-keys.*", "keys.get")).toBe(false);
    expect(operationMatches("keys.get", "keys.get")).toBe(true);
    expect(operationMatches("keys.ge", "keys.get")).toBe(false);
    expect(operationMatches("keys.get", "keys.get-more")).toBe(false);
  });

  it("checks the allow-list first: a source outside it is reported as tenant_ip_allow", () => {
    const rules = withRules(operationDeny("tenant.read"), ipAllow("203.0.113.0/24"));
    expect(tenantRules(from("198.51.100.1"), rules)).toMatchObject({ rule: "tenant_ip_allow" });
    expect(tenantRules(from("203.0.113.1"), rules)).toMatchObject({ rule: "tenant_operation_deny" });
  });
});
