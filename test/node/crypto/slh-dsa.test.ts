/**
 * SLH-DSA-SHA2-128s / 128f (FIPS 205, pure, with context) against OpenSSL 3.5 through Node 24's
 * node:crypto: the same 64-byte private key gives the same public key on both sides, each side's
 * signatures verify on the other, and our SPKI / PEM / JWK are what OpenSSL writes and reads.
 *
 * There are no SLH-DSA vectors in test/vectors, so OpenSSL is the conformance reference here.
 * 128s signing costs about 2 s in noble (0.3 s in OpenSSL), so 128s is signed once by us; the
 * behaviour tests run on 128f, which shares every code path but the parameter set.
 */
import crypto, { type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ALGORITHMS } from "../../../workers/kms/src/crypto/algorithms.ts";
import { toBase64Url } from "../../../workers/kms/src/crypto/bytes.ts";
import { NobleProvider } from "../../../workers/kms/src/crypto/noble-provider.ts";
import { decodeSpki, encodeJwk, encodePem, encodeSpki } from "../../../workers/kms/src/crypto/public-key-formats.ts";
import { toHex } from "./vectors.ts";

const provider = new NobleProvider();
const message = Buffer.from("signed by pqkms with SLH-DSA");
const context = Buffer.from("pqkms/slh-dsa");

type SlhDsaName = "SLH-DSA-SHA2-128s" | "SLH-DSA-SHA2-128f";

/** OpenSSL's private key from our stored secret (the FIPS 205 private key, 4n bytes). */
function openSslPrivateKey(algorithm: SlhDsaName, secret: Uint8Array): KeyObject {
  return crypto.createPrivateKey({ key: Buffer.from(secret), format: "raw-private", asymmetricKeyType: algorithm.toLowerCase() as "slh-dsa-sha2-128s" });
}

function openSslPublicKey(algorithm: SlhDsaName, publicKey: Uint8Array): KeyObject {
  return crypto.createPublicKey({ key: Buffer.from(encodeSpki(algorithm, publicKey)), format: "der", type: "spki" });
}

describe.each(["SLH-DSA-SHA2-128s", "SLH-DSA-SHA2-128f"] as const)("%s with OpenSSL", (algorithm) => {
  const spec = ALGORITHMS[algorithm];
  const ours = (async () => {
    const secret = provider.generateSeed(algorithm);
    return { secret, ...(await provider.deriveKeyPair(algorithm, secret)) };
  })();

  it("our generated private key is SK.seed‖SK.prf‖PK.seed‖PK.root: OpenSSL derives the same public key", async () => {
    const { secret, publicKey } = await ours;
    expect([secret.length, publicKey.length]).toEqual([64, 32]);
    expect(toHex(publicKey)).toBe(toHex(secret.subarray(32)));
    const derived = crypto.createPublicKey(openSslPrivateKey(algorithm, secret)).export({ format: "jwk" });
    expect(derived).toEqual({ kty: "AKP", alg: algorithm, pub: toBase64Url(publicKey) });
  });

  it("OpenSSL's signatures with our private key verify with ours, with and without context", async () => {
    const { secret, publicKey } = await ours;
    const key = openSslPrivateKey(algorithm, secret);
    const plain = new Uint8Array(crypto.sign(null, message, key));
    const withContext = new Uint8Array(crypto.sign(null, message, { key, context }));
    expect(plain.length).toBe(spec.signatureLength);
    expect(await provider.verify(algorithm, publicKey, { message }, plain)).toBe(true);
    expect(await provider.verify(algorithm, publicKey, { message }, withContext, context)).toBe(true);
    expect(await provider.verify(algorithm, publicKey, { message }, withContext)).toBe(false);
  });

  it("OpenSSL verifies our hedged signature with context, and only with that context", async () => {
    const { publicKey, privateKey } = await ours;
    const signature = await provider.sign(privateKey, { message }, { context });
    expect(signature.length).toBe(spec.signatureLength);
    const key = openSslPublicKey(algorithm, publicKey);
    expect(crypto.verify(null, message, { key, context }, signature)).toBe(true);
    expect(crypto.verify(null, message, key, signature)).toBe(false);
    expect(await provider.verify(algorithm, publicKey, { message }, signature, context)).toBe(true);
  });

  it("loads a key pair OpenSSL generated, from its 64-byte private key", async () => {
    const { privateKey } = crypto.generateKeyPairSync(algorithm.toLowerCase() as "slh-dsa-sha2-128s");
    const jwk = privateKey.export({ format: "jwk" });
    const secret = Uint8Array.from(Buffer.from(String(jwk.priv), "base64url"));
    const loaded = await provider.deriveKeyPair(algorithm, secret);
    expect(toBase64Url(loaded.publicKey)).toBe(jwk.pub);
    const signature = new Uint8Array(crypto.sign(null, message, { key: privateKey, context }));
    expect(await provider.verify(algorithm, loaded.publicKey, { message }, signature, context)).toBe(true);
  });

  it("SPKI (RFC 9909 OID, parameters absent), PEM and JWK are OpenSSL's", async () => {
    const { publicKey } = await ours;
    const theirs = openSslPublicKey(algorithm, publicKey);
    expect(theirs.asymmetricKeyType).toBe(algorithm.toLowerCase());
    expect(toHex(theirs.export({ format: "der", type: "spki" }))).toBe(toHex(encodeSpki(algorithm, publicKey)));
    expect(crypto.createPublicKey(encodePem(algorithm, publicKey)).equals(theirs)).toBe(true);
    const jwk = await encodeJwk(algorithm, publicKey);
    expect(crypto.createPublicKey({ key: { ...jwk }, format: "jwk" }).equals(theirs)).toBe(true);
    expect(theirs.export({ format: "jwk" })).toEqual({ kty: jwk.kty, alg: jwk.alg, pub: jwk.pub });
    expect(decodeSpki(new Uint8Array(theirs.export({ format: "der", type: "spki" })))).toEqual({ ok: true, value: { algorithm, publicKey } });
  });
});

