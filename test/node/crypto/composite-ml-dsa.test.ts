/**
 * Composite-ML-DSA-65-P256 (draft-ietf-lamps-pq-composite-sigs-19, id-MLDSA65-ECDSA-P256-SHA512):
 * the LAMPS test vector (key from its private key, its signatures with and without context, its
 * self-signed certificate's SPKI and signature), our signatures checked by an independent
 * construction (OpenSSL's ML-DSA-65 and ECDSA over an M' built here with node:crypto), OpenSSL-made
 * composite signatures (high S included) through our verify, and the refusals. Every provider
 * (providers.ts) runs it: WebCryptoProvider signs hedged with native ML-DSA-65 and ECDSA P-256 and
 * verifies natively; its deterministic signatures come from its noble fallback (RFC 6979).
 */
import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { ALGORITHMS } from "../../../workers/kms/src/crypto/algorithms.ts";
import { toBase64Url } from "../../../workers/kms/src/crypto/bytes.ts";
import { encodeSpki } from "../../../workers/kms/src/crypto/public-key-formats.ts";
import { PROVIDERS } from "./providers.ts";
import { readJsonVector, toHex } from "./vectors.ts";

interface CompositeVectors {
  readonly m: string;
  readonly ctx: string;
  readonly tests: readonly { tcId: string; pk: string; x5c: string; sk: string; s: string; sWithContext: string }[];
}

const ALGORITHM = "Composite-ML-DSA-65-P256";
const spec = ALGORITHMS[ALGORITHM];
const b64 = (text: string) => Uint8Array.from(Buffer.from(text, "base64"));
const file = readJsonVector<CompositeVectors>("composite-sigs-testvectors.json");
const vector = file.tests.find((t) => t.tcId === "id-MLDSA65-ECDSA-P256-SHA512");
if (vector === undefined) throw new Error("no id-MLDSA65-ECDSA-P256-SHA512 vector");
const m = b64(file.m);
const ctx = b64(file.ctx);
const LABEL = Buffer.from("COMPSIG-MLDSA65-ECDSA-P256-SHA512");
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** A DER TLV (definite lengths only, enough for the structures here). */
function tlv(bytes: Uint8Array, offset: number): { tag: number; start: number; end: number } {
  const tag = bytes[offset] ?? -1;
  let length = bytes[offset + 1] ?? 0;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[start + i] ?? 0);
    start += count;
  }
  return { tag, start, end: start + length };
}

/** The TLVs directly inside a constructed TLV. */
function children(bytes: Uint8Array, parent: { start: number; end: number }): { tag: number; start: number; end: number; offset: number }[] {
  const out = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = tlv(bytes, offset);
    out.push({ ...child, offset });
    offset = child.end;
  }
  return out;
}

/** Draft §4.2 private key = seed ‖ RFC 5915 ECPrivateKey; ours = seed ‖ the scalar inside it. */
function ourSecretFromDraftPrivateKey(sk: Uint8Array): Uint8Array {
  const ecPrivateKey = tlv(sk, 32);
  const [version, privateKey] = children(sk, ecPrivateKey);
  expect([version?.tag, privateKey?.tag, (privateKey?.end ?? 0) - (privateKey?.start ?? 0)]).toEqual([0x02, 0x04, 32]);
  return Uint8Array.from([...sk.subarray(0, 32), ...sk.subarray(privateKey?.start, privateKey?.end)]);
}

/** M' = Prefix ‖ Label ‖ len(ctx) ‖ ctx ‖ SHA-512(M) (draft §2.2), built with node:crypto. */
function representative(message: Uint8Array, context: Uint8Array): Buffer {
  const digest = crypto.createHash("sha512").update(message).digest();
  return Buffer.concat([Buffer.from("CompositeAlgorithmSignatures2025"), LABEL, Buffer.from([context.length]), context, digest]);
}

/** The P-256 component of a composite public key as an EC JWK. */
function ecJwk(publicKey: Uint8Array): { kty: string; crv: string; x: string; y: string } {
  const point = publicKey.subarray(1952);
  return { kty: "EC", crv: "P-256", x: toBase64Url(point.subarray(1, 33)), y: toBase64Url(point.subarray(33)) };
}

/** OpenSSL public keys for the two components of a composite public key. */
function openSslKeys(publicKey: Uint8Array) {
  return {
    mlDsa: crypto.createPublicKey({ key: Buffer.from(encodeSpki("ML-DSA-65", publicKey.subarray(0, 1952))), format: "der", type: "spki" }),
    ecdsa: crypto.createPublicKey({ key: ecJwk(publicKey), format: "jwk" }),
  };
}

