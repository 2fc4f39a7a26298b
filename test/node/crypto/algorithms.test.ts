/**
 * The algorithm catalog against DESIGN §7 and the standards' parameter tables (FIPS 203 Table 3,
 * FIPS 204 Table 2), and against OpenSSL's key sizes as an independent source.
 */
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { ALGORITHM_NAMES, ALGORITHMS, getAlgorithm, isAlgorithmName, kemAlgorithmForHpkeKemId } from "../../../workers/kms/src/crypto/algorithms.ts";

describe("algorithm catalog", () => {
  it("lists the algorithms of this release", () => {
    expect(ALGORITHM_NAMES).toEqual(["ML-KEM-512", "ML-KEM-768", "ML-KEM-1024", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87"]);
  });

  it.each([
    ["ML-KEM-512", 800, 768, [0x0040, 0x0001, 0x0002], "2.16.840.1.101.3.4.4.1"],
    ["ML-KEM-768", 1184, 1088, [0x0041, 0x0001, 0x0002], "2.16.840.1.101.3.4.4.2"],
    ["ML-KEM-1024", 1568, 1568, [0x0042, 0x0002, 0x0002], "2.16.840.1.101.3.4.4.3"],
  ] as const)("%s: sizes, HPKE suite (DESIGN §7), RFC 9935 OID", (name, publicKeyLength, ciphertextLength, [kemId, kdfId, aeadId], oid) => {
    const spec = getAlgorithm(name);
    expect(spec).toMatchObject({ kind: "kem", purpose: "encrypt", seedLength: 64, publicKeyLength, ciphertextLength, sharedSecretLength: 32, spkiOid: oid, jwkAlg: name });
    expect(spec.hpke).toEqual({ kemId, kdfId, aeadId });
    expect(kemAlgorithmForHpkeKemId(kemId)).toBe(spec);
    expect(spec.operations).toContain("decapsulate");
    expect(spec.operations).not.toContain("sign");
  });

  it.each([
    ["ML-DSA-44", 1312, 2420, "2.16.840.1.101.3.4.3.17"],
    ["ML-DSA-65", 1952, 3309, "2.16.840.1.101.3.4.3.18"],
    ["ML-DSA-87", 2592, 4627, "2.16.840.1.101.3.4.3.19"],
  ] as const)("%s: sizes, RFC 9881 OID", (name, publicKeyLength, signatureLength, oid) => {
    const spec = getAlgorithm(name);
    expect(spec).toMatchObject({ kind: "signature", purpose: "sign", seedLength: 32, publicKeyLength, signatureLength, maxContextLength: 255, muLength: 64, spkiOid: oid });
    expect(spec.operations).toEqual(["sign", "verify"]);
  });

  it.each(ALGORITHM_NAMES)("%s: public key length agrees with OpenSSL", (name) => {
    // generateKeyPairSync's overloads want a literal type; the name comes from our table.
    const generate = crypto.generateKeyPairSync as (type: string) => { publicKey: crypto.KeyObject };
    const { publicKey } = generate(name.toLowerCase());
    const raw = String(publicKey.export({ format: "jwk" }).pub);
    expect(Buffer.from(raw, "base64url").length).toBe(ALGORITHMS[name].publicKeyLength);
  });

  it("recognises only catalog names", () => {
    expect(isAlgorithmName("ML-KEM-768")).toBe(true);
    for (const value of ["ml-kem-768", "ML-KEM", "toString", "__proto__", "", 768, null, undefined]) expect(isAlgorithmName(value)).toBe(false);
    expect(kemAlgorithmForHpkeKemId(0x0020)).toBeUndefined();
  });
});
