/**
 * The source-IP parser behind the tenant allow-list (workers/shared/policy/cidr.ts): a table of
 * accepted and refused addresses and ranges, then properties checked against an independent
 * implementation — Node's own `net.isIP` and `net.BlockList`.
 */
import fc from "fast-check";
import { BlockList, isIP } from "node:net";
import { describe, expect, it } from "vitest";
import { cidrContains, parseAddress, parseCidr } from "../../../workers/shared/policy/cidr.ts";

describe("parseAddress: table", () => {
  it.each([
    ["0.0.0.0", 4, 0n],
    ["203.0.113.7", 4, 0xcb007107n],
    ["255.255.255.255", 4, 0xffffffffn],
    ["::", 6, 0n],
    ["::1", 6, 1n],
    ["2001:db8::", 6, 0x20010db8n << 96n],
    ["2001:DB8:0:0:0:0:0:1", 6, (0x20010db8n << 96n) | 1n],
    ["1:2:3:4:5:6:7::", 6, 0x0001000200030004000500060007_0000n],
    ["::2:3:4:5:6:7:8", 6, 0x0000000200030004000500060007_0008n],
    ["::ffff:192.0.2.1", 6, 0xffffc0000201n],
    ["1:2:3:4:5:6:192.0.2.1", 6, 0x000100020003000400050006c0000201n],
  ])("%s is IPv%i %s", (text, version, value) => {
    expect(parseAddress(text)).toEqual({ version, value });
  });

  it.each([
    "", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.-4", "+1.2.3.4", "0x1.2.3.4", " 1.2.3.4", "1.2.3.4 ",
    "1.2.3.4:80", "1.2.3.4/32", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "1::2:3:4:5:6:7:8", ":1:2:3:4:5:6:7", "12345::",
    "fe80::1%eth0", "[::1]", "::ffff:1.2.3", "::ffff:01.2.3.4", "1.2.3.4::", "::1.2.3.4:5", "g::1",
  ])("refuses %j", (text) => {
    expect(parseAddress(text)).toBeNull();
  });
});

describe("parseCidr: table", () => {
  it.each([
    ["10.0.0.0/8", { version: 4, base: 0x0a000000n, prefix: 8 }],
    ["10.1.2.3/8", { version: 4, base: 0x0a000000n, prefix: 8 }],
    ["192.0.2.1", { version: 4, base: 0xc0000201n, prefix: 32 }],
    ["0.0.0.0/0", { version: 4, base: 0n, prefix: 0 }],
    ["2001:db8::/32", { version: 6, base: 0x20010db8n << 96n, prefix: 32 }],
    ["::/0", { version: 6, base: 0n, prefix: 0 }],
    ["::1/128", { version: 6, base: 1n, prefix: 128 }],
  ])("%s", (text, range) => {
    expect(parseCidr(text)).toEqual(range);
  });

  it.each(["10.0.0.0/33", "::/129", "10.0.0.0/", "/8", "10.0.0.0/8/8", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8 x", "10.0.0/8", "999.0.0.0/8", "nonsense"])(
    "refuses %j",
    (text) => {
      expect(parseCidr(text)).toBeNull();
    },
  );

  it("never matches an address of the other family or a malformed address (fail closed)", () => {
    const v4 = parseCidr("0.0.0.0/0");
    const v6 = parseCidr("::/0");
    if (!v4 || !v6) return expect.fail("ranges should parse");
    expect(cidrContains(v4, "::ffff:10.0.0.1")).toBe(false);
    expect(cidrContains(v6, "10.0.0.1")).toBe(false);
    for (const bad of ["", "garbage", "10.0.0.256", "::g"]) {
      expect(cidrContains(v4, bad)).toBe(false);
      expect(cidrContains(v6, bad)).toBe(false);
    }
  });
});

const ipv4 = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 });
const ipv6Groups = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 });

const valueOf = (parts: number[], bits: number) => parts.reduce((acc, p) => (acc << BigInt(bits)) | BigInt(p), 0n);