/** OpenSSL private keys for the two components of our stored secret (seed ‖ scalar). */
function openSslPrivateKeys(publicKey: Uint8Array, secret: Uint8Array) {
  return {
    mlDsa: crypto.createPrivateKey({ key: Buffer.from(secret.subarray(0, 32)), format: "raw-seed", asymmetricKeyType: "ml-dsa-65" }),
    ecdsa: crypto.createPrivateKey({ key: { ...ecJwk(publicKey), d: toBase64Url(secret.subarray(32)) }, format: "jwk" }),
  };
}

/** The independent check of draft §3.3: both components, with OpenSSL. */
function openSslVerifies(publicKey: Uint8Array, message: Uint8Array, context: Uint8Array, signature: Uint8Array): boolean {
  const keys = openSslKeys(publicKey);
  const mPrime = representative(message, context);
  const mlDsaOk = crypto.verify(null, mPrime, { key: keys.mlDsa, context: LABEL }, signature.subarray(0, 3309));
  const ecdsaOk = crypto.verify("sha256", mPrime, { key: keys.ecdsa, dsaEncoding: "der" }, signature.subarray(3309));
  return mlDsaOk && ecdsaOk;
}

/** Re-encodes the DER ECDSA part with s replaced by n - s (the high/low-S twin). */
function flipS(signature: Uint8Array): Uint8Array {
  const der = signature.subarray(3309);
  const [r, s] = children(der, tlv(der, 0));
  if (r === undefined || s === undefined) throw new Error("bad DER");
  const twin = P256_N - BigInt(`0x${toHex(der.subarray(s.start, s.end))}`);
  const integer = (bytes: Uint8Array) => ((bytes[0] ?? 0) & 0x80 ? [0x02, bytes.length + 1, 0, ...bytes] : [0x02, bytes.length, ...bytes]);
  const sBytes = Uint8Array.from(Buffer.from(twin.toString(16).padStart(64, "0"), "hex"));
  const trimmed = sBytes.subarray(sBytes.findIndex((b) => b !== 0));
  const body = [...integer(der.subarray(r.start, r.end).subarray(der[r.start] === 0 ? 1 : 0)), ...integer(trimmed)];
  return Uint8Array.from([...signature.subarray(0, 3309), 0x30, body.length, ...body]);
}

