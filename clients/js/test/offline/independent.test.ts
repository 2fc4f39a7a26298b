/**
 * The offline functions against implementations that share no code with pqkms: @hpke/core with
 * @hpke/ml-kem and @hpke/hybridkem-x-wing open what `seal` and `sealImportMaterial` write (the
 * architecture §7 header built here from the contract alone), and OpenSSL 3.5 (node:crypto in
 * Node 24) makes ML-DSA and SLH-DSA keys in SPKI, PEM and JWK form and signatures that `verify`
 * judges exactly as OpenSSL does, context included.
 */
import crypto from "node:crypto";
import { Aes256Gcm, CipherSuite, HkdfSha256, HkdfSha384 } from "@hpke/core";
import { XWing } from "@hpke/hybridkem-x-wing";
import { MlKem1024, MlKem512, MlKem768 } from "@hpke/ml-kem";
import { describe, expect, it } from "vitest";
import { parsePublicKey, seal, sealImportMaterial, verify } from "../../src/index.ts";

/** architecture §7 suites (KEM ids per draft-ietf-hpke-pq) and each KEM's enc length (FIPS 203 Table 3, X-Wing §5). */
const KEMS = {
  "ML-KEM-512": { suite: () => new CipherSuite({ kem: new MlKem512(), kdf: new HkdfSha256(), aead: new Aes256Gcm() }), ids: [0x0040, 0x0001, 0x0002], enc: 768 },
  "ML-KEM-768": { suite: () => new CipherSuite({ kem: new MlKem768(), kdf: new HkdfSha256(), aead: new Aes256Gcm() }), ids: [0x0041, 0x0001, 0x0002], enc: 1088 },
  "ML-KEM-1024": { suite: () => new CipherSuite({ kem: new MlKem1024(), kdf: new HkdfSha384(), aead: new Aes256Gcm() }), ids: [0x0042, 0x0002, 0x0002], enc: 1568 },
  "X-Wing": { suite: () => new CipherSuite({ kem: new XWing(), kdf: new HkdfSha256(), aead: new Aes256Gcm() }), ids: [0x647a, 0x0001, 0x0002], enc: 1120 },
} as const;
type Kem = keyof typeof KEMS;

const KEY_ID = "0b7e5a53-6f0c-4d8e-9a51-2f4c1d9e7b30";
const plaintext = new TextEncoder().encode("sealed offline, opened by @hpke/core");
const aad = new TextEncoder().encode("order:4711");

/** "PQK" 0x01 | 0x01 | key id | version u32 | kem u16 | kdf u16 | aead u16, big-endian (architecture §7). */
function header(keyId: string, version: number, [kem, kdf, aead]: readonly number[]): Buffer {
  const out = Buffer.alloc(31);
  out.write("PQK", 0, "ascii");
  out[3] = 0x01;
  out[4] = 0x01;
  Buffer.from(keyId.replaceAll("-", ""), "hex").copy(out, 5);
  out.writeUInt32BE(version, 21);
  out.writeUInt16BE(kem ?? 0, 25);
  out.writeUInt16BE(kdf ?? 0, 27);
  out.writeUInt16BE(aead ?? 0, 29);
  return out;
}

async function recipient(algorithm: Kem) {
  const suite = KEMS[algorithm].suite();
  const pair = await suite.kem.generateKeyPair();
  const raw = new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey));
  return { suite, privateKey: pair.privateKey, raw };
}

describe.each(Object.keys(KEMS) as Kem[])("%s: @hpke/core opens what seal writes", (algorithm) => {
  const spec = KEMS[algorithm];

  it("the bytes are the architecture §7 envelope: header (= info) ‖ enc ‖ ct, aad bound", async () => {
    const { suite, privateKey, raw } = await recipient(algorithm);
    const envelope = await seal({ algorithm, raw, keyId: KEY_ID, version: 7 }, plaintext, { aad });
    const expectedHeader = header(KEY_ID, 7, spec.ids);
    expect(Buffer.from(envelope.subarray(0, 31)).equals(expectedHeader)).toBe(true);
    expect(envelope.length).toBe(31 + spec.enc + plaintext.length + 16);
    const enc = envelope.slice(31, 31 + spec.enc);
    const ct = envelope.slice(31 + spec.enc);
    const opened = await suite.open({ recipientKey: privateKey, enc, info: expectedHeader }, ct, aad);
    expect(new Uint8Array(opened)).toEqual(plaintext);
    await expect(suite.open({ recipientKey: privateKey, enc, info: expectedHeader }, ct, new TextEncoder().encode("order:4712"))).rejects.toThrow();
    await expect(suite.open({ recipientKey: privateKey, enc, info: header(KEY_ID, 8, spec.ids) }, ct, aad)).rejects.toThrow();
  });

  it("without aad, the aad is empty", async () => {
    const { suite, privateKey, raw } = await recipient(algorithm);
    const envelope = await seal({ algorithm, raw }, plaintext, { keyId: KEY_ID, version: 1 });
    const enc = envelope.slice(31, 31 + spec.enc);
    const opened = await suite.open({ recipientKey: privateKey, enc, info: header(KEY_ID, 1, spec.ids) }, envelope.slice(31 + spec.enc), new Uint8Array(0));
    expect(new Uint8Array(opened)).toEqual(plaintext);
  });
});

