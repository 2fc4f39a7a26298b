/**
 * ML-DSA through the public API, checked by independent implementations: OpenSSL 3.5 (node:crypto in
 * Node 24) imports our SPKI, PEM and JWK and verifies our signatures, with and without a FIPS 204
 * context; liboqs (@oqs/liboqs-js, WASM) verifies them too; after rotation, version 2's signatures
 * verify with version 2's public key only.
 */
import crypto, { type KeyObject } from "node:crypto";
import { createMLDSA44, createMLDSA65, createMLDSA87 } from "@oqs/liboqs-js";
import { beforeAll, describe, expect, it } from "vitest";
import { b64, flipBit, thumbprint, unb64, useTenant, type AkpJwk } from "./harness.ts";

/** FIPS 204 Table 2 sizes. */
const DSAS = {
  "ML-DSA-44": { publicKey: 1312, signature: 2420, liboqs: createMLDSA44 },
  "ML-DSA-65": { publicKey: 1952, signature: 3309, liboqs: createMLDSA65 },
  "ML-DSA-87": { publicKey: 2592, signature: 4627, liboqs: createMLDSA87 },
} as const;
type Dsa = keyof typeof DSAS;

const message = Buffer.from("pqkms public API: signed in the vault, verified elsewhere");
const context = Buffer.from("pqkms/interop/v1");

const tenant = useTenant("signature-interop");

const { sign, publicKey } = tenant;
const createKey = (algorithm: string) => tenant.createKey(algorithm, "sign");

async function opensslKey(id: string, version?: number): Promise<KeyObject> {
  const spki = await publicKey(id, "spki", version);
  return crypto.createPublicKey({ key: Buffer.from(unb64(spki.public_key)), format: "der", type: "spki" });
}

