/**
 * Live cross-check of HPKE envelopes with an independent RFC 9180 implementation (@hpke/core with
 * @hpke/ml-kem and @hpke/hybridkem-x-wing): a third party given only our public key and the architecture §7
 * layout produces envelopes we open, and opens ours with the private seed. For every provider
 * (providers.ts), both natively where the runtime can.
 */
import { Aes256Gcm, CipherSuite, HkdfSha256, HkdfSha384 } from "@hpke/core";
import { XWing } from "@hpke/hybridkem-x-wing";
import { MlKem1024, MlKem512, MlKem768 } from "@hpke/ml-kem";
import { describe, expect, it } from "vitest";
import { ALGORITHMS, HPKE_KDF_ID, type KemAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { decodeEnvelope, encodeEnvelopeHeader } from "../../../workers/kms/src/crypto/envelope.ts";
import { decodeAndOpen, openEnvelope, sealEnvelope } from "../../../workers/kms/src/crypto/hpke-envelope.ts";
import { PROVIDERS } from "./providers.ts";

const KEY_ID = "6f1d2c3b-4a59-4e6f-8071-8293a4b5c6d7";
const aad = new TextEncoder().encode("order:1234");
const plaintext = new TextEncoder().encode("post-quantum envelope interop");

function theirSuite(algorithm: KemAlgorithmName): CipherSuite {
  const { hpke } = ALGORITHMS[algorithm];
  const kem = { "ML-KEM-512": new MlKem512(), "ML-KEM-768": new MlKem768(), "ML-KEM-1024": new MlKem1024(), "X-Wing": new XWing() }[algorithm];
  const kdf = hpke.kdfId === HPKE_KDF_ID.HKDF_SHA384 ? new HkdfSha384() : new HkdfSha256();
  return new CipherSuite({ kem, kdf, aead: new Aes256Gcm() });
}

describe.each(PROVIDERS)("$name provider", ({ make }) => {
  const provider = make();

  describe.each(["ML-KEM-512", "ML-KEM-768", "ML-KEM-1024", "X-Wing"] as const)("@hpke/core interop, %s", (algorithm) => {
    const spec = ALGORITHMS[algorithm];
    const suite = theirSuite(algorithm);

    it("uses the same suite ids as our catalog", () => {
      expect([suite.kem.id, suite.kdf.id, suite.aead.id]).toEqual([spec.hpke.kemId, spec.hpke.kdfId, spec.hpke.aeadId]);
    });

    it("their seal to our public key, with info = our header, opens with openEnvelope", async () => {
      const seed = provider.generateSeed(algorithm);
      const { publicKey, privateKey } = await provider.deriveKeyPair(algorithm, seed);
      const header = encodeEnvelopeHeader({ type: "hpke", keyId: KEY_ID, keyVersion: 3, suite: spec.hpke });
      const recipientPublicKey = await suite.kem.importKey("raw", publicKey, true);
      const { enc, ct } = await suite.seal({ recipientPublicKey, info: header }, plaintext, aad);
      const envelope = Uint8Array.from([...header, ...new Uint8Array(enc), ...new Uint8Array(ct)]);
      expect(await decodeAndOpen(openEnvelope, provider, privateKey, envelope, aad, { keyId: KEY_ID, keyVersion: 3 })).toEqual({ ok: true, value: plaintext });
      // And their envelope is still bound to its aad on our side.
      expect(await decodeAndOpen(openEnvelope, provider, privateKey, envelope, new Uint8Array(0), { keyId: KEY_ID, keyVersion: 3 })).toEqual({
        ok: false,
        error: { code: "decrypt_failed" },
      });
    });

    it("our sealEnvelope opens with theirs, given our stored seed as the private key", async () => {
      const seed = provider.generateSeed(algorithm);
      const { publicKey } = await provider.deriveKeyPair(algorithm, seed);
      const envelope = await sealEnvelope(provider, algorithm, KEY_ID, 4, publicKey, plaintext, aad);
      const decoded = decodeEnvelope(envelope);
      if (!decoded.ok || decoded.value.type !== "hpke") throw new Error("expected an HPKE envelope");
      const recipientKey = await suite.kem.importKey("raw", seed, false);
      const opened = await suite.open({ recipientKey, enc: decoded.value.enc, info: decoded.value.header }, decoded.value.ciphertext, aad);
      expect(new Uint8Array(opened)).toEqual(plaintext);
      await expect(suite.open({ recipientKey, enc: decoded.value.enc, info: decoded.value.header }, decoded.value.ciphertext, new Uint8Array(1))).rejects.toThrow();
    });
  });
});
