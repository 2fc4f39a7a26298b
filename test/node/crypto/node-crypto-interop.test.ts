/**
 * Live cross-checks against OpenSSL 3.5 through Node 24's node:crypto, an implementation independent
 * of ours: it imports our SPKI, PEM and JWK, derives the same public key from the same seed, verifies
 * our ML-DSA signatures (with and without context) and we verify its; its ML-KEM encapsulation
 * decapsulates with ours and ours with its. For every provider (providers.ts); in Node,
 * WebCryptoProvider's native path is itself OpenSSL, so its run checks our wiring of Web Crypto.
 */
import crypto, { type KeyObject, type KeyType } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ALGORITHMS, type KemAlgorithmName, type SignatureAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { toBase64Url } from "../../../workers/kms/src/crypto/bytes.ts";
import { decodeSpki, encodeJwk, encodePem, encodeSpki } from "../../../workers/kms/src/crypto/public-key-formats.ts";
import { PROVIDERS } from "./providers.ts";
import { toHex } from "./vectors.ts";

const KEMS: readonly KemAlgorithmName[] = ["ML-KEM-512", "ML-KEM-768", "ML-KEM-1024"];
const DSAS: readonly SignatureAlgorithmName[] = ["ML-DSA-44", "ML-DSA-65", "ML-DSA-87"];
const message = Buffer.from("signed by pqkms");
const context = Buffer.from("pqkms/interop");

/** node's key type name, e.g. "ml-dsa-65". */
function nodeType(algorithm: string): KeyType {
  return algorithm.toLowerCase() as KeyType;
}

/** An OpenSSL private key built from our seed (AKP private JWK: priv = the seed). */
function nodePrivateKeyFromSeed(algorithm: string, seed: Uint8Array, publicKey: Uint8Array): KeyObject {
  const jwk = { kty: "AKP", alg: algorithm, pub: toBase64Url(publicKey), priv: toBase64Url(seed) };
  return crypto.createPrivateKey({ key: jwk, format: "jwk" });
}

