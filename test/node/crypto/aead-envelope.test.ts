/**
 * Symmetric keys end to end: secret-key handles in the provider, the architecture §7 AEAD envelope (byte
 * layout; an independent implementation, OpenSSL through node:crypto, seals envelopes we open and
 * opens ours; a tamper matrix that always gives the same opaque `decrypt_failed`), and data keys.
 */
import crypto from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DATA_KEY_LENGTH, generateDataKey, openAeadEnvelope, sealAeadEnvelope } from "../../../workers/kms/src/crypto/aead-envelope.ts";
import { ALGORITHMS, type AeadAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { AEAD_HEADER_LENGTH, decodeEnvelope, encodeEnvelopeHeader } from "../../../workers/kms/src/crypto/envelope.ts";
import { CryptoInputError } from "../../../workers/kms/src/crypto/errors.ts";
import { decodeAndOpen, openEnvelope, sealEnvelope } from "../../../workers/kms/src/crypto/hpke-envelope.ts";
import { NobleProvider } from "../../../workers/kms/src/crypto/noble-provider.ts";
import type { SecretKeyHandle } from "../../../workers/kms/src/crypto/provider.ts";
import { scriptedRandom, toHex } from "./vectors.ts";

const provider = new NobleProvider();
const KEY_ID = "0190f3a2-7b1c-7def-8a12-3456789abcde";
const OTHER_KEY_ID = "0190f3a2-7b1c-7def-8a12-3456789abcdf";
const plaintext = new TextEncoder().encode("symmetric secrets");
const aad = new TextEncoder().encode("tenant-aad");
const DECRYPT_FAILED = { ok: false, error: { code: "decrypt_failed" } };
const AEADS: readonly AeadAlgorithmName[] = ["AES-256-GCM", "ChaCha20-Poly1305"];
const NODE_CIPHER = { "AES-256-GCM": "aes-256-gcm", "ChaCha20-Poly1305": "chacha20-poly1305" } as const;

/** OpenSSL's AEAD seal/open (node:crypto), independent of ours. */
function nodeSeal(algorithm: AeadAlgorithmName, key: Uint8Array, nonce: Uint8Array, additional: Uint8Array, data: Uint8Array): Uint8Array {
  const cipher = crypto.createCipheriv(NODE_CIPHER[algorithm] as "aes-256-gcm", key, nonce, { authTagLength: 16 });
  cipher.setAAD(additional);
  return Uint8Array.from([...cipher.update(data), ...cipher.final(), ...cipher.getAuthTag()]);
}

function nodeOpen(algorithm: AeadAlgorithmName, key: Uint8Array, nonce: Uint8Array, additional: Uint8Array, sealed: Uint8Array): Uint8Array {
  const decipher = crypto.createDecipheriv(NODE_CIPHER[algorithm] as "aes-256-gcm", key, nonce, { authTagLength: 16 });
  decipher.setAAD(additional);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Uint8Array.from([...decipher.update(sealed.subarray(0, sealed.length - 16)), ...decipher.final()]);
}

describe.each(AEADS)("%s keys", (algorithm) => {
  const spec = ALGORITHMS[algorithm];
  const raw = provider.generateSeed(algorithm);
  const handle = provider.importSecretKey(algorithm, raw);

  it("seal: header (alg_id) ‖ the nonce drawn for it ‖ ct‖tag, aad = header ‖ caller aad", async () => {
    const nonce = new Uint8Array(12).fill(0x42);
    const envelope = await sealAeadEnvelope(provider, await handle, KEY_ID, 7, plaintext, aad, scriptedRandom(nonce));
    const header = encodeEnvelopeHeader({ type: "aead", keyId: KEY_ID, keyVersion: 7, algId: spec.envelopeAlgId });
    expect(toHex(envelope.subarray(0, AEAD_HEADER_LENGTH))).toBe(toHex(header));
    expect(toHex(envelope.subarray(AEAD_HEADER_LENGTH, AEAD_HEADER_LENGTH + 12))).toBe(toHex(nonce));
    expect(envelope.length).toBe(AEAD_HEADER_LENGTH + 12 + plaintext.length + 16);
    const sealed = envelope.subarray(AEAD_HEADER_LENGTH + 12);
    expect(toHex(nodeOpen(algorithm, raw, nonce, Uint8Array.from([...header, ...aad]), sealed))).toBe(toHex(plaintext));
  });

  it("opens an envelope OpenSSL sealed from the layout alone", async () => {
    const header = encodeEnvelopeHeader({ type: "aead", keyId: KEY_ID, keyVersion: 3, algId: spec.envelopeAlgId });
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const envelope = Uint8Array.from([...header, ...nonce, ...nodeSeal(algorithm, raw, nonce, Uint8Array.from([...header, ...aad]), plaintext)]);
    expect(await decodeAndOpen(openAeadEnvelope, provider, await handle, envelope, aad, { keyId: KEY_ID, keyVersion: 3 })).toEqual({ ok: true, value: plaintext });
  });

  it("never repeats a nonce or ciphertext, and handles empty plaintext and aad", async () => {
    const empty = new Uint8Array(0);
    const a = await sealAeadEnvelope(provider, await handle, KEY_ID, 1, empty, empty);
    const b = await sealAeadEnvelope(provider, await handle, KEY_ID, 1, empty, empty);
    expect(toHex(a.subarray(AEAD_HEADER_LENGTH, AEAD_HEADER_LENGTH + 12))).not.toBe(toHex(b.subarray(AEAD_HEADER_LENGTH, AEAD_HEADER_LENGTH + 12)));
    expect(await decodeAndOpen(openAeadEnvelope, provider, await handle, a, empty, { keyId: KEY_ID, keyVersion: 1 })).toEqual({ ok: true, value: empty });
  });

  it("aeadSeal / aeadOpen check lengths first, naming the operation; auth failures say nothing more", async () => {
    const key = await handle;
    await expect(provider.aeadSeal(key, new Uint8Array(11), aad, plaintext)).rejects.toThrow(`${algorithm} seal: nonce must be 12 bytes, got 11`);
    await expect(provider.aeadOpen(key, new Uint8Array(12), aad, new Uint8Array(15))).rejects.toThrow(`${algorithm} open: ciphertext must be at least 16 bytes`);
    await expect(provider.aeadOpen(key, new Uint8Array(12), aad, new Uint8Array(16))).rejects.toThrow("aead open: authentication failed");
    await expect(provider.importSecretKey(algorithm, raw.subarray(1))).rejects.toThrow(`${algorithm} importSecretKey: key must be 32 bytes, got 31`);
  });
});

describe("secret-key handles", () => {
  it("are opaque, refused after destroy(), refused when forged or of another kind", async () => {
    const key = await provider.importSecretKey("ChaCha20-Poly1305", new Uint8Array(32).fill(3));
    expect(JSON.stringify(key)).toBe('{"algorithm":"ChaCha20-Poly1305"}');
    expect(Object.keys(key)).toEqual(["algorithm"]);
    expect(key.usable).toBe(true);
    key.destroy();
    expect(key.usable).toBe(false);
    await expect(provider.aeadSeal(key, new Uint8Array(12), aad, plaintext)).rejects.toThrow("ChaCha20-Poly1305 seal: secret key has been destroyed");
    const forged: SecretKeyHandle = { algorithm: "AES-256-GCM", usable: true, destroy() {} };
    await expect(provider.aeadOpen(forged, new Uint8Array(12), aad, new Uint8Array(16))).rejects.toThrow("secret key was not created by this provider");
    const { privateKey } = await provider.deriveKeyPair("ML-KEM-512", new Uint8Array(64));
    await expect(provider.aeadSeal(privateKey as unknown as SecretKeyHandle, new Uint8Array(12), aad, plaintext)).rejects.toThrow("not an AEAD algorithm");
  });

  it("symmetric algorithms have a 32-byte random secret and no key pair", async () => {
    expect(provider.generateSeed("AES-256-GCM").length).toBe(32);
    await expect(provider.deriveKeyPair("AES-256-GCM", new Uint8Array(32))).rejects.toThrow("AES-256-GCM deriveKeyPair: a symmetric key has no key pair; use importSecretKey");
    // @ts-expect-error: an asymmetric algorithm name where an AEAD is required
    await expect(provider.importSecretKey("ML-DSA-65", new Uint8Array(32))).rejects.toThrow(CryptoInputError);
  });
});

describe("AEAD envelope tamper matrix: one opaque failure", async () => {
  const key = await provider.importSecretKey("AES-256-GCM", new Uint8Array(32).fill(9));
  const binding = { keyId: KEY_ID, keyVersion: 4 };
  const envelope = await sealAeadEnvelope(provider, key, KEY_ID, 4, plaintext, aad);

  it("opens untouched (the baseline the matrix departs from)", async () => {
    expect(await decodeAndOpen(openAeadEnvelope, provider, key, envelope, aad, binding)).toEqual({ ok: true, value: plaintext });
  });

  it("property: any single-byte change gives decrypt_failed, never a throw", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: envelope.length - 1 }), fc.integer({ min: 1, max: 255 }), async (index, xor) => {
        const tampered = envelope.slice();
        tampered[index] = (tampered[index] ?? 0) ^ xor;
        expect(await decodeAndOpen(openAeadEnvelope, provider, key, tampered, aad, binding)).toEqual(DECRYPT_FAILED);
      }),
      { numRuns: 200 },
    );
  });

  it("truncation, extension, wrong or missing aad, another key id or version, another key or algorithm", async () => {
    for (const length of [0, 5, 26, 27, 38, 39, envelope.length - 1]) {
      expect(await decodeAndOpen(openAeadEnvelope, provider, key, envelope.subarray(0, length), aad, binding)).toEqual(DECRYPT_FAILED);
    }
    expect(await decodeAndOpen(openAeadEnvelope, provider, key, Uint8Array.from([...envelope, 0]), aad, binding)).toEqual(DECRYPT_FAILED);
    expect(await decodeAndOpen(openAeadEnvelope, provider, key, envelope, new TextEncoder().encode("tenant-aaD"), binding)).toEqual(DECRYPT_FAILED);
    expect(await decodeAndOpen(openAeadEnvelope, provider, key, envelope, new Uint8Array(0), binding)).toEqual(DECRYPT_FAILED);
    expect(await decodeAndOpen(openAeadEnvelope, provider, key, envelope, aad, { keyId: OTHER_KEY_ID, keyVersion: 4 })).toEqual(DECRYPT_FAILED);
    expect(await decodeAndOpen(openAeadEnvelope, provider, key, envelope, aad, { keyId: KEY_ID, keyVersion: 5 })).toEqual(DECRYPT_FAILED);
    const other = await provider.importSecretKey("AES-256-GCM", new Uint8Array(32).fill(10));
    expect(await decodeAndOpen(openAeadEnvelope, provider, other, envelope, aad, binding)).toEqual(DECRYPT_FAILED);
    // Same key bytes as ChaCha20-Poly1305: the alg_id names AES-256-GCM, so it is not even tried.
    const chacha = await provider.importSecretKey("ChaCha20-Poly1305", new Uint8Array(32).fill(9));
    expect(await decodeAndOpen(openAeadEnvelope, provider, chacha, envelope, aad, binding)).toEqual(DECRYPT_FAILED);
    const relabelled = envelope.slice();
    relabelled[26] = 0x02;
    expect(decodeEnvelope(relabelled).ok).toBe(true);
    expect(await decodeAndOpen(openAeadEnvelope, provider, chacha, relabelled, aad, binding)).toEqual(DECRYPT_FAILED);
  });

  it("an HPKE envelope is not an AEAD envelope, and vice versa", async () => {
    const { publicKey, privateKey } = await provider.deriveKeyPair("ML-KEM-768", new Uint8Array(64).fill(1));
    const hpke = await sealEnvelope(provider, "ML-KEM-768", KEY_ID, 4, publicKey, plaintext, aad);
    expect(await decodeAndOpen(openAeadEnvelope, provider, key, hpke, aad, binding)).toEqual(DECRYPT_FAILED);
    expect(await decodeAndOpen(openEnvelope, provider, privateKey, envelope, aad, binding)).toEqual(DECRYPT_FAILED);
  });

  it("programming errors of the caller still throw", async () => {
    await expect(decodeAndOpen(openAeadEnvelope, provider, key, envelope, aad, { keyId: "not-a-uuid", keyVersion: 4 })).rejects.toThrow(CryptoInputError);
    await expect(sealAeadEnvelope(provider, key, KEY_ID, 2 ** 32, plaintext, aad)).rejects.toThrow("key version must be a u32");
  });
});

