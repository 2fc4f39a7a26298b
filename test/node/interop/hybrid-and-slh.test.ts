/**
 * The hybrid and hash-based algorithms through the public API, checked by independent
 * implementations:
 * - X-Wing: @hpke/core + @hpke/hybridkem-x-wing seal envelopes built here from architecture §7 alone (not
 *   with our code) to our raw public key, and the vault decrypts them, before and after rotation.
 * - Composite-ML-DSA-65-P256 (draft-ietf-lamps-pq-composite-sigs-19, id-MLDSA65-ECDSA-P256-SHA512):
 *   our signatures verify with a verifier built here from OpenSSL's ML-DSA-65 and ECDSA P-256.
 * - SLH-DSA-SHA2-128s / 128f (FIPS 205): OpenSSL 3.5 (node:crypto in Node 24) imports our SPKI and
 *   JWK and verifies our signatures, with and without context.
 */
import crypto, { type KeyObject } from "node:crypto";
import { Aes256Gcm, CipherSuite, HkdfSha256 } from "@hpke/core";
import { XWing } from "@hpke/hybridkem-x-wing";
import { beforeAll, describe, expect, it } from "vitest";
import { b64, expectProblem, flipBit, hpkeEnvelopeHeader, HPKE_HEADER_BYTES, unb64, useTenant } from "./harness.ts";

const message = Buffer.from("pqkms public API: signed in the vault, verified elsewhere");
const context = Buffer.from("pqkms/interop/hybrid");

const tenant = useTenant("hybrid-and-slh-interop");

const { sign, createKey, publicKey } = tenant;

const rawPublicKey = async (id: string, version?: number) => Buffer.from(await tenant.rawPublicKey(id, version));

