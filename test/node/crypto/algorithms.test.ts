/**
 * The algorithm catalog against architecture §7 and the standards' parameter tables (FIPS 203 Table 3,
 * FIPS 204 Table 2, FIPS 205 Table 2, X-Wing §5.1, composite draft -19 §4/§6), against OpenSSL's key
 * sizes as an independent source, and against the gateway's list of names.
 */
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  aeadAlgorithmForEnvelopeId,
  ALGORITHM_NAMES,
  ALGORITHMS,
  getAlgorithm,
  hasPublicKey,
  isAlgorithmName,
  kemAlgorithmForHpkeKemId,
  type AlgorithmName,
} from "../../../workers/kms/src/crypto/algorithms.ts";
import { KEY_ALGORITHMS } from "../../../workers/shared/algorithms.ts";

const KEM_OPERATIONS = ["encrypt", "decrypt", "rewrap", "encapsulate", "decapsulate", "datakey"];

describe("algorithm catalog", () => {
  it("lists the algorithms of this release", () => {
    expect(ALGORITHM_NAMES).toEqual([
      "ML-KEM-512",
      "ML-KEM-768",
      "ML-KEM-1024",
      "X-Wing",
      "ML-DSA-44",
      "ML-DSA-65",
      "ML-DSA-87",
      "Composite-ML-DSA-65-P256",
      "SLH-DSA-SHA2-128s",
      "SLH-DSA-SHA2-128f",
      "AES-256-GCM",
      "ChaCha20-Poly1305",
      "HMAC-SHA-256",
      "HMAC-SHA-384",
      "HMAC-SHA-512",
    ]);
  });

  it("matches the gateway's KEY_ALGORITHMS, name for name and purpose for purpose", () => {
    expect(Object.fromEntries(ALGORITHM_NAMES.map((name) => [name, ALGORITHMS[name].purpose]))).toEqual(KEY_ALGORITHMS);
  });

  it.each([
    ["ML-KEM-512", 64, 800, 768, [0x0040, 0x0001, 0x0002], "2.16.840.1.101.3.4.4.1", "ML-KEM-512"],
    ["ML-KEM-768", 64, 1184, 1088, [0x0041, 0x0001, 0x0002], "2.16.840.1.101.3.4.4.2", "ML-KEM-768"],
    ["ML-KEM-1024", 64, 1568, 1568, [0x0042, 0x0002, 0x0002], "2.16.840.1.101.3.4.4.3", "ML-KEM-1024"],
    ["X-Wing", 32, 1216, 1120, [0x647a, 0x0001, 0x0002], "1.3.6.1.4.1.62253.25722", null],
  ] as const)("%s: sizes, HPKE suite (architecture §7), SPKI OID, JWK alg", (name, secretLength, publicKeyLength, ciphertextLength, [kemId, kdfId, aeadId], oid, jwkAlg) => {
    const spec = getAlgorithm(name);
    expect(spec).toMatchObject({ kind: "kem", purpose: "encrypt", secretLength, publicKeyLength, ciphertextLength, sharedSecretLength: 32, spkiOid: oid, jwkAlg });
    expect(spec.hpke).toEqual({ kemId, kdfId, aeadId });
    expect(kemAlgorithmForHpkeKemId(kemId)).toBe(spec);
    expect(spec.operations).toEqual(KEM_OPERATIONS);
  });

  it.each([
    ["ML-DSA-44", 32, 1312, 2420, 2420, 64, "2.16.840.1.101.3.4.3.17", "ML-DSA-44"],
    ["ML-DSA-65", 32, 1952, 3309, 3309, 64, "2.16.840.1.101.3.4.3.18", "ML-DSA-65"],
    ["ML-DSA-87", 32, 2592, 4627, 4627, 64, "2.16.840.1.101.3.4.3.19", "ML-DSA-87"],
    // Composite draft -19 §4: 1952 + 65 public key; 3309 + DER ECDSA (8..72 bytes) signature.
    ["Composite-ML-DSA-65-P256", 64, 2017, 3317, 3381, null, "1.3.6.1.5.5.7.6.45", null],
    // FIPS 205 Table 2, n = 16: pk 2n, sk 4n, signature (1 + k(1+a) + h + d·len)·n.
    ["SLH-DSA-SHA2-128s", 64, 32, 7856, 7856, null, "2.16.840.1.101.3.4.3.20", "SLH-DSA-SHA2-128s"],
    ["SLH-DSA-SHA2-128f", 64, 32, 17088, 17088, null, "2.16.840.1.101.3.4.3.21", "SLH-DSA-SHA2-128f"],
  ] as const)("%s: sizes, OID, JWK alg", (name, secretLength, publicKeyLength, minSignatureLength, signatureLength, muLength, oid, jwkAlg) => {
    const spec = getAlgorithm(name);
    expect(spec).toMatchObject({ kind: "signature", purpose: "sign", secretLength, publicKeyLength, minSignatureLength, signatureLength, maxContextLength: 255, muLength, spkiOid: oid, jwkAlg });
    expect(spec.operations).toEqual(["sign", "verify"]);
  });

  it.each([
    ["AES-256-GCM", 0x0001, 0x0002],
    ["ChaCha20-Poly1305", 0x0002, 0x0003],
  ] as const)("%s: 32-byte key, 96-bit nonce, 128-bit tag, envelope alg_id %i, no public key", (name, envelopeAlgId, hpkeAeadId) => {
    const spec = getAlgorithm(name);
    expect(spec).toMatchObject({ kind: "aead", purpose: "encrypt", secretLength: 32, nonceLength: 12, tagLength: 16, envelopeAlgId, hpkeAeadId });
    expect(spec.operations).toEqual(["encrypt", "decrypt", "rewrap", "datakey"]);
    expect(hasPublicKey(spec)).toBe(false);
    expect(aeadAlgorithmForEnvelopeId(envelopeAlgId)).toBe(spec);
  });

  it.each([
    ["HMAC-SHA-256", "SHA-256", 64, 32],
    ["HMAC-SHA-384", "SHA-384", 128, 48],
    ["HMAC-SHA-512", "SHA-512", 128, 64],
  ] as const)("%s: %s, a key of one hash block (%i bytes), full-length %i-byte tags, no public key", (name, hash, secretLength, tagLength) => {
    const spec = getAlgorithm(name);
    expect(spec).toMatchObject({ kind: "mac", purpose: "mac", hash, secretLength, tagLength });
    expect(spec.operations).toEqual(["mac", "verify-mac"]);
    expect(hasPublicKey(spec)).toBe(false);
  });

  const inOpenSsl: readonly AlgorithmName[] = ALGORITHM_NAMES.filter((name) => /^(ML-KEM|ML-DSA|SLH-DSA)-/.test(name));
  it.each(inOpenSsl)("%s: public key length agrees with OpenSSL", (name) => {
    // generateKeyPairSync's overloads want a literal type; the name comes from our table.
    const generate = crypto.generateKeyPairSync as (type: string) => { publicKey: crypto.KeyObject };
    const { publicKey } = generate(name.toLowerCase());
    const raw = String(publicKey.export({ format: "jwk" }).pub);
    const spec = ALGORITHMS[name];
    expect(hasPublicKey(spec) && Buffer.from(raw, "base64url").length).toBe(hasPublicKey(spec) && spec.publicKeyLength);
  });

  it("recognises only catalog names", () => {
    expect(isAlgorithmName("ML-KEM-768")).toBe(true);
    expect(isAlgorithmName("X-Wing")).toBe(true);
    for (const value of ["ml-kem-768", "ML-KEM", "x-wing", "AES-128-GCM", "toString", "__proto__", "", 768, null, undefined]) expect(isAlgorithmName(value)).toBe(false);
    expect(kemAlgorithmForHpkeKemId(0x0020)).toBeUndefined();
    expect(aeadAlgorithmForEnvelopeId(0x0003)).toBeUndefined();
  });
});