describe.each(PROVIDERS)("$name provider", ({ make }) => {
  const provider = make();

  describe("LAMPS test vector id-MLDSA65-ECDSA-P256-SHA512", () => {
    const pk = b64(vector.pk);
    const secret = ourSecretFromDraftPrivateKey(b64(vector.sk));

    it("its private key, as seed ‖ scalar, gives its public key", async () => {
      expect(pk.length).toBe(spec.publicKeyLength);
      expect(toHex((await provider.deriveKeyPair(ALGORITHM, secret)).publicKey)).toBe(toHex(pk));
    });

    it("its signatures verify, without and with context, and only with the right context and message", async () => {
      expect(await provider.verify(ALGORITHM, pk, { message: m }, b64(vector.s))).toBe(true);
      expect(await provider.verify(ALGORITHM, pk, { message: m }, b64(vector.sWithContext), ctx)).toBe(true);
      expect(await provider.verify(ALGORITHM, pk, { message: m }, b64(vector.sWithContext))).toBe(false);
      expect(await provider.verify(ALGORITHM, pk, { message: m }, b64(vector.s), ctx)).toBe(false);
      expect(await provider.verify(ALGORITHM, pk, { message: m.subarray(1) }, b64(vector.s))).toBe(false);
    });

    it("its self-signed certificate: our SPKI equals its subjectPublicKeyInfo, and its signature verifies", async () => {
      const cert = b64(vector.x5c);
      const [tbs, signatureAlgorithm, signatureValue] = children(cert, tlv(cert, 0));
      if (tbs === undefined || signatureAlgorithm === undefined || signatureValue === undefined) throw new Error("bad certificate");
      const spki = children(cert, tbs)[6]; // version, serial, signature, issuer, validity, subject, SPKI
      expect(toHex(encodeSpki(ALGORITHM, pk))).toBe(toHex(cert.subarray(spki?.offset, spki?.end)));
      // signatureValue BIT STRING: 0 unused bits, then the composite signature; ctx is empty in X.509.
      expect(cert[signatureValue.start]).toBe(0);
      const signature = cert.subarray(signatureValue.start + 1, signatureValue.end);
      expect(await provider.verify(ALGORITHM, pk, { message: cert.subarray(tbs.offset, tbs.end) }, signature)).toBe(true);
    });

    it("our signatures with its key verify under the independent construction", async () => {
      const { privateKey } = await provider.deriveKeyPair(ALGORITHM, secret);
      const signature = await provider.sign(privateKey, { message: m }, { context: ctx });
      expect(openSslVerifies(pk, m, ctx, signature)).toBe(true);
      expect(openSslVerifies(pk, m, new Uint8Array(0), signature)).toBe(false);
    });
  });

  describe("Composite-ML-DSA-65-P256 sign / verify", async () => {
    const secret = provider.generateSeed(ALGORITHM);
    const { publicKey, privateKey } = await provider.deriveKeyPair(ALGORITHM, secret);
    const message = new TextEncoder().encode("composite attack at dawn");
    const context = new TextEncoder().encode("pqkms/composite");

    it("stores seed ‖ scalar; signatures are ML-DSA-65 (3309) ‖ DER ECDSA, hedged by default, low S", async () => {
      expect(secret.length).toBe(64);
      const a = await provider.sign(privateKey, { message }, { context });
      const b = await provider.sign(privateKey, { message }, { context });
      expect(toHex(a)).not.toBe(toHex(b));
      for (const signature of [a, b]) {
        expect(signature.length).toBeGreaterThanOrEqual(spec.minSignatureLength);
        expect(signature.length).toBeLessThanOrEqual(spec.signatureLength);
        expect(signature[3309]).toBe(0x30);
        const der = signature.subarray(3309);
        const s = children(der, tlv(der, 0))[1];
        expect(BigInt(`0x${toHex(der.subarray(s?.start, s?.end))}`) <= P256_N / 2n).toBe(true);
        expect(openSslVerifies(publicKey, message, context, signature)).toBe(true);
        expect(await provider.verify(ALGORITHM, publicKey, { message }, signature, context)).toBe(true);
      }
    });

    it("is repeatable when deterministic (FIPS 204 rnd = 0, RFC 6979 k) and emits low S", async () => {
      const a = await provider.sign(privateKey, { message }, { deterministic: true });
      const b = await provider.sign(privateKey, { message }, { deterministic: true });
      expect(toHex(a)).toBe(toHex(b));
      const der = a.subarray(3309);
      const s = children(der, tlv(der, 0))[1];
      expect(BigInt(`0x${toHex(der.subarray(s?.start, s?.end))}`) <= P256_N / 2n).toBe(true);
    });

    it("accepts the high-S twin of a valid ECDSA part (other signers emit high S)", async () => {
      const signature = await provider.sign(privateKey, { message });
      const twin = flipS(signature);
      expect(toHex(twin)).not.toBe(toHex(signature));
      expect(openSslVerifies(publicKey, message, new Uint8Array(0), twin)).toBe(true);
      expect(await provider.verify(ALGORITHM, publicKey, { message }, twin)).toBe(true);
    });

    it("verifies composite signatures whose components OpenSSL made", async () => {
      const keys = openSslPrivateKeys(publicKey, secret);
      for (let i = 0; i < 4; i++) {
        const mPrime = representative(message, context);
        const mlDsa = crypto.sign(null, mPrime, { key: keys.mlDsa, context: LABEL });
        const ecdsa = crypto.sign("sha256", mPrime, { key: keys.ecdsa, dsaEncoding: "der" });
        expect(await provider.verify(ALGORITHM, publicKey, { message }, Uint8Array.from([...mlDsa, ...ecdsa]), context)).toBe(true);
      }
    });

    it("fails if either component is modified, dropped or swapped (§3.3 step 4)", async () => {
      const signature = await provider.sign(privateKey, { message });
      const verify = (sig: Uint8Array) => provider.verify(ALGORITHM, publicKey, { message }, sig);
      for (const index of [0, 1000, 3308, 3309 + 10, signature.length - 1]) {
        const tampered = signature.slice();
        tampered[index] = (tampered[index] ?? 0) ^ 1;
        expect(await verify(tampered)).toBe(false);
      }
      expect(await verify(signature.subarray(0, 3309))).toBe(false);
      const other = await provider.sign((await provider.deriveKeyPair(ALGORITHM, provider.generateSeed(ALGORITHM))).privateKey, { message });
      expect(await verify(Uint8Array.from([...signature.subarray(0, 3309), ...other.subarray(3309)]))).toBe(false);
      expect(await verify(Uint8Array.from([...other.subarray(0, 3309), ...signature.subarray(3309)]))).toBe(false);
      expect(await verify(Uint8Array.from([...signature, 0]))).toBe(false);
    });

    it("refuses bad inputs before signing, naming the operation", async () => {
      await expect(provider.sign(privateKey, { message }, { context: new Uint8Array(256) })).rejects.toThrow(`${ALGORITHM} sign: context must be at most 255 bytes, got 256`);
      await expect(provider.sign(privateKey, { mu: new Uint8Array(64) })).rejects.toThrow(`${ALGORITHM} sign: external mu is defined for ML-DSA only`);
      await expect(provider.verify(ALGORITHM, publicKey.subarray(1), { message }, new Uint8Array(3380))).rejects.toThrow("public key must be 2017 bytes");
      const badScalar = Uint8Array.from([...secret.subarray(0, 32), ...new Uint8Array(32)]);
      await expect(provider.deriveKeyPair(ALGORITHM, badScalar)).rejects.toThrow("P-256 scalar is not in [1, n-1]");
    });
  });
});