describe("X-Wing through the public API", () => {
  /** draft-connolly-cfrg-xwing-kem §5: pk 1216 bytes (ML-KEM-768 1184 ‖ X25519 32), ct 1120 (1088 ‖ 32), ss 32. */
  const PUBLIC_KEY_BYTES = 1216;
  const CIPHERTEXT_BYTES = 1120;
  const ML_KEM_CIPHERTEXT_BYTES = 1088;
  const SHARED_SECRET_BYTES = 32;
  const AEAD_TAG_BYTES = 16;
  /** architecture §7 X-Wing suite: KEM 0x647a (draft-ietf-hpke-pq), HKDF-SHA256, AES-256-GCM. */
  const SUITE = { kemId: 0x647a, kdfId: 0x0001, aeadId: 0x0002 };
  const HEADER_BYTES = HPKE_HEADER_BYTES;
  const plaintext = Buffer.from("sealed by @hpke/hybridkem-x-wing, opened in the vault");
  const aad = Buffer.from("order:4711");
  const suite = new CipherSuite({ kem: new XWing(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
  let id: string;

  beforeAll(async () => {
    id = await createKey("X-Wing", "encrypt");
  });

  const envelopeHeader = (keyId: string, version: number) => hpkeEnvelopeHeader(keyId, version, SUITE);

  /** An envelope sealed by @hpke/core to a raw X-Wing public key: header ‖ enc ‖ ct, info = header. */
  async function hpkeSeal(rawPublicKey: Uint8Array, header: Buffer): Promise<Buffer> {
    const recipientPublicKey = await suite.kem.importKey("raw", new Uint8Array(rawPublicKey), true);
    const { enc, ct } = await suite.seal({ recipientPublicKey, info: header }, plaintext, aad);
    return Buffer.concat([header, new Uint8Array(enc), new Uint8Array(ct)]);
  }

  function decrypt(envelope: Uint8Array, withAad: Uint8Array = aad) {
    return tenant.api.request("POST", `/v1/keys/${id}/decrypt`, { auth: tenant.token, body: { ciphertext: b64(envelope), aad: b64(withAad) } });
  }

  async function expectDecrypted(envelope: Uint8Array, version: number): Promise<void> {
    const response = await decrypt(envelope);
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const body = JSON.parse(text) as { plaintext: string; key_version: number };
    expect(body.key_version).toBe(version);
    expect(Buffer.from(unb64(body.plaintext)).equals(plaintext)).toBe(true);
  }

  it("@hpke/core's X-Wing suite has the architecture §7 ids, and our raw public key is 1216 bytes", async () => {
    expect([suite.kem.id, suite.kdf.id, suite.aead.id]).toEqual([SUITE.kemId, SUITE.kdfId, SUITE.aeadId]);
    const raw = await publicKey(id, "raw");
    expect(raw).toMatchObject({ key_id: id, version: 1, algorithm: "X-Wing", format: "raw" });
    expect(unb64(raw.public_key).length).toBe(PUBLIC_KEY_BYTES);
  });

  it("@hpke/core seals to our raw public key (info = header, aad = caller aad); /decrypt opens it", async () => {
    const envelope = await hpkeSeal(await rawPublicKey(id), envelopeHeader(id, 1));
    expect(envelope.length).toBe(HEADER_BYTES + CIPHERTEXT_BYTES + plaintext.length + AEAD_TAG_BYTES);
    await expectDecrypted(envelope, 1);
  });

  it("a tampered envelope, another aad or another key's id answers 400 decrypt_failed", async () => {
    const envelope = await hpkeSeal(await rawPublicKey(id), envelopeHeader(id, 1));
    const enc = HEADER_BYTES;
    await expectProblem(await decrypt(flipBit(envelope, envelope.length - 1)), 400, "decrypt_failed"); // tag
    await expectProblem(await decrypt(flipBit(envelope, enc + 5)), 400, "decrypt_failed"); // ML-KEM part of enc
    await expectProblem(await decrypt(flipBit(envelope, enc + ML_KEM_CIPHERTEXT_BYTES + 3)), 400, "decrypt_failed"); // X25519 part
    // An all-zero X25519 part is a low-order point (RFC 7748 §6.1): still just a bad envelope.
    const lowOrder = Buffer.from(envelope);
    lowOrder.fill(0, enc + ML_KEM_CIPHERTEXT_BYTES, enc + CIPHERTEXT_BYTES);
    await expectProblem(await decrypt(lowOrder), 400, "decrypt_failed");
    await expectProblem(await decrypt(flipBit(envelope, 25)), 400, "decrypt_failed"); // kem id in the header
    await expectProblem(await decrypt(envelope, Buffer.from("order:4712")), 400, "decrypt_failed");
    await expectProblem(await decrypt(envelope, new Uint8Array(0)), 400, "decrypt_failed");
    await expectProblem(await decrypt(envelope.subarray(0, HEADER_BYTES + CIPHERTEXT_BYTES)), 400, "decrypt_failed");
    const other = await createKey("X-Wing", "encrypt");
    const forOther = await hpkeSeal(await rawPublicKey(other), envelopeHeader(other, 1));
    await expectProblem(await decrypt(forOther), 400, "decrypt_failed");
  });

  it("/encrypt output follows the architecture §7 layout field by field, and /decrypt opens it", async () => {
    const out = await tenant.encrypt(id, plaintext, aad);
    expect(out.key_version).toBe(1);
    const envelope = Buffer.from(unb64(out.ciphertext));
    expect(envelope.subarray(0, HEADER_BYTES).equals(envelopeHeader(id, 1))).toBe(true);
    expect(envelope.length).toBe(HEADER_BYTES + CIPHERTEXT_BYTES + plaintext.length + AEAD_TAG_BYTES);
    await expectDecrypted(envelope, 1);
  });

  it("after rotation, envelopes sealed by @hpke to version 1's public key still decrypt; version 2's too", async () => {
    const key = await createKey("X-Wing", "encrypt");
    const v1 = await rawPublicKey(key, 1);
    const recipient = async (raw: Uint8Array) => suite.kem.importKey("raw", new Uint8Array(raw), true);
    const seal = async (raw: Uint8Array, version: number) => {
      const header = envelopeHeader(key, version);
      const { enc, ct } = await suite.seal({ recipientPublicKey: await recipient(raw), info: header }, plaintext, aad);
      return Buffer.concat([header, new Uint8Array(enc), new Uint8Array(ct)]);
    };
    const open = async (envelope: Uint8Array) =>
      tenant.api.request("POST", `/v1/keys/${key}/decrypt`, { auth: tenant.token, body: { ciphertext: b64(envelope), aad: b64(aad) } });
    const sealedBefore = await seal(v1, 1);

    const rotated = await tenant.api.call<{ primary_version: number }>("POST", `/v1/keys/${key}/rotate`, { auth: tenant.token });
    expect(rotated.primary_version).toBe(2);
    const v2 = await rawPublicKey(key, 2);
    expect(v2.length).toBe(PUBLIC_KEY_BYTES);
    expect(v2.equals(v1)).toBe(false);
    expect((await rawPublicKey(key)).equals(v2)).toBe(true);

    for (const [envelope, version] of [
      [sealedBefore, 1],
      [await seal(v1, 1), 1],
      [await seal(v2, 2), 2],
    ] as const) {
      const response = await open(envelope);
      const text = await response.text();
      expect(response.status, text).toBe(200);
      expect(JSON.parse(text)).toEqual({ plaintext: b64(plaintext), key_version: version });
    }
    // Sealed to version 1's key but labelled version 2: the header picks the version, so it fails.
    await expectProblem(await open(await seal(v1, 2)), 400, "decrypt_failed");
  });

  it("vault self-consistency (not interop; the private key never leaves the vault): /encapsulate then /decapsulate", async () => {
    const out = await tenant.api.call<{ ciphertext: string; shared_secret: string; key_version: number }>("POST", `/v1/keys/${id}/encapsulate`, {
      auth: tenant.token,
    });
    expect(out.key_version).toBe(1);
    const ciphertext = unb64(out.ciphertext);
    expect(ciphertext.length).toBe(CIPHERTEXT_BYTES);
    expect(unb64(out.shared_secret).length).toBe(SHARED_SECRET_BYTES);
    const decapsulate = (ct: Uint8Array) =>
      tenant.api.call<{ shared_secret: string; key_version: number }>("POST", `/v1/keys/${id}/decapsulate`, { auth: tenant.token, body: { ciphertext: b64(ct) } });
    expect(await decapsulate(ciphertext)).toEqual({ shared_secret: out.shared_secret, key_version: 1 });
    // A changed ML-KEM part gives another secret (implicit rejection), not an error.
    const rejected = await decapsulate(flipBit(ciphertext, 0));
    expect(unb64(rejected.shared_secret).length).toBe(SHARED_SECRET_BYTES);
    expect(rejected.shared_secret).not.toBe(out.shared_secret);
  });
});

describe("Composite-ML-DSA-65-P256 through the public API", () => {
  /** FIPS 204 Table 2 ML-DSA-65 sizes; the P-256 point is SEC 1 uncompressed (0x04 ‖ x ‖ y). */
  const ML_DSA_PUBLIC_KEY_BYTES = 1952;
  const ML_DSA_SIGNATURE_BYTES = 3309;
  const P256_POINT_BYTES = 65;
  /** draft-ietf-lamps-pq-composite-sigs-19 §2.2 Prefix and the Label of id-MLDSA65-ECDSA-P256-SHA512. */
  const PREFIX = Buffer.from("CompositeAlgorithmSignatures2025", "ascii");
  const LABEL = Buffer.from("COMPSIG-MLDSA65-ECDSA-P256-SHA512", "ascii");
  let id: string;
  let keys: { mlDsa: KeyObject; ecdsa: KeyObject };

  /** The two component public keys of a raw composite key (mldsaPK ‖ ecdsaPK), imported into OpenSSL as JWKs. */
  function componentKeys(raw: Buffer): { mlDsa: KeyObject; ecdsa: KeyObject } {
    const mlDsaPublicKey = raw.subarray(0, ML_DSA_PUBLIC_KEY_BYTES);
    const point = raw.subarray(ML_DSA_PUBLIC_KEY_BYTES);
    expect(point[0]).toBe(0x04);
    return {
      mlDsa: crypto.createPublicKey({ key: { kty: "AKP", alg: "ML-DSA-65", pub: mlDsaPublicKey.toString("base64url") }, format: "jwk" }),
      ecdsa: crypto.createPublicKey({
        key: { kty: "EC", crv: "P-256", x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url") },
        format: "jwk",
      }),
    };
  }

  /** M' = Prefix ‖ Label ‖ len(ctx) (one byte) ‖ ctx ‖ SHA-512(M) (draft §2.2, pre-hash of this id: SHA-512). */
  function representative(m: Uint8Array, ctx: Uint8Array): Buffer {
    const digest = crypto.createHash("sha512").update(m).digest();
    return Buffer.concat([PREFIX, LABEL, Buffer.from([ctx.length]), ctx, digest]);
  }

  /** Draft §3.3 Verify with OpenSSL's components: ML-DSA-65 over M' with ctx = Label, and ECDSA-P256-SHA256 over M'. */
  function verifies(m: Uint8Array, ctx: Uint8Array, signature: Buffer): { mlDsa: boolean; ecdsa: boolean } {
    const mPrime = representative(m, ctx);
    return {
      mlDsa: crypto.verify(null, mPrime, { key: keys.mlDsa, context: LABEL }, signature.subarray(0, ML_DSA_SIGNATURE_BYTES)),
      ecdsa: crypto.verify("sha256", mPrime, { key: keys.ecdsa, dsaEncoding: "der" }, signature.subarray(ML_DSA_SIGNATURE_BYTES)),
    };
  }

  /** The ECDSA part is one DER SEQUENCE of two INTEGERs (r, s) and nothing after it. */
  function expectDerEcdsa(der: Buffer): void {
    expect(der[0]).toBe(0x30);
    expect(der[1]).toBe(der.length - 2); // short-form length: an ECDSA P-256 signature is at most 72 bytes
    expect(der[2]).toBe(0x02);
    const rEnd = 4 + (der[3] ?? 0);
    expect(der[rEnd]).toBe(0x02);
    expect(rEnd + 2 + (der[rEnd + 1] ?? 0)).toBe(der.length);
  }

  beforeAll(async () => {
    id = await createKey("Composite-ML-DSA-65-P256", "sign");
    keys = componentKeys(await rawPublicKey(id));
  });

  it("raw public key is ML-DSA-65 pk (1952) ‖ uncompressed P-256 point (65); the SPKI's subjectPublicKey is the same bytes", async () => {
    const raw = await rawPublicKey(id);
    expect(raw.length).toBe(ML_DSA_PUBLIC_KEY_BYTES + P256_POINT_BYTES);
    const der = Buffer.from(unb64((await publicKey(id, "spki")).public_key));
    expect(der.subarray(der.length - raw.length).equals(raw)).toBe(true);
    expect(der[der.length - raw.length - 1]).toBe(0x00); // BIT STRING: no unused bits
    // OpenSSL accepts the point as on the curve.
    expect(keys.ecdsa.asymmetricKeyDetails).toMatchObject({ namedCurve: "prime256v1" });
    expect(keys.mlDsa.asymmetricKeyType).toBe("ml-dsa-65");
  });

  it("our signature without context verifies with OpenSSL's ML-DSA-65 and ECDSA P-256 over M'; a changed message fails", async () => {
    const { signature, version } = await sign(id, { message });
    expect(version).toBe(1);
    expectDerEcdsa(signature.subarray(ML_DSA_SIGNATURE_BYTES));
    const empty = new Uint8Array(0);
    expect(verifies(message, empty, signature)).toEqual({ mlDsa: true, ecdsa: true });
    expect(verifies(flipBit(message, 0), empty, signature)).toEqual({ mlDsa: false, ecdsa: false });
    expect(verifies(message, context, signature)).toEqual({ mlDsa: false, ecdsa: false });
    // The ML-DSA component is bound to the label as its FIPS 204 context, not to the empty one.
    const mPrime = representative(message, empty);
    expect(crypto.verify(null, mPrime, keys.mlDsa, signature.subarray(0, ML_DSA_SIGNATURE_BYTES))).toBe(false);
    // Either component altered: that component fails.
    expect(verifies(message, empty, flipBit(signature, 100)).mlDsa).toBe(false);
    expect(verifies(message, empty, flipBit(signature, signature.length - 1)).ecdsa).toBe(false);
  });

  it("our signature with a context verifies over M' with that context only", async () => {
    const { signature } = await sign(id, { message, context });
    expectDerEcdsa(signature.subarray(ML_DSA_SIGNATURE_BYTES));
    expect(verifies(message, context, signature)).toEqual({ mlDsa: true, ecdsa: true });
    expect(verifies(message, new Uint8Array(0), signature)).toEqual({ mlDsa: false, ecdsa: false });
    expect(verifies(message, flipBit(context, 0), signature)).toEqual({ mlDsa: false, ecdsa: false });
    expect(verifies(flipBit(message, 7), context, signature)).toEqual({ mlDsa: false, ecdsa: false });
    // Hedged by default (architecture §7): signing again gives another signature, which verifies too.
    const again = await sign(id, { message, context });
    expect(again.signature.equals(signature)).toBe(false);
    expect(verifies(message, context, again.signature)).toEqual({ mlDsa: true, ecdsa: true });
  });

  // The other direction (a composite signature made here with OpenSSL, checked by our /verify) needs
  // a key pair the vault holds the private half of, and the API imports no keys; the crypto-layer
  // test (test/node/crypto/composite-ml-dsa.test.ts) covers OpenSSL-made composite signatures.
});

describe("SLH-DSA through the public API", () => {
  /** FIPS 205 Table 2: n = 16, public key 2n = 32 bytes; signatures 7856 (128s) and 17088 (128f). */
  const PUBLIC_KEY_BYTES = 32;

  async function opensslKey(id: string, algorithm: string): Promise<KeyObject> {
    const [spki, jwk, raw] = await Promise.all([
      publicKey(id, "spki"),
      publicKey<{ kty: string; alg: string; pub: string; kid: string }>(id, "jwk"),
      rawPublicKey(id),
    ]);
    expect(raw.length).toBe(PUBLIC_KEY_BYTES);
    const der = Buffer.from(unb64(spki.public_key));
    const key = crypto.createPublicKey({ key: der, format: "der", type: "spki" });
    expect(key.asymmetricKeyType).toBe(algorithm.toLowerCase());
    // OpenSSL re-encodes the SPKI byte for byte (RFC 9909: parameters absent); raw is its subjectPublicKey.
    expect(key.export({ format: "der", type: "spki" }).equals(der)).toBe(true);
    expect(der.subarray(der.length - PUBLIC_KEY_BYTES).equals(raw)).toBe(true);
    expect(jwk.public_key).toMatchObject({ kty: "AKP", alg: algorithm, pub: raw.toString("base64url") });
    expect(crypto.createPublicKey({ key: { ...jwk.public_key }, format: "jwk" }).equals(key)).toBe(true);
    return key;
  }

  it("SLH-DSA-SHA2-128f: OpenSSL verifies our signatures with and without context; flipped bits fail", async () => {
    const algorithm = "SLH-DSA-SHA2-128f";
    const id = await createKey(algorithm, "sign");
    const key = await opensslKey(id, algorithm);

    const plain = await sign(id, { message });
    expect(plain.version).toBe(1);
    expect(plain.signature.length).toBe(17088);
    expect(crypto.verify(null, message, key, plain.signature)).toBe(true);
    expect(crypto.verify(null, message, { key, context }, plain.signature)).toBe(false);
    expect(crypto.verify(null, flipBit(message, 0), key, plain.signature)).toBe(false);
    expect(crypto.verify(null, message, key, flipBit(plain.signature, 0))).toBe(false);
    expect(crypto.verify(null, message, key, flipBit(plain.signature, plain.signature.length - 1))).toBe(false);

    const withContext = await sign(id, { message, context });
    expect(crypto.verify(null, message, { key, context }, withContext.signature)).toBe(true);
    expect(crypto.verify(null, message, key, withContext.signature)).toBe(false);
    expect(crypto.verify(null, message, { key, context: flipBit(context, 0) }, withContext.signature)).toBe(false);
    expect(crypto.verify(null, message, { key, context }, flipBit(withContext.signature, 5000))).toBe(false);
  });

  // 128s costs seconds of CPU per signature (made by the tenant's signer object, one at a time per
  // tenant): it is signed exactly once in this file.
  it("SLH-DSA-SHA2-128s: OpenSSL verifies our one signature with its context; flipped bits and other contexts fail", async () => {
    const algorithm = "SLH-DSA-SHA2-128s";
    const id = await createKey(algorithm, "sign");
    const key = await opensslKey(id, algorithm);

    const { signature, version } = await sign(id, { message, context });
    expect(version).toBe(1);
    expect(signature.length).toBe(7856);
    expect(crypto.verify(null, message, { key, context }, signature)).toBe(true);
    expect(crypto.verify(null, message, key, signature)).toBe(false);
    expect(crypto.verify(null, message, { key, context: flipBit(context, 0) }, signature)).toBe(false);
    expect(crypto.verify(null, flipBit(message, 3), { key, context }, signature)).toBe(false);
    expect(crypto.verify(null, message, { key, context }, flipBit(signature, 0))).toBe(false);
    expect(crypto.verify(null, message, { key, context }, flipBit(signature, signature.length - 1))).toBe(false);
    // Seconds of CPU in pure TypeScript: generous on a busy machine. A timeout, not a timing claim.
  }, 90_000);
});
