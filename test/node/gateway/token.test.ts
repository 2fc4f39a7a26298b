/**
 * API key tokens (workers/gateway/src/auth/token.ts, architecture §2): the format and its CRC32 checksum,
 * HMAC-SHA-256 with the pepper (checked against node:crypto), and the constant-time comparison.
 */
import { createHmac, randomBytes } from "node:crypto";
import { crc32 as nodeCrc32 } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DISPLAY_PREFIX_LENGTH,
  TOKEN_LENGTH,
  crc32,
  displayPrefix,
  formatToken,
  hasValidChecksum,
  hashToken,
  importPepper,
  timingSafeEqualText,
} from "../../../workers/gateway/src/auth/token.ts";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("token format", () => {
  it("is pqk_ + 43 base62 characters + a 6-character base62 checksum", () => {
    fc.assert(
      fc.property(bytes32, (random) => {
        const token = formatToken(random);
        expect(token).toMatch(/^pqk_[0-9A-Za-z]{49}$/);
        expect(token).toHaveLength(TOKEN_LENGTH);
        expect(hasValidChecksum(token)).toBe(true);
        expect(displayPrefix(token)).toBe(token.slice(0, DISPLAY_PREFIX_LENGTH));
      }),
    );
  });

  it("encodes the random bytes injectively (distinct randomness, distinct tokens)", () => {
    fc.assert(
      fc.property(bytes32, bytes32, (a, b) => {
        fc.pre(Buffer.compare(a, b) !== 0);
        expect(formatToken(a)).not.toBe(formatToken(b));
      }),
    );
    expect(formatToken(new Uint8Array(32))).toBe(`pqk_${"0".repeat(43)}${formatToken(new Uint8Array(32)).slice(-6)}`);
  });

  it("refuses anything but 32 bytes of randomness", () => {
    expect(() => formatToken(new Uint8Array(31))).toThrow(/32 random bytes/);
    expect(() => formatToken(new Uint8Array(33))).toThrow(/32 random bytes/);
  });

  it("detects every single-character change, at every position, to every other character", () => {
    const token = formatToken(new Uint8Array(randomBytes(32)));
    const alphabet = `${BASE62}_-+/= .é`;
    let checked = 0;
    for (let i = 0; i < token.length; i++) {
      for (const ch of alphabet) {
        if (ch === token[i]) continue;
        const changed = token.slice(0, i) + ch + token.slice(i + 1);
        expect(hasValidChecksum(changed), `position ${i} → ${JSON.stringify(ch)}`).toBe(false);
        checked++;
      }
    }
    expect(checked).toBe(token.length * (alphabet.length - 1));
  });

  it("detects single-character changes of random tokens (property)", () => {
    fc.assert(
      fc.property(bytes32, fc.nat({ max: TOKEN_LENGTH - 1 }), fc.constantFrom(...BASE62), (random, at, ch) => {
        const token = formatToken(random);
        fc.pre(token[at] !== ch);
        expect(hasValidChecksum(token.slice(0, at) + ch + token.slice(at + 1))).toBe(false);
      }),
    );
  });

  it("rejects wrong lengths, wrong prefixes and non-base62 garbage", () => {
    const token = formatToken(new Uint8Array(randomBytes(32)));
    for (const bad of ["", "pqk_", token.slice(0, -1), `${token}0`, `PQK_${token.slice(4)}`, `sk_${token.slice(3)}`, " ".repeat(TOKEN_LENGTH)]) {
      expect(hasValidChecksum(bad), JSON.stringify(bad)).toBe(false);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        expect(hasValidChecksum(text)).toBe(false);
      }),
    );
  });

  it("uses CRC-32 as zlib computes it", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        expect(crc32(data)).toBe(nodeCrc32(data));
      }),
    );
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });
});

describe("token hashing", () => {
  it("is hex HMAC-SHA-256(pepper, token), byte-identical to node:crypto", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 64 }), bytes32, async (pepper, random) => {
        const token = formatToken(random);
        const expected = createHmac("sha256", pepper).update(token).digest("hex");
        expect(await hashToken(await importPepper(pepper), token)).toBe(expected);
      }),
      { numRuns: 50 },
    );
  });

  it("depends on the pepper: the same token under another pepper hashes differently", async () => {
    const token = formatToken(new Uint8Array(randomBytes(32)));
    const one = await hashToken(await importPepper(new Uint8Array(32).fill(1)), token);
    const two = await hashToken(await importPepper(new Uint8Array(32).fill(2)), token);
    expect(one).not.toBe(two);
    expect(one).not.toContain(token.slice(4, 16));
  });
});

describe("timingSafeEqualText", () => {
  it("answers exactly string equality", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(timingSafeEqualText(a, b)).toBe(a === b);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (a) => {
        expect(timingSafeEqualText(a, a)).toBe(true);
        expect(timingSafeEqualText(a, `${a}x`)).toBe(false);
      }),
    );
  });

  it("tells apart prefixes, extensions, empty strings and one-byte differences", () => {
    const cases: [string, string, boolean][] = [
      ["", "", true],
      ["", "a", false],
      ["a", "", false],
      ["abc", "abcd", false],
      ["abcd", "abc", false],
      ["abcabc", "abc", false],
      ["abc", "abd", false],
      ["é", "e\u0301", false],
      ["pqk_same", "pqk_same", true],
    ];
    for (const [a, b, equal] of cases) expect(timingSafeEqualText(a, b), `${a} vs ${b}`).toBe(equal);
  });
});

