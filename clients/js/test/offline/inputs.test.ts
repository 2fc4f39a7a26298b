/**
 * What the offline functions refuse, and how: every refusal is an `OfflineInputError` whose `code`
 * and `field` name what is wrong (an unknown OID by its dotted form, a signing key given to seal, a
 * wrong length with both lengths, a missing key id). Keys come from OpenSSL (node:crypto) and
 * @noble/post-quantum, so no pqkms code makes the inputs.
 */
import crypto from "node:crypto";
import { ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { describe, expect, it } from "vitest";
import { OfflineInputError, parsePublicKey, seal, sealImportMaterial, verify } from "../../src/index.ts";

const KEY_ID = "0b7e5a53-6f0c-4d8e-9a51-2f4c1d9e7b30";
const JOB_ID = "5d1c8f3e-2b7a-4c9d-8e6f-0a1b2c3d4e5f";
const kem = crypto.generateKeyPairSync("ml-kem-768");
const kemPem = kem.publicKey.export({ type: "spki", format: "pem" }).toString();
const kemRaw = ml_kem768.keygen().publicKey;
const dsa = crypto.generateKeyPairSync("ml-dsa-44");
const dsaPem = dsa.publicKey.export({ type: "spki", format: "pem" }).toString();
const bytes = (text: string) => new TextEncoder().encode(text);

/** Runs `work` and returns the OfflineInputError it throws (failing the test if it throws anything else). */
async function refusal(work: () => unknown): Promise<OfflineInputError> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(OfflineInputError);
    return error as OfflineInputError;
  }
  throw new Error("expected an OfflineInputError, got none");
}

async function expectRefusal(work: () => unknown, code: string, field: string, message: RegExp): Promise<void> {
  const error = await refusal(work);
  expect({ code: error.code, field: error.field }).toEqual({ code, field });
  expect(error.message).toMatch(message);
}