describe.each(["ML-KEM-768", "X-Wing"] as const)("sealImportMaterial to an %s import job", (algorithm) => {
  const JOB_ID = "5d1c8f3e-2b7a-4c9d-8e6f-0a1b2c3d4e5f";
  const info = Buffer.concat([Buffer.from("pqkms import v1", "ascii"), Buffer.from(JOB_ID.replaceAll("-", ""), "hex")]);

  it("is enc ‖ ct of RFC 9180 base mode: info = label ‖ job id bytes, aad = the target algorithm's name", async () => {
    const { suite, privateKey, raw } = await recipient(algorithm);
    const material = crypto.getRandomValues(new Uint8Array(32));
    const wrapped = await sealImportMaterial({ algorithm, raw }, { jobId: JOB_ID, algorithm: "ML-DSA-65", material });
    const enc = wrapped.slice(0, KEMS[algorithm].enc);
    const ct = wrapped.slice(KEMS[algorithm].enc);
    expect(ct.length).toBe(32 + 16);
    const opened = await suite.open({ recipientKey: privateKey, enc, info }, ct, new TextEncoder().encode("ML-DSA-65"));
    expect(new Uint8Array(opened)).toEqual(material);
    // Bound to the target algorithm and to the job.
    await expect(suite.open({ recipientKey: privateKey, enc, info }, ct, new TextEncoder().encode("ML-DSA-44"))).rejects.toThrow();
    const otherJob = Buffer.from(info);
    otherJob[otherJob.length - 1]! ^= 1;
    await expect(suite.open({ recipientKey: privateKey, enc, info: otherJob }, ct, new TextEncoder().encode("ML-DSA-65"))).rejects.toThrow();
  });
});

it("sealImportMaterial takes the import job's own answer: its id and its SPKI", async () => {
  const JOB_ID = "5d1c8f3e-2b7a-4c9d-8e6f-0a1b2c3d4e5f";
  const { suite, privateKey, raw } = await recipient("ML-KEM-768");
  // OpenSSL's ML-KEM-768 SPKI prefix (RFC 9935) around @hpke's public key.
  const opensslSpki = crypto.generateKeyPairSync("ml-kem-768").publicKey.export({ type: "spki", format: "der" });
  const spki = Buffer.concat([opensslSpki.subarray(0, opensslSpki.length - raw.length), raw]);
  const job = { id: JOB_ID, wrapping_algorithm: "ML-KEM-768", public_key: { raw: Buffer.from(raw).toString("base64"), spki: spki.toString("base64"), pem: "", jwk: null } };
  const material = crypto.getRandomValues(new Uint8Array(64));
  const wrapped = await sealImportMaterial(job, { algorithm: "ML-KEM-1024", material });
  const info = Buffer.concat([Buffer.from("pqkms import v1", "ascii"), Buffer.from(JOB_ID.replaceAll("-", ""), "hex")]);
  const opened = await suite.open({ recipientKey: privateKey, enc: wrapped.slice(0, 1088), info }, wrapped.slice(1088), new TextEncoder().encode("ML-KEM-1024"));
  expect(new Uint8Array(opened)).toEqual(material);
});

/** OpenSSL's names for the catalog's signature algorithms it has. */
const OPENSSL_SIGNERS = {
  "ML-DSA-44": "ml-dsa-44",
  "ML-DSA-65": "ml-dsa-65",
  "ML-DSA-87": "ml-dsa-87",
  "SLH-DSA-SHA2-128s": "slh-dsa-sha2-128s",
  "SLH-DSA-SHA2-128f": "slh-dsa-sha2-128f",
} as const;