describe("data keys", () => {
  it("are 32 fresh random bytes", () => {
    const a = generateDataKey();
    expect(a.length).toBe(DATA_KEY_LENGTH);
    expect(toHex(a)).not.toBe(toHex(generateDataKey()));
    expect(toHex(generateDataKey(scriptedRandom(new Uint8Array(32).fill(5))))).toBe("05".repeat(32));
    expect(() => generateDataKey(() => new Uint8Array(16))).toThrow("generate data key: random source returned the wrong length");
  });

  it("wrapped by a symmetric key or an X-Wing key, unwrap to the same bytes, usable as AES-256-GCM keys", async () => {
    const dataKey = generateDataKey();
    const chacha = await provider.importSecretKey("ChaCha20-Poly1305", provider.generateSeed("ChaCha20-Poly1305"));
    const wrapped = await sealAeadEnvelope(provider, chacha, KEY_ID, 1, dataKey, new Uint8Array(0));
    const unwrapped = await decodeAndOpen(openAeadEnvelope, provider, chacha, wrapped, new Uint8Array(0), { keyId: KEY_ID, keyVersion: 1 });
    expect(unwrapped.ok && toHex(unwrapped.value)).toBe(toHex(dataKey));
    const xwing = await provider.deriveKeyPair("X-Wing", provider.generateSeed("X-Wing"));
    const sealed = await sealEnvelope(provider, "X-Wing", KEY_ID, 2, xwing.publicKey, dataKey, new Uint8Array(0));
    const opened = await decodeAndOpen(openEnvelope, provider, xwing.privateKey, sealed, new Uint8Array(0), { keyId: KEY_ID, keyVersion: 2 });
    expect(opened.ok && toHex(opened.value)).toBe(toHex(dataKey));
    const asKey = await provider.importSecretKey("AES-256-GCM", dataKey);
    const nonce = new Uint8Array(12);
    expect(toHex(await provider.aeadSeal(asKey, nonce, aad, plaintext))).toBe(toHex(nodeSeal("AES-256-GCM", dataKey, nonce, aad, plaintext)));
  });
});
