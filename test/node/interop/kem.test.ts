/**
 * ML-KEM through the public API, checked by independent implementations: OpenSSL 3.5 (node:crypto in
 * Node 24) imports our SPKI, PEM and JWK and encapsulates to them, and the vault decapsulates the same
 * secret; @hpke/core + @hpke/ml-kem seal envelopes built here from architecture §7 alone (not with our code)
 * and the vault decrypts them; our /encrypt output is parsed field by field; after rotation, envelopes
 * sealed to version 1's public key still decrypt.
 */
import crypto from "node:crypto";
import { Aes256Gcm, CipherSuite, HkdfSha256, HkdfSha384 } from "@hpke/core";
import { MlKem1024, MlKem512, MlKem768 } from "@hpke/ml-kem";
import { beforeAll, describe, expect, it } from "vitest";
import { b64, expectProblem, flipBit, hpkeEnvelopeHeader, HPKE_HEADER_BYTES, thumbprint, unb64, useTenant } from "./harness.ts";

/** FIPS 203 Table 3 sizes and the HPKE suites of architecture §7 (KEM ids per draft-ietf-hpke-pq). */
const KEMS = {
  "ML-KEM-512": { publicKey: 800, ciphertext: 768, kemId: 0x0040, kdfId: 0x0001, aeadId: 0x0002 },
  "ML-KEM-768": { publicKey: 1184, ciphertext: 1088, kemId: 0x0041, kdfId: 0x0001, aeadId: 0x0002 },
  "ML-KEM-1024": { publicKey: 1568, ciphertext: 1568, kemId: 0x0042, kdfId: 0x0002, aeadId: 0x0002 },
} as const;
type Kem = keyof typeof KEMS;
const plaintext = Buffer.from("sealed by @hpke/core, opened in the vault");
const aad = Buffer.from("order:4711");
const SHARED_SECRET_BYTES = 32;
const AEAD_TAG_BYTES = 16;
const HEADER_BYTES = HPKE_HEADER_BYTES;

const tenant = useTenant("kem-interop");

function hpkeSuite(algorithm: Kem): CipherSuite {
  const kem = { "ML-KEM-512": () => new MlKem512(), "ML-KEM-768": () => new MlKem768(), "ML-KEM-1024": () => new MlKem1024() }[algorithm]();
  const kdf = algorithm === "ML-KEM-1024" ? new HkdfSha384() : new HkdfSha256();
  return new CipherSuite({ kem, kdf, aead: new Aes256Gcm() });
}

const envelopeHeader = hpkeEnvelopeHeader;

/** An envelope sealed by @hpke/core to a raw public key: info = `info` (the header unless a test says otherwise). */
async function hpkeSeal(
  algorithm: Kem,
  rawPublicKey: Uint8Array,
  header: Buffer,
  options: { info?: Uint8Array; aad?: Uint8Array } = {},
): Promise<Buffer> {
  const suite = hpkeSuite(algorithm);
  const recipientPublicKey = await suite.kem.importKey("raw", new Uint8Array(rawPublicKey), true);
  const { enc, ct } = await suite.seal({ recipientPublicKey, info: options.info ?? header }, plaintext, options.aad ?? aad);
  return Buffer.concat([header, new Uint8Array(enc), new Uint8Array(ct)]);
}

const createKey = (algorithm: string) => tenant.createKey(algorithm, "encrypt");

const { publicKey, rawPublicKey } = tenant;

async function decapsulate(id: string, ciphertext: Uint8Array, version?: number) {
  return tenant.api.call<{ shared_secret: string; key_version: number }>("POST", `/v1/keys/${id}/decapsulate`, {
    auth: tenant.token,
    body: { ciphertext: b64(ciphertext), ...(version === undefined ? {} : { key_version: version }) },
  });
}

function decrypt(id: string, ciphertext: Uint8Array, withAad: Uint8Array = aad) {
  return tenant.api.request("POST", `/v1/keys/${id}/decrypt`, { auth: tenant.token, body: { ciphertext: b64(ciphertext), aad: b64(withAad) } });
}

async function expectDecrypted(id: string, envelope: Uint8Array, version: number): Promise<void> {
  const response = await decrypt(id, envelope);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  const body = JSON.parse(text) as { plaintext: string; key_version: number };
  expect(body.key_version).toBe(version);
  expect(Buffer.from(unb64(body.plaintext)).equals(plaintext)).toBe(true);
}