describe.each(Object.keys(DSAS) as Dsa[])("%s through the public API", (algorithm) => {
  const sizes = DSAS[algorithm];
  let id: string;

  beforeAll(async () => {
    id = await createKey(algorithm);
  });

  it("OpenSSL imports our SPKI, PEM and JWK as one and the same key, and its raw encoding is ours", async () => {
    const { spki, pem, jwk, raw } = await tenant.publicKeyForms(id);
    for (const response of [spki, pem, jwk, raw]) expect(response).toMatchObject({ key_id: id, version: 1, algorithm });
    const rawBytes = unb64(raw.public_key);
    expect(rawBytes.length).toBe(sizes.publicKey);

    const der = Buffer.from(unb64(spki.public_key));
    const fromDer = crypto.createPublicKey({ key: der, format: "der", type: "spki" });
    expect(fromDer.type).toBe("public");
    expect(fromDer.asymmetricKeyType).toBe(algorithm.toLowerCase());
    // OpenSSL re-encodes the SPKI byte for byte (RFC 9881: parameters absent).
    expect(fromDer.export({ format: "der", type: "spki" }).equals(der)).toBe(true);

    expect(pem.public_key).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$/);
    const fromPem = crypto.createPublicKey({ key: pem.public_key, format: "pem" });
    expect(fromPem.equals(fromDer)).toBe(true);

    // Node 24 / OpenSSL 3.5 imports AKP JWKs (kty "AKP", alg "ML-DSA-xx", pub), kid included.
    expect(jwk.public_key).toMatchObject({ kty: "AKP", alg: algorithm });
    expect(jwk.public_key.kid).toBe(thumbprint(jwk.public_key));
    const fromJwk = crypto.createPublicKey({ key: { ...jwk.public_key }, format: "jwk" });
    expect(fromJwk.equals(fromDer)).toBe(true);
    expect(fromDer.export({ format: "jwk" })).toEqual({ kty: "AKP", alg: algorithm, pub: Buffer.from(rawBytes).toString("base64url") });
  });

  it("OpenSSL verifies our signature without context; a changed message or signature fails", async () => {
    const key = await opensslKey(id);
    const { signature, version } = await sign(id, { message });
    expect(version).toBe(1);
    expect(signature.length).toBe(sizes.signature);
    expect(crypto.verify(null, message, key, signature)).toBe(true);
    // Hedged by default (architecture §7): signing again gives another signature, which verifies too.
    const again = await sign(id, { message });
    expect(again.signature.equals(signature)).toBe(false);
    expect(crypto.verify(null, message, key, again.signature)).toBe(true);
    expect(crypto.verify(null, flipBit(message, 0), key, signature)).toBe(false);
    expect(crypto.verify(null, message.subarray(1), key, signature)).toBe(false);
    expect(crypto.verify(null, message, key, flipBit(signature, 100))).toBe(false);
    // Pure ML-DSA with the empty context: a non-empty context must not verify it.
    expect(crypto.verify(null, message, { key, context }, signature)).toBe(false);
  });

  it("OpenSSL verifies our signature with a context ({key, context}); the context is bound", async () => {
    const key = await opensslKey(id);
    const { signature } = await sign(id, { message, context });
    expect(crypto.verify(null, message, { key, context }, signature)).toBe(true);
    expect(crypto.verify(null, message, key, signature)).toBe(false);
    expect(crypto.verify(null, message, { key, context: flipBit(context, 0) }, signature)).toBe(false);
    expect(crypto.verify(null, flipBit(message, 5), { key, context }, signature)).toBe(false);
  });

  it("a signature over an external μ (FIPS 204 Alg. 7 line 6) verifies in OpenSSL as one over the message and context", async () => {
    const raw = unb64((await publicKey(id, "raw")).public_key);
    const shake = (data: Uint8Array) => crypto.createHash("shake256", { outputLength: 64 }).update(data).digest();
    // tr = H(pk, 64); μ = H(tr ‖ M', 64) with M' = 0 ‖ |ctx| ‖ ctx ‖ M for pure ML-DSA.
    const mu = shake(Buffer.concat([shake(raw), Buffer.from([0, context.length]), context, message]));
    const signed = await tenant.api.call<{ signature: string; key_version: number }>("POST", `/v1/keys/${id}/sign`, {
      auth: tenant.token,
      body: { mu: b64(mu) },
    });
    const signature = Buffer.from(unb64(signed.signature));
    const key = await opensslKey(id);
    expect(crypto.verify(null, message, { key, context }, signature)).toBe(true);
    expect(crypto.verify(null, message, key, signature)).toBe(false);
  });

  it("OpenSSL verifies through the imported JWK and PEM as well", async () => {
    const [jwk, pem] = await Promise.all([publicKey<AkpJwk>(id, "jwk"), publicKey(id, "pem")]);
    const { signature } = await sign(id, { message, context });
    expect(crypto.verify(null, message, { key: { ...jwk.public_key }, format: "jwk", context }, signature)).toBe(true);
    expect(crypto.verify(null, message, { key: pem.public_key, format: "pem", context }, signature)).toBe(true);
  });

  it("liboqs verifies our signature (empty context) and rejects a flipped bit", async () => {
    const oqs = await sizes.liboqs();
    // liboqs-js accepts plain Uint8Arrays only (not Buffers).
    const bytes = (b: Uint8Array) => new Uint8Array(b);
    try {
      const raw = unb64((await publicKey(id, "raw")).public_key);
      const { signature } = await sign(id, { message });
      expect(oqs.verify(bytes(message), bytes(signature), raw)).toBe(true);
      expect(oqs.verify(bytes(message), bytes(flipBit(signature, signature.length - 1)), raw)).toBe(false);
      expect(oqs.verify(bytes(message), bytes(flipBit(signature, 0)), raw)).toBe(false);
      expect(oqs.verify(bytes(flipBit(message, message.length - 1)), bytes(signature), raw)).toBe(false);
      // liboqs's JS API verifies with the empty context only: a context-bound signature fails there.
      const withContext = await sign(id, { message, context });
      expect(oqs.verify(bytes(message), bytes(withContext.signature), raw)).toBe(false);
    } finally {
      oqs.destroy();
    }
  });
});

describe("rotation (ML-DSA-65)", () => {
  it("OpenSSL verifies version 2's signature with version 2's public key, and version 1's with version 1's", async () => {
    const id = await createKey("ML-DSA-65");
    const before = await sign(id, { message, context });
    expect(before.version).toBe(1);

    const rotated = await tenant.api.call<{ primary_version: number; versions: { version: number }[] }>("POST", `/v1/keys/${id}/rotate`, { auth: tenant.token });
    expect(rotated.primary_version).toBe(2);
    expect(rotated.versions.map((v) => v.version).sort()).toEqual([1, 2]);

    const after = await sign(id, { message, context });
    expect(after.version).toBe(2);
    const [v1, v2] = await Promise.all([opensslKey(id, 1), opensslKey(id, 2)]);
    expect(v1.equals(v2)).toBe(false);
    expect((await publicKey(id, "spki")).version).toBe(2);
    expect((await opensslKey(id)).equals(v2)).toBe(true);

    expect(crypto.verify(null, message, { key: v2, context }, after.signature)).toBe(true);
    expect(crypto.verify(null, message, { key: v1, context }, after.signature)).toBe(false);
    expect(crypto.verify(null, message, { key: v1, context }, before.signature)).toBe(true);
    expect(crypto.verify(null, message, { key: v2, context }, before.signature)).toBe(false);

    const jwk2 = await publicKey<AkpJwk>(id, "jwk", 2);
    expect(jwk2.version).toBe(2);
    expect(crypto.createPublicKey({ key: { ...jwk2.public_key }, format: "jwk" }).equals(v2)).toBe(true);
  });
});