describe("parsePublicKey", () => {
  it("names an unknown SPKI OID, with what kind of key it is when known", async () => {
    const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "der" });
    await expectRefusal(() => parsePublicKey(new Uint8Array(ec)), "unknown_algorithm", "publicKey", /1\.2\.840\.10045\.2\.1 \(an EC key\)/);
    const ed = crypto.generateKeyPairSync("ed448").publicKey.export({ type: "spki", format: "pem" }).toString();
    await expectRefusal(() => parsePublicKey(ed), "unknown_algorithm", "publicKey", /OID 1\.3\.101\.113$/);
  });

  it("refuses private keys in PEM and JWK form", async () => {
    const pkcs8 = kem.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    await expectRefusal(() => parsePublicKey(pkcs8), "private_key", "publicKey", /PRIVATE KEY: give the public key only/);
    const privateJwk = dsa.privateKey.export({ format: "jwk" });
    await expectRefusal(() => parsePublicKey(privateJwk as Record<string, unknown>), "private_key", "publicKey", /private key/);
  });

  it("refuses a truncated SPKI, a wrong raw length and a JWK pub of the wrong length, with both lengths", async () => {
    const spki = new Uint8Array(kem.publicKey.export({ type: "spki", format: "der" }));
    await expectRefusal(() => parsePublicKey(spki.subarray(0, spki.length - 1)), "bad_spki", "publicKey", /SubjectPublicKeyInfo/);
    await expectRefusal(() => parsePublicKey({ algorithm: "ML-KEM-768", raw: kemRaw.subarray(1) }), "wrong_length", "publicKey.raw", /1184 bytes, got 1183/);
    const jwk = { kty: "AKP", alg: "ML-KEM-512", pub: Buffer.from(kemRaw).toString("base64url") };
    await expectRefusal(() => parsePublicKey(jwk), "wrong_length", "publicKey.pub", /800 bytes, got 1184/);
  });

  it("refuses unknown algorithms, non-AKP JWKs, symmetric algorithms and garbage", async () => {
    await expectRefusal(() => parsePublicKey({ kty: "AKP", alg: "X-Wing", pub: "AA" }), "unknown_algorithm", "publicKey.alg", /"X-Wing"/);
    await expectRefusal(() => parsePublicKey({ kty: "OKP", crv: "Ed25519", x: "AA" }), "bad_jwk", "publicKey.kty", /AKP/);
    await expectRefusal(() => parsePublicKey({ algorithm: "AES-256-GCM", raw: new Uint8Array(32) }), "wrong_key_type", "publicKey.algorithm", /symmetric/);
    await expectRefusal(() => parsePublicKey({ algorithm: "RSA-2048", raw: new Uint8Array(32) }), "unknown_algorithm", "publicKey.algorithm", /RSA-2048/);
    await expectRefusal(() => parsePublicKey("not a key"), "unrecognised_input", "publicKey", /neither PEM nor JSON/);
    await expectRefusal(() => parsePublicKey("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "bad_pem", "publicKey", /CERTIFICATE/);
  });

  it("takes the endpoint's answer, and refuses one whose key is not of the algorithm it names", async () => {
    const answer = { key_id: KEY_ID.toUpperCase(), version: 3, algorithm: "ML-KEM-768", format: "pem", public_key: kemPem };
    expect(parsePublicKey(answer)).toMatchObject({ algorithm: "ML-KEM-768", keyId: KEY_ID, version: 3 });
    await expectRefusal(() => parsePublicKey({ ...answer, public_key: dsaPem }), "unknown_algorithm", "publicKey.public_key", /ML-DSA-44 key, but the answer says ML-KEM-768/);
    await expectRefusal(() => parsePublicKey({ ...answer, version: 0 }), "bad_key_id", "publicKey.version", /1 to 2\^32-1/);
    await expectRefusal(() => parsePublicKey(answer, { version: 4 }), "bad_key_id", "options.version", /4 disagrees with the public key's 3/);
  });
});

describe("seal", () => {
  it("needs the key id and version when the key's form does not carry them", async () => {
    await expectRefusal(() => seal(kemPem, bytes("x")), "missing_key_id", "options.keyId", /pass the public-key endpoint's whole answer, or \{ keyId, version \}/);
    await expectRefusal(() => seal(kemPem, bytes("x"), { keyId: KEY_ID }), "missing_key_id", "options.version", /key id and version/);
    await expectRefusal(() => seal(kemPem, bytes("x"), { keyId: "key-1", version: 1 }), "bad_key_id", "options.keyId", /not a UUID/);
    expect((await seal(kemPem, bytes("x"), { keyId: KEY_ID, version: 1 })).length).toBe(31 + 1088 + 1 + 16);
  });

  it("refuses a signing key, and a KEM key that fails FIPS 203's modulus check", async () => {
    await expectRefusal(() => seal(dsaPem, bytes("x"), { keyId: KEY_ID, version: 1 }), "wrong_key_type", "publicKey", /ML-DSA-44 is a signing key/);
    const bad = new Uint8Array(1184).fill(0xff); // coefficients 4095 ≥ q = 3329
    await expectRefusal(() => seal({ algorithm: "ML-KEM-768", raw: bad, keyId: KEY_ID, version: 1 }, bytes("x")), "invalid_public_key", "publicKey", /modulus check/);
  });

  it("refuses a plaintext or aad that is not bytes", async () => {
    const key = { algorithm: "ML-KEM-768", raw: kemRaw, keyId: KEY_ID, version: 1 };
    await expectRefusal(() => seal(key, "text" as unknown as Uint8Array), "invalid_argument", "plaintext", /Uint8Array/);
    await expectRefusal(() => seal(key, bytes("x"), { aad: "text" as unknown as Uint8Array }), "invalid_argument", "options.aad", /Uint8Array/);
  });
});

describe("verify", () => {
  it("refuses a KEM key and a context over 255 bytes; a signature of the wrong length is just false", async () => {
    await expectRefusal(() => verify(kemPem, bytes("m"), new Uint8Array(2420)), "wrong_key_type", "publicKey", /ML-KEM-768 is an encryption key/);
    await expectRefusal(() => verify(dsaPem, bytes("m"), new Uint8Array(2420), { context: new Uint8Array(256) }), "invalid_argument", "options.context", /at most 255 bytes, got 256/);
    expect(await verify(dsaPem, bytes("m"), new Uint8Array(10))).toBe(false);
  });
});

describe("sealImportMaterial", () => {
  const job = { algorithm: "ML-KEM-768", raw: kemRaw };

  it("checks the job's KEM, the job id, the target algorithm and the material's length", async () => {
    const ml512 = crypto.generateKeyPairSync("ml-kem-512").publicKey.export({ type: "spki", format: "der" });
    await expectRefusal(() => sealImportMaterial(new Uint8Array(ml512), { jobId: JOB_ID, algorithm: "ML-DSA-65", material: new Uint8Array(32) }), "wrong_key_type", "jobPublicKey", /ML-KEM-768 or X-Wing, not ML-KEM-512/);
    await expectRefusal(() => sealImportMaterial(dsaPem, { jobId: JOB_ID, algorithm: "ML-DSA-65", material: new Uint8Array(32) }), "wrong_key_type", "jobPublicKey", /signing key/);
    await expectRefusal(() => sealImportMaterial(job, { jobId: "job-1", algorithm: "ML-DSA-65", material: new Uint8Array(32) }), "invalid_argument", "jobId", /not a UUID/);
    await expectRefusal(() => sealImportMaterial(job, { jobId: JOB_ID, algorithm: "ML-DSA-99", material: new Uint8Array(32) }), "unknown_algorithm", "algorithm", /ML-DSA-99/);
    await expectRefusal(() => sealImportMaterial(job, { jobId: JOB_ID, algorithm: "ML-KEM-768", material: new Uint8Array(32) }), "wrong_length", "material", /ML-KEM-768 key material is 64 bytes, got 32/);
    await expectRefusal(() => sealImportMaterial(job, { algorithm: "ML-KEM-768", material: new Uint8Array(64) }), "invalid_argument", "jobId", /not a UUID: undefined/);
    expect((await sealImportMaterial(job, { jobId: JOB_ID, algorithm: "ML-KEM-768", material: new Uint8Array(64) })).length).toBe(1088 + 64 + 16);
  });

  it("checks the job's answer: its SPKI must be of its wrapping algorithm, a given job id must be its id", async () => {
    const spki = Buffer.from(kem.publicKey.export({ type: "spki", format: "der" })).toString("base64");
    const answer = { id: JOB_ID, wrapping_algorithm: "X-Wing", public_key: { spki } };
    const options = { algorithm: "ML-DSA-65", material: new Uint8Array(32) };
    await expectRefusal(() => sealImportMaterial(answer, options), "unknown_algorithm", "jobPublicKey.public_key.spki", /ML-KEM-768 key, but the job says X-Wing/);
    const right = { ...answer, wrapping_algorithm: "ML-KEM-768" };
    await expectRefusal(() => sealImportMaterial(right, { ...options, jobId: KEY_ID }), "invalid_argument", "jobId", /disagrees with the job's id/);
    expect((await sealImportMaterial(right, { ...options, jobId: JOB_ID.toUpperCase() })).length).toBe(1088 + 32 + 16);
  });
});