describe("SLH-DSA-SHA2-128f behaviour", async () => {
  const algorithm = "SLH-DSA-SHA2-128f";
  const { publicKey, privateKey } = await provider.deriveKeyPair(algorithm, provider.generateSeed(algorithm));

  it("is hedged by default and repeatable when deterministic (FIPS 205 §10.2: opt_rand = PK.seed)", async () => {
    const a = await provider.sign(privateKey, { message }, { deterministic: true });
    const b = await provider.sign(privateKey, { message }, { deterministic: true });
    const hedged = await provider.sign(privateKey, { message });
    expect(toHex(a)).toBe(toHex(b));
    expect(toHex(hedged)).not.toBe(toHex(a));
    expect(await provider.verify(algorithm, publicKey, { message }, hedged)).toBe(true);
    expect(crypto.verify(null, message, openSslPublicKey(algorithm, publicKey), a)).toBe(true);
  });

  it("answers false for modified signatures or a wrong length; refuses bad inputs with named errors", async () => {
    const signature = await provider.sign(privateKey, { message });
    const modified = signature.slice();
    modified[100] = (modified[100] ?? 0) ^ 1;
    expect(await provider.verify(algorithm, publicKey, { message }, modified)).toBe(false);
    expect(await provider.verify(algorithm, publicKey, { message }, signature.subarray(1))).toBe(false);
    expect(await provider.verify(algorithm, publicKey, { message: message.subarray(1) }, signature)).toBe(false);
    await expect(provider.sign(privateKey, { message }, { context: new Uint8Array(256) })).rejects.toThrow(`${algorithm} sign: context must be at most 255 bytes, got 256`);
    await expect(provider.sign(privateKey, { mu: new Uint8Array(64) })).rejects.toThrow(`${algorithm} sign: external mu is defined for ML-DSA only`);
    await expect(provider.verify(algorithm, publicKey, { mu: new Uint8Array(64) }, signature)).rejects.toThrow("external mu is defined for ML-DSA only");
    await expect(provider.deriveKeyPair(algorithm, new Uint8Array(48))).rejects.toThrow(`${algorithm} deriveKeyPair: seed must be 64 bytes, got 48`);
  });
});