describe.each(Object.entries(OPENSSL_SIGNERS))("%s: verify agrees with OpenSSL 3.5", (algorithm, opensslName) => {
  // One key pair and one signature per algorithm: SLH-DSA-128s signing takes a while.
  const { publicKey, privateKey } = crypto.generateKeyPairSync(opensslName as "ml-dsa-44");
  const message = new TextEncoder().encode(`signed by OpenSSL with ${algorithm}`);
  const context = new TextEncoder().encode("invoice-v2");
  const signature = new Uint8Array(crypto.sign(null, message, { key: privateKey, context }));
  const spki = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const jwk = publicKey.export({ format: "jwk" }) as Record<string, unknown>;

  it("OpenSSL's SPKI, PEM and JWK parse to the same raw key and algorithm", () => {
    const fromSpki = parsePublicKey(spki);
    expect(fromSpki.algorithm).toBe(algorithm);
    expect(Buffer.from(fromSpki.raw).toString("base64url")).toBe(jwk.pub);
    expect(parsePublicKey(pem)).toEqual(fromSpki);
    expect(parsePublicKey(jwk)).toEqual(fromSpki);
    expect(parsePublicKey(JSON.stringify(jwk))).toEqual(fromSpki);
  });

  it("valid with its context; changed message, signature or context is false for both", async () => {
    const openssl = (m: Uint8Array, s: Uint8Array, ctx: Uint8Array) => crypto.verify(null, m, { key: publicKey, context: ctx }, s);
    expect(openssl(message, signature, context)).toBe(true);
    expect(await verify(pem, message, signature, { context })).toBe(true);

    const otherMessage = Uint8Array.from(message);
    otherMessage[0]! ^= 1;
    const otherSignature = Uint8Array.from(signature);
    otherSignature[signature.length - 1]! ^= 1;
    const otherContext = new TextEncoder().encode("invoice-v3");
    for (const [m, s, ctx] of [
      [otherMessage, signature, context],
      [message, otherSignature, context],
      [message, signature, otherContext],
      [message, signature, new Uint8Array(0)],
    ] as const) {
      expect(openssl(m, s, ctx)).toBe(false);
      expect(await verify(spki, m, s, { context: ctx })).toBe(false);
    }
    expect(await verify(spki, message, signature)).toBe(false);
  });
});

describe("Composite-ML-DSA-65-P256: verify accepts a signature OpenSSL composes from its two parts", () => {
  // draft-ietf-lamps-pq-composite-sigs-19 §3.2: M' = Prefix ‖ Label ‖ len(ctx) ‖ ctx ‖ SHA-512(M);
  // signature = ML-DSA-65.Sign(M', ctx = Label) ‖ DER ECDSA-P256-SHA256(M'); public key = pk_M ‖ X9.62 point.
  const LABEL = Buffer.from("COMPSIG-MLDSA65-ECDSA-P256-SHA512");
  const mlDsa = crypto.generateKeyPairSync("ml-dsa-65");
  const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const point = ec.publicKey.export({ format: "jwk" });
  const raw = Buffer.concat([
    mlDsa.publicKey.export({ format: "raw-public" }),
    Buffer.from([0x04]),
    Buffer.from(point.x ?? "", "base64url"),
    Buffer.from(point.y ?? "", "base64url"),
  ]);
  const key = { algorithm: "Composite-ML-DSA-65-P256", raw: new Uint8Array(raw) };
  const message = new TextEncoder().encode("signed by OpenSSL, part by part");
  const context = new TextEncoder().encode("invoice-v2");

  function compositeSign(m: Uint8Array, ctx: Uint8Array): Uint8Array {
    const representative = Buffer.concat([Buffer.from("CompositeAlgorithmSignatures2025"), LABEL, Buffer.from([ctx.length]), ctx, crypto.createHash("sha512").update(m).digest()]);
    return Buffer.concat([crypto.sign(null, representative, { key: mlDsa.privateKey, context: LABEL }), crypto.sign("sha256", representative, ec.privateKey)]);
  }

  it("valid with its context, false with another context or message, or with either part from another message", async () => {
    const signature = compositeSign(message, context);
    expect(raw.length).toBe(1952 + 65);
    expect(await verify(key, message, signature, { context })).toBe(true);
    expect(await verify(key, message, signature)).toBe(false);
    expect(await verify(key, new TextEncoder().encode("another"), signature, { context })).toBe(false);
    const other = compositeSign(new TextEncoder().encode("another"), context);
    expect(await verify(key, message, Buffer.concat([signature.subarray(0, 3309), other.subarray(3309)]), { context })).toBe(false);
    expect(await verify(key, message, Buffer.concat([other.subarray(0, 3309), signature.subarray(3309)]), { context })).toBe(false);
  });
});
