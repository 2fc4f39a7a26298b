/**
 * Byte helpers: RFC 4648 base64 / base64url (checked against Node's Buffer as an independent codec),
 * UUID bytes, big-endian integers and constant-time comparison.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesToUuid, constantTimeEqual, fromBase64, readU32be, toBase64, toBase64Url, u16be, u32be, uuidToBytes } from "../../../workers/kms/src/crypto/bytes.ts";
import { toHex } from "./vectors.ts";

describe("base64 (RFC 4648)", () => {
  it("matches the RFC 4648 §10 test vectors", () => {
    const vectors: [string, string][] = [
      ["", ""],
      ["f", "Zg=="],
      ["fo", "Zm8="],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg=="],
      ["fooba", "Zm9vYmE="],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [text, encoded] of vectors) {
      const bytes = new TextEncoder().encode(text);
      expect(toBase64(bytes)).toBe(encoded);
      expect(toBase64Url(bytes)).toBe(encoded.replace(/=+$/, ""));
      expect(fromBase64(encoded)).toEqual(bytes);
      expect(fromBase64(encoded.replace(/=+$/, ""))).toEqual(bytes);
    }
  });

  it("agrees with Buffer on every byte string, both alphabets, padded or not", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const standard = Buffer.from(bytes).toString("base64");
        const url = Buffer.from(bytes).toString("base64url");
        expect(toBase64(bytes)).toBe(standard);
        expect(toBase64Url(bytes)).toBe(url);
        expect(fromBase64(standard)).toEqual(bytes);
        expect(fromBase64(url)).toEqual(bytes);
        expect(fromBase64(standard.replace(/=+$/, ""))).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ["whitespace", "Zm9v YmFy"],
    ["newline", "Zm9v\nYmFy"],
    ["bad character", "Zm9v*mFy"],
    ["one char too many", "Zm9vY"],
    ["padding in the middle", "Zg==Zm8="],
    ["too much padding", "Zg==="],
    ["padding without a full quantum", "Zg="],
    ["mixed alphabets", "+-=="],
    ["non-zero trailing bits (non-canonical)", "Zh=="],
    ["non-ASCII", "Zm9vYmF\u00e9"],
  ])("rejects %s", (_name, text) => {
    expect(fromBase64(text)).toBeUndefined();
  });

  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const decoded = fromBase64(text);
        if (decoded !== undefined) expect(toBase64Url(decoded)).toBe(text.replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_"));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("UUIDs", () => {
  it("round-trip between text and 16 bytes, canonicalising to lowercase", () => {
    const bytes = uuidToBytes("0190F3A2-7B1C-7DEF-8A12-3456789ABCDE");
    expect(toHex(bytes ?? new Uint8Array())).toBe("0190f3a27b1c7def8a123456789abcde");
    expect(bytesToUuid(bytes ?? new Uint8Array(16))).toBe("0190f3a2-7b1c-7def-8a12-3456789abcde");
  });

  it.each(["", "0190f3a27b1c7def8a123456789abcde", "0190f3a2-7b1c-7def-8a12-3456789abcd", "0190f3a2-7b1c-7def-8a12-3456789abcdg", "{0190f3a2-7b1c-7def-8a12-3456789abcde}"])(
    "rejects %j",
    (text) => {
      expect(uuidToBytes(text)).toBeUndefined();
    },
  );
});

describe("integers and comparison", () => {
  it("encodes big-endian and range-checks", () => {
    expect(toHex(u16be(0x0102))).toBe("0102");
    expect(toHex(u32be(0xfffffffe))).toBe("fffffffe");
    expect(readU32be(u32be(0xdeadbeef), 0)).toBe(0xdeadbeef);
    expect(() => u16be(0x10000)).toThrow(RangeError);
    expect(() => u32be(-1)).toThrow(RangeError);
  });

  it("compares byte strings", () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
  });
});