/** Writes eight groups as text, in one of the spellings RFC 4291 §2.2 allows. */
function spell(groups: number[], style: { compressAt: number; compressLength: number; upper: boolean; pad: boolean }): string {
  const hex = (g: number) => {
    const text = style.pad ? g.toString(16).padStart(4, "0") : g.toString(16);
    return style.upper ? text.toUpperCase() : text;
  };
  const zeros = groups.slice(style.compressAt, style.compressAt + style.compressLength);
  if (style.compressLength === 0 || zeros.length !== style.compressLength || zeros.some((g) => g !== 0)) return groups.map(hex).join(":");
  const left = groups.slice(0, style.compressAt).map(hex).join(":");
  const right = groups.slice(style.compressAt + style.compressLength).map(hex).join(":");
  return `${left}::${right}`;
}

const styleArb = fc.record({
  compressAt: fc.integer({ min: 0, max: 7 }),
  compressLength: fc.integer({ min: 0, max: 8 }),
  upper: fc.boolean(),
  pad: fc.boolean(),
});

/** Groups with a run of zeros somewhere, so that `::` spellings are exercised often. */
const ipv6WithZeros = fc.tuple(ipv6Groups, fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 8 })).map(([groups, at, length]) =>
  groups.map((g, i) => (i >= at && i < at + length ? 0 : g)),
);

describe("properties", () => {
  it("reads every IPv4 address to its 32-bit value", () => {
    fc.assert(
      fc.property(ipv4, (parts) => {
        expect(parseAddress(parts.join("."))).toEqual({ version: 4, value: valueOf(parts, 8) });
      }),
    );
  });

  it("reads every spelling of an IPv6 address to the same 128-bit value", () => {
    fc.assert(
      fc.property(fc.oneof(ipv6Groups, ipv6WithZeros), styleArb, (groups, style) => {
        const text = spell(groups, style);
        expect(isIP(text)).toBe(6);
        expect(parseAddress(text)).toEqual({ version: 6, value: valueOf(groups, 16) });
      }),
    );
  });

  it("accepts exactly the strings node:net accepts, over address-like text", () => {
    const piece = fc.oneof(
      fc.constantFrom("::", ":", ".", "ffff", "0", "00", "1"),
      fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), maxLength: 5 }),
      fc.integer({ min: 0, max: 300 }).map(String),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }).map((p) => p.join("")), (text) => {
        expect(parseAddress(text) !== null).toBe(isIP(text) !== 0);
      }),
      { numRuns: 3000 },
    );
  });

  it("decides membership exactly as node:net BlockList does (IPv4)", () => {
    fc.assert(
      fc.property(ipv4, fc.integer({ min: 0, max: 32 }), ipv4, (base, prefix, address) => {
        const range = parseCidr(`${base.join(".")}/${prefix}`);
        if (!range) return expect.fail("a well-formed range should parse");
        const oracle = new BlockList();
        oracle.addSubnet(base.join("."), prefix, "ipv4");
        expect(cidrContains(range, address.join("."))).toBe(oracle.check(address.join("."), "ipv4"));
        expect(cidrContains(range, base.join("."))).toBe(true);
      }),
    );
  });

  it("decides membership exactly as node:net BlockList does (IPv6), whatever the spelling", () => {
    const near = fc.tuple(ipv6Groups, fc.integer({ min: 0, max: 7 })).map(([g, keep]) => g.map((x, i) => (i < keep ? 0x2001 + i : x)));
    fc.assert(
      fc.property(near, fc.integer({ min: 0, max: 128 }), fc.oneof(near, ipv6WithZeros), styleArb, (base, prefix, address, style) => {
        const range = parseCidr(`${spell(base, style)}/${prefix}`);
        if (!range) return expect.fail("a well-formed range should parse");
        const oracle = new BlockList();
        oracle.addSubnet(spell(base, { compressAt: 0, compressLength: 0, upper: false, pad: true }), prefix, "ipv6");
        const text = spell(address, style);
        expect(cidrContains(range, text)).toBe(oracle.check(text, "ipv6"));
      }),
    );
  });

  it("never throws, whatever the text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (range, address) => {
        const parsed = parseCidr(range);
        if (parsed) expect(typeof cidrContains(parsed, address)).toBe("boolean");
      }),
    );
  });
});
