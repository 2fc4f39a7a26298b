/**
 * Live cross-checks against liboqs (Open Quantum Safe, via its WASM build @oqs/liboqs-js; tests only,
 * never in Worker code). Its JS API has no ML-DSA context parameter, so only the empty context is
 * exercised here; node-crypto-interop.test.ts covers contexts against OpenSSL. For every provider
 * (providers.ts).
 */
import { createMLDSA44, createMLDSA65, createMLDSA87, createMLKEM1024, createMLKEM512, createMLKEM768 } from "@oqs/liboqs-js";
import { afterAll, describe, expect, it } from "vitest";
import { PROVIDERS } from "./providers.ts";
import { toHex } from "./vectors.ts";

const message = new TextEncoder().encode("verified by liboqs");

const SIGNERS = { "ML-DSA-44": createMLDSA44, "ML-DSA-65": createMLDSA65, "ML-DSA-87": createMLDSA87 } as const;
const KEMS = { "ML-KEM-512": createMLKEM512, "ML-KEM-768": createMLKEM768, "ML-KEM-1024": createMLKEM1024 } as const;

describe.each(PROVIDERS)("$name provider", ({ make }) => {
  const provider = make();

  describe.each(Object.keys(SIGNERS) as (keyof typeof SIGNERS)[])("liboqs %s", async (algorithm) => {
    const oqs = await SIGNERS[algorithm]();
    afterAll(() => oqs.destroy());

    it("verifies our hedged and deterministic signatures, and rejects a modified one", async () => {
      const { publicKey, privateKey } = await provider.deriveKeyPair(algorithm, provider.generateSeed(algorithm));
      const hedged = await provider.sign(privateKey, { message });
      const deterministic = await provider.sign(privateKey, { message }, { deterministic: true });
      expect(oqs.verify(message, hedged, publicKey)).toBe(true);
      expect(oqs.verify(message, deterministic, publicKey)).toBe(true);
      const modified = hedged.slice();
      modified[0] = (modified[0] ?? 0) ^ 1;
      expect(oqs.verify(message, modified, publicKey)).toBe(false);
    });

    it("signs with its own key pair; we verify", async () => {
      const { publicKey, secretKey } = oqs.generateKeyPair();
      const signature = oqs.sign(message, secretKey);
      expect(await provider.verify(algorithm, publicKey, { message }, signature)).toBe(true);
      expect(await provider.verify(algorithm, publicKey, { message: message.subarray(1) }, signature)).toBe(false);
    });
  });

  describe.each(Object.keys(KEMS) as (keyof typeof KEMS)[])("liboqs %s", async (algorithm) => {
    const oqs = await KEMS[algorithm]();
    afterAll(() => oqs.destroy());

    it("encapsulates to our public key; we decapsulate the same secret", async () => {
      const { publicKey, privateKey } = await provider.deriveKeyPair(algorithm, provider.generateSeed(algorithm));
      const { ciphertext, sharedSecret } = oqs.encapsulate(publicKey);
      expect(toHex(await provider.decapsulate(privateKey, ciphertext))).toBe(toHex(sharedSecret));
    });

    it("decapsulates what we encapsulate to its public key", async () => {
      const { publicKey, secretKey } = oqs.generateKeyPair();
      const { ciphertext, sharedSecret } = await provider.encapsulate(algorithm, publicKey);
      expect(toHex(oqs.decapsulate(ciphertext, secretKey))).toBe(toHex(sharedSecret));
    });
  });
});
