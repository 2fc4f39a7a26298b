/**
 * Public key formats against published examples: the RFC 9935 / RFC 9881 example keys (LAMPS
 * repositories), the X-Wing draft's Appendix D key, Wycheproof's DER public keys, RFC 7638
 * thumbprints recomputed independently, and the formats no specification defines, which are refused
 * with `unsupported_operation`. The composite's SPKI is checked against the LAMPS certificate in
 * composite-ml-dsa.test.ts, SLH-DSA's against OpenSSL in slh-dsa.test.ts.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ALGORITHM_NAMES, ALGORITHMS, hasPublicKey, type AlgorithmName, type SignatureAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { fromBase64 } from "../../../workers/kms/src/crypto/bytes.ts";
import { NobleProvider } from "../../../workers/kms/src/crypto/noble-provider.ts";
import {
  decodeSpki,
  encodeJwk,
  encodePem,
  encodeSpki,
  formatPublicKey,
  publicKeyFormatResult,
  publicKeyFormats,
  UnsupportedPublicKeyFormatError,
} from "../../../workers/kms/src/crypto/public-key-formats.ts";
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
    const seed = seedFromPkcs8(pemBody(readVector(`${file}-seed.priv`)), ALGORITHMS[algorithm].secretLength);
    const { publicKey } = await provider.deriveKeyPair(algorithm, seed);
    const examplePem = readVector(`${file}.pub`);
    expect(toHex(encodeSpki(algorithm, publicKey))).toBe(toHex(pemBody(examplePem)));
    expect(encodePem(algorithm, publicKey)).toBe(examplePem);
    expect(decodeSpki(pemBody(examplePem))).toEqual({ ok: true, value: { algorithm, publicKey } });
  });
});

/** draft-connolly-cfrg-xwing-kem-10 Appendix D: the public key of the X-Wing key pair with private key 00 01 … 1f. */
const XWING_APPENDIX_D_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MIIE1DANBgsrBgEEAYPmLYHIegOCBMEAb1QJigoOZBFGYUtpYLpg2GA9YvRH+atJ
m0e9aQbMQLBh2GNKPoiQbyhJWOdEHKbHJcu5cJW3ZxpGK2aByeZYC7yNYLFJ+mAm
EEOvu6UvIFpgKDhIUVlq3zcavqmNM0c4PSu2c0OPZ4NhK/hwFPe5Gol0AmU0XfZ5
NARz0cTBdohuXim48Fi7fHNTFmhs/1w764wmHLAJcKacGvzFS5TLhuHOY7pjbjlc
pFEB4hx70EwxPqGa8kFB79KtREFqJbpPZZEO99iAnDCT8EqvAOPNluNcSqPIAsGK
1vOdpLS42YyL15Atg6B7pFOWZ0pgJDyrk+gP2bHId3N2qcwNb6EV4mOTgLnGvnhI
vRNYjGRwOgU10ZoPgWM6l2oKEFtm7ihdD9JV6CwDMZJfQ4O278dh72CZI1oLmHJj
WKqdAbi4llGfkhR0u3wUuyIlK1wvENQSRsmyPnZEhJNn9UGhX2O8koo5u3vHPwe2
ZcSWu2VYyPRUiacuxLrNNOnFlMM4cbcj8DSV6ItDkasm5DBD3rYRezkZ5FxMGxar
KOR93XI2Y4VHZhkvwYBspwq7eGy9swky5oyKNwvPsHmDoBLDJmuT76YmV/S4ODdM
sLuV4OwGVBsHZdmc8VO8a5YTXKeApVs2R3ieMZFeRig8+ce7boRT+2aCEFFB8dwN
ANhe7XA7bGyWH3nIRSdrQkiUnAZ4LlE+spkbldlgQuOMvto1JEmytQhOvaUiamIG
QAeJEwowlkSYSLYp/upKLCp0PEoN3Jyz89Z2/FY3MbJsShpm3IRZFwBW1XaX8UQ7
gamjRBK7e/BfMydXWlkR3TAdYFOGfzwwgHEfG/EVh7C7KYQnayaF53ViEOSz+JVT
hCMeVYxvUQyR4PxWtdGIX/KUnpWka8G+4fpx9QJ+EMRDsOkdD9dED0Z6JyISEuiP
XGumQpbK4NIHv8YPiMfPtcRaoYOdGMs3xFhD5UJqSpDIArZCj5U8NZxKwGA0UvrA
tzYeL9NdzIhakhRdT8oBWPG31wtLzRGOSipBVEON8xDESpobmepBWQcmeoiwYkJB
V5wXIvRu1hwuPspUXJlwUXF1OZuADbJdo5WT0GSQ1xQsAOiNLbBH6YmL23rLftkH
9uMEFswN5UokLAohJjAvXVTIW8Zqwvg8eXlFtQZ8qkK9LgwZypdQblB6sKXJ9WM3
CEmcGfJK7FE705A6XXO27EmR98cuuZHBw3iJgFyx6jigzAIXayfFjWOM5aMmaEV8
+bm+AnygIUBXlxcl1UEC6JlnFusq2CNFO2BbhVNwsbIbOTLN7UFgqplzx+uuWsR2
TZTPfMlQbwd7rXMBLbtKyBQKOHRkEuszyVFFliBfcHY1hiIX2bYJGMYmjZNEkVuE
eiR2waJw8VSlyEI0FlrPyGk5hwLOqemgfnsOmeqb3LeEH+nA+iXIM4CSVho+3dxw
AfR4rWV4GmAkqtFl2baXmtrESKRGL1ZGhVJ/diQ0/ppCWoRDe0VzkuyoDJE1BhUe
OhMjnzQvynZVtuquhFoiHOs+Z/VjnGGT9v3u9X45m4CLfzqitXQKre2QFj3F13XJ
+vfx+9B12rNE6dfRRmRygfu6ezxWyv1YM7epMOxCBufDptd2T+gdeg==
-----END PUBLIC KEY-----
`;

describe("X-Wing SPKI (draft-connolly-cfrg-xwing-kem-10 §5.8.1, id-XWing 1.3.6.1.4.1.62253.25722)", () => {
  it("the key from private key 00..1f gives Appendix D's PEM byte for byte, and decodes back", async () => {
    const { publicKey } = await provider.deriveKeyPair("X-Wing", Uint8Array.from({ length: 32 }, (_, i) => i));
    expect(encodePem("X-Wing", publicKey)).toBe(XWING_APPENDIX_D_PUBLIC_KEY);
    // SEQUENCE { SEQUENCE { OID 1.3.6.1.4.1.62253.25722 } (parameters absent), BIT STRING 0 unused bits ‖ pk }
    expect(toHex(encodeSpki("X-Wing", publicKey).subarray(0, 24))).toBe("308204d4" + "300d" + "060b2b0601040183e62d81c87a" + "038204c100");
    expect(decodeSpki(pemBody(XWING_APPENDIX_D_PUBLIC_KEY))).toEqual({ ok: true, value: { algorithm: "X-Wing", publicKey } });
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
    expect(decodeSpki(bytes)).toEqual({ ok: false, error: { code: "invalid_request", reason: "unrecognised_spki" } });
  });
});

describe("JWK (kty AKP) with RFC 7638 thumbprint", () => {
  const algorithms: readonly AlgorithmName[] = ["ML-KEM-512", "ML-KEM-768", "ML-KEM-1024", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87", "SLH-DSA-SHA2-128s", "SLH-DSA-SHA2-128f"];

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

describe("formats by algorithm, and the refusals the API turns into 400 unsupported_operation", () => {
  it("lists raw, spki, pem for every asymmetric algorithm, jwk only where a specification defines it", () => {
    expect(Object.fromEntries(ALGORITHM_NAMES.map((name) => [name, publicKeyFormats(name).join(",")]))).toEqual({
      "ML-KEM-512": "raw,spki,pem,jwk",
      "ML-KEM-768": "raw,spki,pem,jwk",
      "ML-KEM-1024": "raw,spki,pem,jwk",
      "X-Wing": "raw,spki,pem",
      "ML-DSA-44": "raw,spki,pem,jwk",
      "ML-DSA-65": "raw,spki,pem,jwk",
      "ML-DSA-87": "raw,spki,pem,jwk",
      "Composite-ML-DSA-65-P256": "raw,spki,pem",
      "SLH-DSA-SHA2-128s": "raw,spki,pem,jwk",
      "SLH-DSA-SHA2-128f": "raw,spki,pem,jwk",
      "AES-256-GCM": "",
      "ChaCha20-Poly1305": "",
      "HMAC-SHA-256": "",
      "HMAC-SHA-384": "",
      "HMAC-SHA-512": "",
    });
  });

  it.each(["X-Wing", "Composite-ML-DSA-65-P256"] as const)("%s: no standard JWK", async (algorithm) => {
    const { publicKey } = await provider.deriveKeyPair(algorithm, provider.generateSeed(algorithm));
    await expect(formatPublicKey(algorithm, publicKey, "jwk")).rejects.toThrow(UnsupportedPublicKeyFormatError);
    await expect(encodeJwk(algorithm, publicKey)).rejects.toThrow(`no standard JWK for ${algorithm}`);
    expect(await publicKeyFormatResult(algorithm, publicKey, "jwk")).toEqual({ ok: false, error: { code: "unsupported_operation", detail: `no standard JWK for ${algorithm}` } });
    expect(await publicKeyFormatResult(algorithm, publicKey, "spki")).toEqual({ ok: true, value: Buffer.from(encodeSpki(algorithm, publicKey)).toString("base64") });
  });

  it.each(["AES-256-GCM", "ChaCha20-Poly1305", "HMAC-SHA-256", "HMAC-SHA-384", "HMAC-SHA-512"] as const)("%s: no public key in any format", async (algorithm) => {
    for (const format of ["raw", "spki", "pem", "jwk"] as const) {
      const refused = await publicKeyFormatResult(algorithm, new Uint8Array(32), format);
      expect(refused).toEqual({ ok: false, error: { code: "unsupported_operation", detail: `${algorithm} keys are symmetric: there is no public key` } });
    }
    expect(() => encodeSpki(algorithm, new Uint8Array(32))).toThrow(UnsupportedPublicKeyFormatError);
  });

  it("decodeSpki recognises every asymmetric algorithm's SPKI", async () => {
    for (const name of ALGORITHM_NAMES.filter((n) => hasPublicKey(ALGORITHMS[n]) && n !== "SLH-DSA-SHA2-128s")) {
      const { publicKey } = await provider.deriveKeyPair(name, provider.generateSeed(name));
      expect(decodeSpki(encodeSpki(name, publicKey))).toEqual({ ok: true, value: { algorithm: name, publicKey } });
    }
  });
});