describe.each(Object.keys(KEMS) as Kem[])("%s through the public API", (algorithm) => {
  const spec = KEMS[algorithm];
  let id: string;

  beforeAll(async () => {
    id = await createKey(algorithm);
  });

  it("OpenSSL imports our SPKI, PEM and JWK as one and the same key, and its raw encoding is ours", async () => {
    const { spki, pem, jwk, raw: rawAnswer } = await tenant.publicKeyForms(id);
    const raw = unb64(rawAnswer.public_key);
    expect(raw.length).toBe(spec.publicKey);
    const der = Buffer.from(unb64(spki.public_key));
    const fromDer = crypto.createPublicKey({ key: der, format: "der", type: "spki" });
    expect(fromDer.asymmetricKeyType).toBe(algorithm.toLowerCase());
    expect(fromDer.export({ format: "der", type: "spki" }).equals(der)).toBe(true);
    // The raw key is the SPKI's subjectPublicKey (the DER's last bytes, after the BIT STRING's 0 pad byte).
    expect(der.subarray(der.length - raw.length).equals(raw)).toBe(true);
    expect(der[der.length - raw.length - 1]).toBe(0x00);

    expect(crypto.createPublicKey({ key: pem.public_key, format: "pem" }).equals(fromDer)).toBe(true);

    // Node 24 / OpenSSL 3.5 imports AKP JWKs with alg "ML-KEM-xxx" too.
    expect(jwk.public_key).toMatchObject({ kty: "AKP", alg: algorithm, pub: Buffer.from(raw).toString("base64url") });
    expect(jwk.public_key.kid).toBe(thumbprint({ alg: jwk.public_key.alg, kty: "AKP", pub: jwk.public_key.pub }));
    expect(crypto.createPublicKey({ key: { ...jwk.public_key }, format: "jwk" }).equals(fromDer)).toBe(true);
  });

  it("OpenSSL encapsulates to our SPKI; the vault decapsulates the same secret (implicit rejection on a changed ciphertext)", async () => {
    const key = crypto.createPublicKey({ key: Buffer.from(unb64((await publicKey(id, "spki")).public_key)), format: "der", type: "spki" });
    const { sharedKey, ciphertext } = crypto.encapsulate(key);
    expect(ciphertext.length).toBe(spec.ciphertext);
    expect(sharedKey.length).toBe(SHARED_SECRET_BYTES);
    const ours = await decapsulate(id, ciphertext);
    expect(ours.key_version).toBe(1);
    expect(Buffer.from(unb64(ours.shared_secret)).equals(sharedKey)).toBe(true);

    // FIPS 203 implicit rejection: a changed ciphertext of the right length yields another 32-byte
    // secret, deterministically, not an error.
    const tampered = flipBit(ciphertext, 0);
    const [rejected, again] = await Promise.all([decapsulate(id, tampered), decapsulate(id, tampered)]);
    const rejectedSecret = Buffer.from(unb64(rejected.shared_secret));
    expect(rejectedSecret.length).toBe(SHARED_SECRET_BYTES);
    expect(rejectedSecret.equals(sharedKey)).toBe(false);
    expect(again.shared_secret).toBe(rejected.shared_secret);
  });

  it("OpenSSL encapsulates to our JWK as well", async () => {
    const jwk = await publicKey<Record<string, string>>(id, "jwk");
    const { sharedKey, ciphertext } = crypto.encapsulate({ key: jwk.public_key, format: "jwk" });
    expect(Buffer.from(unb64((await decapsulate(id, ciphertext)).shared_secret)).equals(sharedKey)).toBe(true);
  });

  it("vault self-consistency (not interop; private keys never leave the vault): /encapsulate then /decapsulate", async () => {
    const out = await tenant.api.call<{ ciphertext: string; shared_secret: string; key_version: number }>("POST", `/v1/keys/${id}/encapsulate`, {
      auth: tenant.token,
    });
    expect(out.key_version).toBe(1);
    expect(unb64(out.ciphertext).length).toBe(spec.ciphertext);
    expect(unb64(out.shared_secret).length).toBe(SHARED_SECRET_BYTES);
    expect((await decapsulate(id, unb64(out.ciphertext))).shared_secret).toBe(out.shared_secret);
  });

  it("@hpke/core uses the architecture §7 suite ids", () => {
    const suite = hpkeSuite(algorithm);
    expect([suite.kem.id, suite.kdf.id, suite.aead.id]).toEqual([spec.kemId, spec.kdfId, spec.aeadId]);
  });

  it("@hpke/core seals to our raw public key (info = header, aad = caller aad); /decrypt opens it", async () => {
    const header = envelopeHeader(id, 1, spec);
    const envelope = await hpkeSeal(algorithm, await rawPublicKey(id), header);
    expect(envelope.length).toBe(HEADER_BYTES + spec.ciphertext + plaintext.length + AEAD_TAG_BYTES);
    await expectDecrypted(id, envelope, 1);
  });

  it("the vault binds the caller aad and info = header: other aad, other info or a changed ct fail", async () => {
    const raw = await rawPublicKey(id);
    const header = envelopeHeader(id, 1, spec);
    const envelope = await hpkeSeal(algorithm, raw, header);
    await expectProblem(await decrypt(id, envelope, Buffer.from("order:4712")), 400, "decrypt_failed");
    await expectProblem(await decrypt(id, envelope, new Uint8Array(0)), 400, "decrypt_failed");
    await expectProblem(await decrypt(id, flipBit(envelope, envelope.length - 1), aad), 400, "decrypt_failed");
    const emptyInfo = await hpkeSeal(algorithm, raw, header, { info: new Uint8Array(0) });
    await expectProblem(await decrypt(id, emptyInfo), 400, "decrypt_failed");
  });

  it("/encrypt output follows the architecture §7 layout field by field, and /decrypt opens it", async () => {
    const out = await tenant.encrypt(id, plaintext, aad);
    expect(out.key_version).toBe(1);
    const envelope = Buffer.from(unb64(out.ciphertext));
    expect(envelope.subarray(0, 3).toString("latin1")).toBe("PQK");
    expect(envelope[3]).toBe(0x01);
    expect(envelope[4]).toBe(0x01);
    expect(envelope.subarray(5, 21).toString("hex")).toBe(id.replaceAll("-", ""));
    expect(envelope.readUInt32BE(21)).toBe(1);
    expect(envelope.readUInt16BE(25)).toBe(spec.kemId);
    expect(envelope.readUInt16BE(27)).toBe(spec.kdfId);
    expect(envelope.readUInt16BE(29)).toBe(spec.aeadId);
    // enc is an ML-KEM ciphertext (Nenc = FIPS 203 ciphertext size), then AES-256-GCM ct ‖ tag.
    expect(envelope.length).toBe(HEADER_BYTES + spec.ciphertext + plaintext.length + AEAD_TAG_BYTES);
    expect(envelope.subarray(0, HEADER_BYTES).equals(envelopeHeader(id, 1, spec))).toBe(true);
    await expectDecrypted(id, envelope, 1);
  });
});

