/**
 * Public key formats against published examples: the RFC 9935 / RFC 9881 example keys (LAMPS
 * repositories), Wycheproof's DER public keys, and RFC 7638 thumbprints recomputed independently.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ALGORITHMS, type AlgorithmName, type SignatureAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { fromBase64 } from "../../../workers/kms/src/crypto/bytes.ts";
import { NobleProvider } from "../../../workers/kms/src/crypto/noble-provider.ts";
import { decodeSpki, encodeJwk, encodePem, encodeSpki, formatPublicKey } from "../../../workers/kms/src/crypto/public-key-formats.ts";
import { hex, readJsonVector, readVector, toHex } from "./vectors.ts";

const provider = new NobleProvider();

function pemBody(pem: string): Uint8Array {
  const body = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
  const der = fromBase64(body);
  if (der === undefined) throw new Error("bad PEM");
  return der;
}

/**
 * The seed from a seed-only PKCS#8 example (RFC 9935 §6 / RFC 9881 §6): the privateKey OCTET STRING
 * holds the CHOICE `seed [0] IMPLICIT OCTET STRING`, i.e. tag 0x80, length, seed, at the very end.
 */
function seedFromPkcs8(der: Uint8Array, seedLength: number): Uint8Array {
  const start = der.length - seedLength;
  expect([der[start - 2], der[start - 1]]).toEqual([0x80, seedLength]);
  return der.slice(start);
}

describe("RFC 9935 / RFC 9881 example keys", () => {
  it.each([
    ["ML-KEM-768", "lamps/ML-KEM-768"],
    ["ML-DSA-65", "lamps/ML-DSA-65"],
  ] as const)("%s: the public key derived from the example seed gives the example SPKI and PEM", async (algorithm, file) => {
    const seed = seedFromPkcs8(pemBody(readVector(`${file}-seed.priv`)), ALGORITHMS[algorithm].seedLength);
    const { publicKey } = await provider.deriveKeyPair(algorithm, seed);
    const examplePem = readVector(`${file}.pub`);
    expect(toHex(encodeSpki(algorithm, publicKey))).toBe(toHex(pemBody(examplePem)));
    expect(encodePem(algorithm, publicKey)).toBe(examplePem);
    expect(decodeSpki(pemBody(examplePem))).toEqual({ ok: true, value: { algorithm, publicKey } });
  });
});

describe("Wycheproof ML-DSA publicKeyDer", () => {
  interface Group {
    readonly publicKey: string;
    readonly publicKeyDer: string;
  }
  it.each([
    [44, "ML-DSA-44"],
    [65, "ML-DSA-65"],
    [87, "ML-DSA-87"],
  ] as const)("ML-DSA-%i: our SPKI equals every well-formed publicKeyDer", (size, algorithm: SignatureAlgorithmName) => {
    const file = readJsonVector<{ testGroups: Group[] }>(`wycheproof/mldsa_${size}_verify_test.json`);
    const groups = file.testGroups.filter((g) => g.publicKey.length / 2 === ALGORITHMS[algorithm].publicKeyLength);
    expect(groups.length).toBeGreaterThan(10);
    for (const group of groups) expect(toHex(encodeSpki(algorithm, hex(group.publicKey)))).toBe(group.publicKeyDer);
  });
});

describe("SPKI decoding is strict", async () => {
  const { publicKey } = await provider.deriveKeyPair("ML-KEM-512", new Uint8Array(64));
  const der = encodeSpki("ML-KEM-512", publicKey);

  it("accepts exactly what it encodes", () => {
    expect(decodeSpki(der)).toEqual({ ok: true, value: { algorithm: "ML-KEM-512", publicKey } });
    // The offsets the cases below rely on: OID 2.16.840.1.101.3.4.4.1 ends at byte 16, BIT STRING at 17.
    expect(toHex(der.subarray(0, 22))).toBe("30820332300b060960864801650304040103820321" + "00");
  });

  it.each([
    ["truncated", der.subarray(0, der.length - 1)],
    ["trailing byte", Uint8Array.from([...der, 0])],
    ["OID changed to ML-KEM-768's", Uint8Array.from(der).map((b, i) => (i === 16 ? 0x02 : b))],
    ["parameters NULL present", Uint8Array.from([0x30, 0x82, 0x03, 0x34, 0x30, 0x0d, ...der.subarray(6, 17), 0x05, 0x00, ...der.subarray(17)])],
    ["empty", new Uint8Array(0)],
  ])("rejects %s", (_name, bytes) => {
    expect(decodeSpki(bytes)).toEqual({ ok: false, reason: "unrecognised_spki" });
  });
});

describe("JWK (kty AKP) with RFC 7638 thumbprint", () => {
  const algorithms: readonly AlgorithmName[] = ["ML-KEM-512", "ML-KEM-768", "ML-KEM-1024", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87"];

  it.each(algorithms)("%s: kid is base64url(SHA-256) of the members alg, kty, pub in order", async (algorithm) => {
    const { publicKey } = await provider.deriveKeyPair(algorithm, provider.generateSeed(algorithm));
    const jwk = await encodeJwk(algorithm, publicKey);
    expect(Object.keys(jwk).sort()).toEqual(["alg", "kid", "kty", "pub"]);
    expect(jwk.kty).toBe("AKP");
    expect(jwk.alg).toBe(algorithm);
    expect(Buffer.from(jwk.pub, "base64url")).toEqual(Buffer.from(publicKey));
    expect(jwk.pub).not.toMatch(/[=+/]/);
    // RFC 7638 §3.3: lexicographic member order, no whitespace, UTF-8, SHA-256, base64url.
    const canonical = JSON.stringify({ alg: jwk.alg, kty: jwk.kty, pub: jwk.pub });
    expect(jwk.kid).toBe(createHash("sha256").update(canonical, "utf8").digest("base64url"));
  });

  it("changes when the key changes", async () => {
    const a = await provider.deriveKeyPair("ML-DSA-44", new Uint8Array(32).fill(1));
    const b = await provider.deriveKeyPair("ML-DSA-44", new Uint8Array(32).fill(2));
    expect((await encodeJwk("ML-DSA-44", a.publicKey)).kid).not.toBe((await encodeJwk("ML-DSA-44", b.publicKey)).kid);
  });
});

describe("formatPublicKey (the API's public_key field)", async () => {
  const { publicKey } = await provider.deriveKeyPair("ML-DSA-65", new Uint8Array(32).fill(9));

  it("gives base64 for raw and spki, PEM text, and a JWK object", async () => {
    expect(await formatPublicKey("ML-DSA-65", publicKey, "raw")).toBe(Buffer.from(publicKey).toString("base64"));
    expect(await formatPublicKey("ML-DSA-65", publicKey, "spki")).toBe(Buffer.from(encodeSpki("ML-DSA-65", publicKey)).toString("base64"));
    expect(await formatPublicKey("ML-DSA-65", publicKey, "pem")).toBe(encodePem("ML-DSA-65", publicKey));
    expect(await formatPublicKey("ML-DSA-65", publicKey, "jwk")).toEqual(await encodeJwk("ML-DSA-65", publicKey));
  });

  it("rejects a public key of the wrong length and unknown formats", async () => {
    await expect(formatPublicKey("ML-DSA-65", publicKey.subarray(1), "raw")).rejects.toThrow("format public key: public key must be 1952 bytes");
    expect(() => encodeSpki("ML-DSA-44", publicKey)).toThrow("encode spki: public key must be 1312 bytes");
    // @ts-expect-error: an unchecked format string from outside
    await expect(formatPublicKey("ML-DSA-65", publicKey, "der")).rejects.toThrow("unknown format");
  });
});
