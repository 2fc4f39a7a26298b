/**
 * HMAC (RFC 2104) against Wycheproof and OpenSSL, for both providers.
 *
 * Wycheproof's keys are 16 to 65 bytes, while a provider imports only a stored secret (one hash
 * block, algorithms.ts). So every vector runs through the two engines the providers are built on
 * (mac.ts: Web Crypto for WebCryptoProvider, @noble/hashes for NobleProvider), at the vector's own
 * key length; the providers themselves are then held to node:crypto's createHmac (OpenSSL) and to
 * each other with keys of their own length.
 *
 * Truncated groups (tagSize < L): the API always returns and checks the full L-byte tag, so for
 * those a valid vector's tag must be the prefix of the full tag (and an invalid one must not be),
 * and the provider's verifyMac must answer false for a truncated tag, even a correct prefix.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ALGORITHMS, type MacAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { nobleHmac, webCryptoHmac, type MacEngine } from "../../../workers/kms/src/crypto/mac.ts";
import { NobleProvider } from "../../../workers/kms/src/crypto/noble-provider.ts";
import { WebCryptoProvider } from "../../../workers/kms/src/crypto/webcrypto-provider.ts";
import { allTests, hex, readJsonVector, toHex, type WycheproofFile, type WycheproofTest } from "./vectors.ts";

interface MacTest extends WycheproofTest {
  readonly key: string;
  readonly msg: string;
  readonly tag: string;
}
interface MacGroup {
  readonly keySize: number;
  readonly tagSize: number;
  readonly tests: readonly MacTest[];
}

const FILES: readonly [MacAlgorithmName, string][] = [
  ["HMAC-SHA-256", "hmac_sha256_test.json"],
  ["HMAC-SHA-384", "hmac_sha384_test.json"],
  ["HMAC-SHA-512", "hmac_sha512_test.json"],
];
const ENGINES: readonly [string, MacEngine][] = [["webcrypto", webCryptoHmac], ["noble", nobleHmac]];

describe.each(FILES)("%s: Wycheproof", (algorithm, fileName) => {
  const spec = ALGORITHMS[algorithm];
  const tests = allTests(readJsonVector<WycheproofFile<MacGroup>>(`wycheproof/${fileName}`));

  it("holds 174 vectors, full-length and truncated tags", () => {
    expect(tests.length).toBe(174);
    expect(new Set(tests.map(({ group }) => group.tagSize))).toEqual(new Set([spec.tagLength * 8, spec.tagLength * 4]));
  });

  it.each(ENGINES)("%s engine: every vector", async (_name, engine) => {
    for (const { group, test } of tests) {
      const key = await engine(spec, hex(test.key));
      const full = await key.mac(hex(test.msg));
      expect(full.length).toBe(spec.tagLength);
      const truncated = group.tagSize < spec.tagLength * 8;
      const given = toHex(full.subarray(0, group.tagSize / 8));
      expect({ tcId: test.tcId, matches: given === test.tag }).toEqual({ tcId: test.tcId, matches: test.result === "valid" });
      // Full-length groups go through the engine's own check too (Web Crypto verify, or constant-time compare).
      if (!truncated) expect({ tcId: test.tcId, verified: await key.verify(hex(test.msg), hex(test.tag)) }).toEqual({ tcId: test.tcId, verified: test.result === "valid" });
      // node:crypto (OpenSSL) agrees on every full tag.
      expect(toHex(createHmac(spec.hash.replace("-", "").toLowerCase(), hex(test.key)).update(hex(test.msg)).digest())).toBe(toHex(full));
    }
  });
});

describe.each(FILES)("%s: both providers", (algorithm) => {
  const spec = ALGORITHMS[algorithm];
  const noble = new NobleProvider();
  const webcrypto = new WebCryptoProvider();

  it("agree with each other and with OpenSSL, for stored secrets of one block; refuse other key lengths", async () => {
    for (const length of [0, 1, 100, 4096]) {
      const secret = noble.generateSeed(algorithm);
      expect(secret.length).toBe(spec.secretLength);
      const message = crypto.getRandomValues(new Uint8Array(length));
      const [a, b] = [await noble.importMacKey(algorithm, secret), await webcrypto.importMacKey(algorithm, secret)];
      const tag = await noble.mac(a, message);
      expect(toHex(await webcrypto.mac(b, message))).toBe(toHex(tag));
      expect(toHex(tag)).toBe(createHmac(spec.hash.replace("-", "").toLowerCase(), secret).update(message).digest("hex"));
      for (const [provider, handle] of [[noble, a], [webcrypto, b]] as const) {
        expect(await provider.verifyMac(handle, message, tag)).toBe(true);
        // A correct but truncated tag, a longer one, a flipped bit: all false, none an error.
        expect(await provider.verifyMac(handle, message, tag.subarray(0, spec.tagLength / 2))).toBe(false);
        expect(await provider.verifyMac(handle, message, new Uint8Array([...tag, 0]))).toBe(false);
        const flipped = tag.slice();
        flipped[spec.tagLength - 1] = (flipped[spec.tagLength - 1] as number) ^ 0x80;
        expect(await provider.verifyMac(handle, message, flipped)).toBe(false);
      }
    }
    await expect(noble.importMacKey(algorithm, new Uint8Array(spec.tagLength))).rejects.toThrow(`must be ${spec.secretLength} bytes`);
    await expect(webcrypto.importMacKey(algorithm, new Uint8Array(spec.secretLength + 1))).rejects.toThrow(`must be ${spec.secretLength} bytes`);
  });

  it("refuse each other's handles, and destroyed ones", async () => {
    const secret = noble.generateSeed(algorithm);
    const a = await noble.importMacKey(algorithm, secret);
    await expect(webcrypto.mac(a, new Uint8Array(1))).rejects.toThrow("not created by this provider");
    a.destroy();
    expect(a.usable).toBe(false);
    await expect(noble.mac(a, new Uint8Array(1))).rejects.toThrow("destroyed");
    expect(JSON.stringify(a)).toBe(JSON.stringify({ algorithm }));
  });
});
