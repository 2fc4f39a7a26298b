/**
 * CryptoProvider behaviour beyond the vectors, for every provider (providers.ts): the contract (input
 * errors, implicit rejection, hedged vs deterministic signing, external μ, opaque private-key handles).
 */
import { shake256 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import { ALGORITHMS, type KemAlgorithmName, type SignatureAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { CryptoInputError } from "../../../workers/kms/src/crypto/errors.ts";
import type { PrivateKeyHandle } from "../../../workers/kms/src/crypto/provider.ts";
import { PROVIDERS } from "./providers.ts";
import { expectImplicitRejection, toHex } from "./vectors.ts";

const KEMS: readonly KemAlgorithmName[] = ["ML-KEM-512", "ML-KEM-768", "ML-KEM-1024", "X-Wing"];
const DSAS: readonly SignatureAlgorithmName[] = ["ML-DSA-44", "ML-DSA-65", "ML-DSA-87"];
/** Every key-pair algorithm but SLH-DSA-SHA2-128s, whose 0.2 s key generation slh-dsa.test.ts covers. */
const KEY_PAIRS: readonly (KemAlgorithmName | SignatureAlgorithmName)[] = [...KEMS, ...DSAS, "Composite-ML-DSA-65-P256", "SLH-DSA-SHA2-128f"];
const message = new TextEncoder().encode("attack at dawn");

/** FIPS 204 Algorithm 7 line 6 computed independently: μ = SHAKE256(SHAKE256(pk, 64) ‖ M', 64). */
function externalMu(publicKey: Uint8Array, context: Uint8Array, msg: Uint8Array): Uint8Array {
  const tr = shake256(publicKey, { dkLen: 64 });
  return shake256(Uint8Array.from([...tr, 0, context.length, ...context, ...msg]), { dkLen: 64 });
}

describe.each(PROVIDERS)("$name provider", ({ make }) => {
  const provider = make();

  describe("keys from seeds", () => {
    it.each(KEY_PAIRS)("%s: generateSeed gives the catalog's secret length, fresh each time", (algorithm) => {
      const a = provider.generateSeed(algorithm);
      const b = provider.generateSeed(algorithm);
      expect(a.length).toBe(ALGORITHMS[algorithm].secretLength);
      expect(toHex(a)).not.toBe(toHex(b));
    });

    it.each(KEY_PAIRS)("%s: the same seed gives the same public key, of the catalog's length", async (algorithm) => {
      const seed = provider.generateSeed(algorithm);
      const first = await provider.deriveKeyPair(algorithm, seed);
      const second = await provider.deriveKeyPair(algorithm, seed.slice());
      expect(first.publicKey.length).toBe(ALGORITHMS[algorithm].publicKeyLength);
      expect(toHex(second.publicKey)).toBe(toHex(first.publicKey));
      expect(toHex(first.privateKey.publicKey)).toBe(toHex(first.publicKey));
    });

    it.each(KEY_PAIRS)("%s: the handle keeps its own copy, so the vault may wipe the seed after loading", async (algorithm) => {
      const seed = provider.generateSeed(algorithm);
      const { publicKey, privateKey } = await provider.deriveKeyPair(algorithm, seed);
      seed.fill(0);
      const spec = ALGORITHMS[algorithm];
      if (spec.kind === "kem") {
        const { ciphertext, sharedSecret } = await provider.encapsulate(spec.name, publicKey);
        expect(toHex(await provider.decapsulate(privateKey, ciphertext))).toBe(toHex(sharedSecret));
      } else {
        const signature = await provider.sign(privateKey, { message });
        expect(await provider.verify(spec.name, publicKey, { message }, signature)).toBe(true);
      }
    });

    it.each(["AES-256-GCM", "ChaCha20-Poly1305"] as const)("%s: an imported key keeps working after its raw bytes are wiped", async (algorithm) => {
      const raw = provider.generateSeed(algorithm);
      const key = await provider.importSecretKey(algorithm, raw);
      const nonce = new Uint8Array(12).fill(1);
      const sealed = await provider.aeadSeal(key, nonce, new Uint8Array(0), message);
      raw.fill(0);
      expect(toHex(await provider.aeadOpen(key, nonce, new Uint8Array(0), sealed))).toBe(toHex(message));
    });

    it("rejects a seed of the wrong length, naming the operation", async () => {
      await expect(provider.deriveKeyPair("ML-KEM-768", new Uint8Array(32))).rejects.toThrow("ML-KEM-768 deriveKeyPair: seed must be 64 bytes, got 32");
      await expect(provider.deriveKeyPair("ML-DSA-65", new Uint8Array(64))).rejects.toThrow("ML-DSA-65 deriveKeyPair: seed must be 32 bytes, got 64");
      await expect(provider.deriveKeyPair("Composite-ML-DSA-65-P256", new Uint8Array(32))).rejects.toThrow("Composite-ML-DSA-65-P256 deriveKeyPair: seed must be 64 bytes, got 32");
    });

    it("rejects unknown algorithms", async () => {
      // @ts-expect-error: an unchecked string from outside
      await expect(provider.deriveKeyPair("RSA-2048", new Uint8Array(32))).rejects.toThrow(CryptoInputError);
      // @ts-expect-error: an unchecked string from outside
      expect(() => provider.generateSeed("ML-KEM-2048")).toThrow(CryptoInputError);
    });
  });

  describe("private key handles", () => {
    it("hand out copies of the public key and serialise without secrets", async () => {
      const { privateKey } = await provider.deriveKeyPair("ML-KEM-768", new Uint8Array(64).fill(7));
      const copy = privateKey.publicKey;
      copy.fill(0);
      expect(privateKey.publicKey.some((b) => b !== 0)).toBe(true);
      expect(JSON.stringify(privateKey)).toBe('{"algorithm":"ML-KEM-768"}');
      expect(Object.keys(privateKey)).toEqual(["algorithm"]);
    });

    it("are refused after destroy()", async () => {
      const { privateKey } = await provider.deriveKeyPair("ML-DSA-44", new Uint8Array(32).fill(1));
      expect(privateKey.usable).toBe(true);
      privateKey.destroy();
      expect(privateKey.usable).toBe(false);
      await expect(provider.sign(privateKey, { message })).rejects.toThrow("ML-DSA-44 sign: private key has been destroyed");
    });

    it("are refused when forged or used for the wrong kind of operation", async () => {
      const forged: PrivateKeyHandle = { algorithm: "ML-KEM-768", publicKey: new Uint8Array(1184), usable: true, destroy() {} };
      await expect(provider.decapsulate(forged, new Uint8Array(1088))).rejects.toThrow("not created by this provider");
      const { privateKey: signingKey } = await provider.deriveKeyPair("ML-DSA-65", new Uint8Array(32));
      await expect(provider.decapsulate(signingKey, new Uint8Array(1088))).rejects.toThrow("not a KEM algorithm");
      const { privateKey: kemKey } = await provider.deriveKeyPair("ML-KEM-512", new Uint8Array(64));
      await expect(provider.sign(kemKey, { message })).rejects.toThrow("not a signature algorithm");
    });
  });

  describe.each(KEMS)("%s encapsulate / decapsulate", (algorithm) => {
    const spec = ALGORITHMS[algorithm];

    it("round-trips a 32-byte shared secret", async () => {
      const { publicKey, privateKey } = await provider.deriveKeyPair(algorithm, provider.generateSeed(algorithm));
      const { ciphertext, sharedSecret } = await provider.encapsulate(algorithm, publicKey);
      expect(ciphertext.length).toBe(spec.ciphertextLength);
      expect(sharedSecret.length).toBe(32);
      expect(toHex(await provider.decapsulate(privateKey, ciphertext))).toBe(toHex(sharedSecret));
    });

    it("implicitly rejects a modified ciphertext: a stable pseudorandom secret, no error (FIPS 203 §6.3)", async () => {
      const { publicKey, privateKey } = await provider.deriveKeyPair(algorithm, provider.generateSeed(algorithm));
      const { ciphertext, sharedSecret } = await provider.encapsulate(algorithm, publicKey);
      await expectImplicitRejection(provider, privateKey, ciphertext, sharedSecret);
    });

    it("rejects wrong lengths with errors that name the operation", async () => {
      const { publicKey, privateKey } = await provider.deriveKeyPair(algorithm, provider.generateSeed(algorithm));
      await expect(provider.decapsulate(privateKey, new Uint8Array(spec.ciphertextLength + 1))).rejects.toThrow(
        `${algorithm} decapsulate: ciphertext must be ${spec.ciphertextLength} bytes, got ${spec.ciphertextLength + 1}`,
      );
      await expect(provider.encapsulate(algorithm, publicKey.subarray(1))).rejects.toThrow(`${algorithm} encapsulate: public key must be ${spec.publicKeyLength} bytes`);
    });
  });


  describe.each(DSAS)("%s sign / verify", (algorithm) => {
    const spec = ALGORITHMS[algorithm];
    const keys = provider.deriveKeyPair(algorithm, new Uint8Array(32).fill(0x2a));
    const context = new TextEncoder().encode("pqkms-test");

    it("is hedged by default: two signatures differ and both verify", async () => {
      const { publicKey, privateKey } = await keys;
      const a = await provider.sign(privateKey, { message });
      const b = await provider.sign(privateKey, { message });
      expect(a.length).toBe(spec.signatureLength);
      expect(toHex(a)).not.toBe(toHex(b));
      expect(await provider.verify(algorithm, publicKey, { message }, a)).toBe(true);
      expect(await provider.verify(algorithm, publicKey, { message }, b)).toBe(true);
    });

    it("is repeatable when deterministic, and binds the context", async () => {
      const { publicKey, privateKey } = await keys;
      const a = await provider.sign(privateKey, { message }, { context, deterministic: true });
      const b = await provider.sign(privateKey, { message }, { context, deterministic: true });
      expect(toHex(a)).toBe(toHex(b));
      expect(await provider.verify(algorithm, publicKey, { message }, a, context)).toBe(true);
      expect(await provider.verify(algorithm, publicKey, { message }, a)).toBe(false);
      expect(await provider.verify(algorithm, publicKey, { message }, a, new TextEncoder().encode("other"))).toBe(false);
    });

    it("signs an external μ exactly as it signs the message it stands for", async () => {
      const { publicKey, privateKey } = await keys;
      const mu = externalMu(publicKey, context, message);
      const viaMessage = await provider.sign(privateKey, { message }, { context, deterministic: true });
      const viaMu = await provider.sign(privateKey, { mu }, { deterministic: true });
      expect(toHex(viaMu)).toBe(toHex(viaMessage));
      expect(await provider.verify(algorithm, publicKey, { mu }, viaMu)).toBe(true);
      expect(await provider.verify(algorithm, publicKey, { message }, viaMu, context)).toBe(true);
    });

    it("answers false for signatures of the wrong length or modified", async () => {
      const { publicKey, privateKey } = await keys;
      const signature = await provider.sign(privateKey, { message });
      expect(await provider.verify(algorithm, publicKey, { message }, signature.subarray(1))).toBe(false);
      expect(await provider.verify(algorithm, publicKey, { message }, new Uint8Array(0))).toBe(false);
      const modified = signature.slice();
      modified[10] = (modified[10] ?? 0) ^ 0x80;
      expect(await provider.verify(algorithm, publicKey, { message }, modified)).toBe(false);
    });

    it("rejects bad inputs before signing", async () => {
      const { publicKey, privateKey } = await keys;
      await expect(provider.sign(privateKey, { message }, { context: new Uint8Array(256) })).rejects.toThrow(`${algorithm} sign: context must be at most 255 bytes, got 256`);
      await expect(provider.sign(privateKey, { mu: new Uint8Array(63) })).rejects.toThrow(`${algorithm} sign: mu must be 64 bytes, got 63`);
      await expect(provider.sign(privateKey, { mu: new Uint8Array(64) }, { context })).rejects.toThrow("context cannot be combined with mu");
      const both = { message, mu: new Uint8Array(64) } as unknown as { message: Uint8Array };
      await expect(provider.sign(privateKey, both)).rejects.toThrow("give exactly one of message or mu");
      await expect(provider.verify(algorithm, publicKey.subarray(2), { message }, new Uint8Array(spec.signatureLength))).rejects.toThrow("public key must be");
    });
  });
});