describe("envelopes and keys", () => {
  it("an envelope naming another key is refused by /decrypt on this key, and opens on its own", async () => {
    const [a, b] = await Promise.all([createKey("ML-KEM-768"), createKey("ML-KEM-768")]);
    const envelope = await hpkeSeal("ML-KEM-768", await rawPublicKey(a), envelopeHeader(a, 1, KEMS["ML-KEM-768"]));
    await expectProblem(await decrypt(b, envelope), 400, "decrypt_failed");
    await expectDecrypted(a, envelope, 1);
  });
});

describe("rotation (ML-KEM-768)", () => {
  const algorithm = "ML-KEM-768";
  const spec = KEMS[algorithm];

  it("an envelope sealed by @hpke to version 1's public key still decrypts after rotation; version 2's too", async () => {
    const id = await createKey(algorithm);
    const v1 = await rawPublicKey(id, 1);
    const sealedBefore = await hpkeSeal(algorithm, v1, envelopeHeader(id, 1, spec));

    const rotated = await tenant.api.call<{ primary_version: number }>("POST", `/v1/keys/${id}/rotate`, { auth: tenant.token });
    expect(rotated.primary_version).toBe(2);
    const v2 = await rawPublicKey(id, 2);
    expect(Buffer.from(v2).equals(v1)).toBe(false);
    expect(Buffer.from(await rawPublicKey(id)).equals(v2)).toBe(true);

    await expectDecrypted(id, sealedBefore, 1);
    // Sealed after rotation to the old public key (a client with a cached key): still opens.
    await expectDecrypted(id, await hpkeSeal(algorithm, v1, envelopeHeader(id, 1, spec)), 1);
    await expectDecrypted(id, await hpkeSeal(algorithm, v2, envelopeHeader(id, 2, spec)), 2);
    // The version comes from the header: sealed to version 1's key but labelled version 2, it fails.
    await expectProblem(await decrypt(id, await hpkeSeal(algorithm, v1, envelopeHeader(id, 2, spec))), 400, "decrypt_failed");

    const encrypted = await tenant.encrypt(id, plaintext, aad);
    expect(encrypted.key_version).toBe(2);
    expect(Buffer.from(unb64(encrypted.ciphertext)).readUInt32BE(21)).toBe(2);
  });

  it("OpenSSL encapsulates to version 1's SPKI after rotation; /decapsulate with key_version 1 gives the same secret", async () => {
    const id = await createKey(algorithm);
    const spki1 = unb64((await publicKey(id, "spki", 1)).public_key);
    await tenant.api.call("POST", `/v1/keys/${id}/rotate`, { auth: tenant.token });
    const { sharedKey, ciphertext } = crypto.encapsulate(crypto.createPublicKey({ key: Buffer.from(spki1), format: "der", type: "spki" }));
    const v1 = await decapsulate(id, ciphertext, 1);
    expect(v1.key_version).toBe(1);
    expect(Buffer.from(unb64(v1.shared_secret)).equals(sharedKey)).toBe(true);
    const primary = await decapsulate(id, ciphertext);
    expect(primary.key_version).toBe(2);
    expect(Buffer.from(unb64(primary.shared_secret)).equals(sharedKey)).toBe(false);
  });
});