describe.each(PROVIDERS)("$name provider", ({ make }) => {
  const provider = make();

  describe.each([...KEMS, ...DSAS])("%s public key formats in OpenSSL", (algorithm) => {
    it("imports our SPKI DER, PEM and JWK as the same key", async () => {
      const { publicKey } = await provider.deriveKeyPair(algorithm, provider.generateSeed(algorithm));
      const spki = encodeSpki(algorithm, publicKey);
      const fromDer = crypto.createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" });
      expect(fromDer.asymmetricKeyType).toBe(nodeType(algorithm));
      expect(toHex(fromDer.export({ format: "der", type: "spki" }))).toBe(toHex(spki));

      const fromPem = crypto.createPublicKey(encodePem(algorithm, publicKey));
      expect(fromPem.equals(fromDer)).toBe(true);

      // Our JWK, kid included: OpenSSL reads kty "AKP", alg, pub.
      const fromJwk = crypto.createPublicKey({ key: { ...(await encodeJwk(algorithm, publicKey)) }, format: "jwk" });
      expect(fromJwk.equals(fromDer)).toBe(true);
      const exported = fromDer.export({ format: "jwk" });
      expect(exported).toMatchObject({ kty: "AKP", alg: algorithm, pub: toBase64Url(publicKey) });
    });

    it("derives the same public key from the same seed, and its SPKI decodes with ours", async () => {
      const seed = provider.generateSeed(algorithm);
      const ours = await provider.deriveKeyPair(algorithm, seed);
      const theirs = crypto.createPublicKey(crypto.createPrivateKey({ key: Buffer.from(seed), format: "raw-seed", asymmetricKeyType: nodeType(algorithm) }));
      const theirSpki = new Uint8Array(theirs.export({ format: "der", type: "spki" }));
      expect(decodeSpki(theirSpki)).toEqual({ ok: true, value: { algorithm, publicKey: ours.publicKey } });
    });
  });

  describe.each(DSAS)("%s signatures with OpenSSL", (algorithm) => {
    const seed = new Uint8Array(32).fill(0x5c);
    const keys = provider.deriveKeyPair(algorithm, seed);

    it("OpenSSL verifies our hedged signatures, with and without context", async () => {
      const { publicKey, privateKey } = await keys;
      const key = crypto.createPublicKey({ key: Buffer.from(encodeSpki(algorithm, publicKey)), format: "der", type: "spki" });
      const plain = await provider.sign(privateKey, { message });
      expect(crypto.verify(null, message, key, plain)).toBe(true);
      const withContext = await provider.sign(privateKey, { message }, { context });
      expect(crypto.verify(null, message, { key, context }, withContext)).toBe(true);
      expect(crypto.verify(null, message, key, withContext)).toBe(false);
      expect(crypto.verify(null, message, { key, context: Buffer.from("other") }, withContext)).toBe(false);
    });

    it("OpenSSL verifies our external-μ signature as a signature over the message", async () => {
      const { publicKey, privateKey } = await keys;
      const key = crypto.createPublicKey({ key: Buffer.from(encodeSpki(algorithm, publicKey)), format: "der", type: "spki" });
      // μ = H(tr ‖ M', 64) (FIPS 204 Algorithm 7 line 6), tr = H(pk, 64) as in ML-DSA.KeyGen_internal.
      const tr = crypto.createHash("shake256", { outputLength: 64 }).update(publicKey).digest();
      const mu = crypto
        .createHash("shake256", { outputLength: 64 })
        .update(Buffer.concat([tr, Buffer.from([0, context.length]), context, message]))
        .digest();
      const signature = await provider.sign(privateKey, { mu: new Uint8Array(mu) });
      expect(crypto.verify(null, message, { key, context }, signature)).toBe(true);
    });

    it("we verify OpenSSL's signatures made with the same seed", async () => {
      const { publicKey } = await keys;
      const nodeKey = nodePrivateKeyFromSeed(algorithm, seed, publicKey);
      const plain = new Uint8Array(crypto.sign(null, message, nodeKey));
      const withContext = new Uint8Array(crypto.sign(null, message, { key: nodeKey, context }));
      expect(plain.length).toBe(ALGORITHMS[algorithm].signatureLength);
      expect(await provider.verify(algorithm, publicKey, { message }, plain)).toBe(true);
      expect(await provider.verify(algorithm, publicKey, { message }, withContext, context)).toBe(true);
      expect(await provider.verify(algorithm, publicKey, { message }, withContext)).toBe(false);
    });
  });

  describe.each(KEMS)("%s encapsulation with OpenSSL", (algorithm) => {
    it("OpenSSL encapsulates to our SPKI; we decapsulate the same secret", async () => {
      const { publicKey, privateKey } = await provider.deriveKeyPair(algorithm, provider.generateSeed(algorithm));
      const key = crypto.createPublicKey({ key: Buffer.from(encodeSpki(algorithm, publicKey)), format: "der", type: "spki" });
      const { sharedKey, ciphertext } = crypto.encapsulate(key);
      expect(ciphertext.length).toBe(ALGORITHMS[algorithm].ciphertextLength);
      expect(toHex(await provider.decapsulate(privateKey, new Uint8Array(ciphertext)))).toBe(toHex(sharedKey));
    });

    it("we encapsulate; OpenSSL decapsulates with a key from our seed, including implicit rejection", async () => {
      const seed = provider.generateSeed(algorithm);
      const { publicKey, privateKey } = await provider.deriveKeyPair(algorithm, seed);
      const nodeKey = nodePrivateKeyFromSeed(algorithm, seed, publicKey);
      const { ciphertext, sharedSecret } = await provider.encapsulate(algorithm, publicKey);
      expect(toHex(crypto.decapsulate(nodeKey, ciphertext))).toBe(toHex(sharedSecret));
      const tampered = ciphertext.slice();
      tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 0xff;
      // Both sides compute the same FIPS 203 rejection value J(z ‖ c).
      expect(toHex(crypto.decapsulate(nodeKey, tampered))).toBe(toHex(await provider.decapsulate(privateKey, tampered)));
    });
  });
});
