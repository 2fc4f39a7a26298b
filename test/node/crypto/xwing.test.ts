/**
 * X-Wing (draft-connolly-cfrg-xwing-kem-10) through the provider: the draft's own test vectors
 * (seed → sk, pk; eseed → ct, ss; Decapsulate), the draft-ietf-hpke-pq X-Wing suites (DeriveKeyPair,
 * key schedule, every encryption), implicit rejection, and what is refused.
 * The @hpke/core + @hpke/hybridkem-x-wing cross-check lives in hpke-interop.test.ts.
 * Every provider (providers.ts) runs it: WebCryptoProvider's keygen and Decapsulate are native halves
 * joined in TypeScript; the eseed vectors need injected randomness, so its noble fallback answers them
 * (its native Encapsulate is checked by round trips here and in webcrypto-provider.test.ts).
 */
import { shake256 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import { ALGORITHMS } from "../../../workers/kms/src/crypto/algorithms.ts";
import { CryptoInputError } from "../../../workers/kms/src/crypto/errors.ts";
import { keyScheduleBase, openBase, sealBase, setupBaseRecipient, setupBaseSender } from "../../../workers/kms/src/crypto/hpke.ts";
import { PROVIDERS } from "./providers.ts";
import { expectImplicitRejection, hex, readJsonVector, scriptedRandom, toHex, type HpkeVector } from "./vectors.ts";

interface XWingVector {
  readonly seed: string;
  readonly sk: string;
  readonly pk: string;
  readonly eseed: string;
  readonly ct: string;
  readonly ss: string;
}


const spec = ALGORITHMS["X-Wing"];
const vectors = readJsonVector<XWingVector[]>("xwing-test-vectors.json");

describe.each(PROVIDERS)("$name provider", ({ make }) => {
  const provider = make();

  describe("draft-connolly-cfrg-xwing-kem test vectors", () => {
    it("has the three vectors of spec/test-vectors.json", () => expect(vectors.length).toBe(3));

    describe.each(vectors.map((v, i) => [i, v] as const))("vector %i", (_i, v) => {
      it("GenerateKeyPairDerand: the 32-byte seed is the stored secret and gives pk", async () => {
        expect(v.sk).toBe(v.seed);
        const { publicKey } = await provider.deriveKeyPair("X-Wing", hex(v.seed));
        expect(toHex(publicKey)).toBe(v.pk);
      });

      it("EncapsulateDerand: eseed (ML-KEM m ‖ X25519 ephemeral secret) gives ct and ss", async () => {
        const random = scriptedRandom(hex(v.eseed));
        const { ciphertext, sharedSecret } = await make({ random }).encapsulate("X-Wing", hex(v.pk));
        expect(random.remaining).toBe(0);
        expect(toHex(ciphertext)).toBe(v.ct);
        expect(toHex(sharedSecret)).toBe(v.ss);
      });

      it("Decapsulate recovers ss", async () => {
        const { privateKey } = await provider.deriveKeyPair("X-Wing", hex(v.sk));
        expect(toHex(await provider.decapsulate(privateKey, hex(v.ct)))).toBe(v.ss);
      });
    });
  });

  describe("X-Wing decapsulation behaviour", async () => {
    const { publicKey, privateKey } = await provider.deriveKeyPair("X-Wing", provider.generateSeed("X-Wing"));
    const { ciphertext, sharedSecret } = await provider.encapsulate("X-Wing", publicKey);

    it("rejects implicitly: a modified ML-KEM part gives a stable, different secret, no error", async () => {
      await expectImplicitRejection(provider, privateKey, ciphertext, sharedSecret);
    });

    it("a modified X25519 part also changes the secret (ct_X is hashed into the combiner, §5.3)", async () => {
      const tampered = ciphertext.slice();
      tampered[1100] = (tampered[1100] ?? 0) ^ 1;
      expect(toHex(await provider.decapsulate(privateKey, tampered))).not.toBe(toHex(sharedSecret));
    });

    it("refuses a low-order X25519 part (RFC 7748 §6.1) with an input error, not an internal one", async () => {
      const lowOrder = ciphertext.slice();
      lowOrder.fill(0, 1088); // u = 0 is a point of order 4
      await expect(provider.decapsulate(privateKey, lowOrder)).rejects.toThrow(CryptoInputError);
      await expect(provider.decapsulate(privateKey, lowOrder)).rejects.toThrow("X-Wing decapsulate: ciphertext's X25519 part is a low-order point");
    });

    it("checks lengths first, naming the operation", async () => {
      await expect(provider.decapsulate(privateKey, ciphertext.subarray(1))).rejects.toThrow("X-Wing decapsulate: ciphertext must be 1120 bytes, got 1119");
      await expect(provider.encapsulate("X-Wing", publicKey.subarray(1))).rejects.toThrow("X-Wing encapsulate: public key must be 1216 bytes, got 1215");
      await expect(provider.deriveKeyPair("X-Wing", new Uint8Array(64))).rejects.toThrow("X-Wing deriveKeyPair: seed must be 32 bytes, got 64");
    });

    it("refuses to encapsulate to a public key whose ML-KEM part fails the FIPS 203 §7.2 check", async () => {
      const bad = publicKey.slice();
      bad.fill(0xff, 0, 384); // coefficients ≥ q
      await expect(provider.encapsulate("X-Wing", bad)).rejects.toThrow("X-Wing encapsulate: public key rejected");
    });
  });

  /**
   * draft-ietf-hpke-pq DeriveKeyPair for X-Wing, computed independently of our code: the 32-byte
   * secret is SHAKE256.LabeledDerive(ikm, "DeriveKeyPair", "", 32) with suite_id "KEM" ‖ 0x647a.
   */
  function deriveXWingSeed(ikm: Uint8Array): Uint8Array {
    const enc = new TextEncoder();
    const label = enc.encode("DeriveKeyPair");
    return shake256(Uint8Array.from([...ikm, ...enc.encode("HPKE-v1"), ...enc.encode("KEM"), 0x64, 0x7a, 0, label.length, ...label, 0, 32]), { dkLen: 32 });
  }

  describe("draft-ietf-hpke-pq vectors, X-Wing suites", () => {
    const xwing = readJsonVector<HpkeVector[]>("hpke-pq-test-vectors.json").filter((v) => v.kem_id === spec.hpke.kemId);
    const twoStage = xwing.filter((v) => v.kdf_id <= 0x0003);

    it("covers the HKDF suite and refuses the single-stage (SHAKE) one", async () => {
      expect(xwing.map((v) => [v.kdf_id, v.aead_id])).toEqual([
        [0x0001, 0x0003],
        [0x0011, 0x0003],
      ]);
      const single = xwing.find((v) => v.kdf_id === 0x0011);
      if (single === undefined) throw new Error("no single-stage vector");
      const suite = { kemId: single.kem_id, kdfId: single.kdf_id, aeadId: single.aead_id };
      await expect(setupBaseSender(provider, "X-Wing", suite, hex(single.pkRm), hex(single.info))).rejects.toThrow(CryptoInputError);
    });

    describe.each(twoStage.map((v) => [`kdf ${v.kdf_id} aead ${v.aead_id}`, v] as const))("%s", (_name, v) => {
      const suite = { kemId: v.kem_id, kdfId: v.kdf_id, aeadId: v.aead_id };
      const info = hex(v.info);

      it("derives skRm from ikmR and pkRm from skRm", async () => {
        expect(toHex(deriveXWingSeed(hex(v.ikmR)))).toBe(v.skRm);
        expect(toHex((await provider.deriveKeyPair("X-Wing", hex(v.skRm))).publicKey)).toBe(v.pkRm);
      });

      it("computes the key schedule", () => {
        const schedule = keyScheduleBase("X-Wing", suite, hex(v.shared_secret), info);
        expect([toHex(schedule.key), toHex(schedule.baseNonce), toHex(schedule.exporterSecret)]).toEqual([v.key, v.base_nonce, v.exporter_secret]);
      });

      it("as sender: enc from ikmE (the 64-byte eseed), then every encryption and export", async () => {
        const random = scriptedRandom(hex(v.ikmE));
        const { enc, context } = await setupBaseSender(make({ random }), "X-Wing", suite, hex(v.pkRm), info);
        expect(toHex(enc)).toBe(v.enc);
        for (const e of v.encryptions) expect(toHex(await context.seal(hex(e.aad), hex(e.pt)))).toBe(e.ct);
        for (const x of v.exports) expect(toHex(context.export(hex(x.exporter_context), x.L))).toBe(x.exported_value);
      });

      it("as recipient: decapsulates enc and opens every encryption in sequence", async () => {
        const { privateKey } = await provider.deriveKeyPair("X-Wing", hex(v.skRm));
        const context = await setupBaseRecipient(provider, privateKey, suite, hex(v.enc), info);
        for (const e of v.encryptions) expect(toHex(await context.open(hex(e.aad), hex(e.ct)))).toBe(e.pt);
      });

      it("single-shot SealBase / OpenBase reproduce the first encryption", async () => {
        const first = v.encryptions[0];
        if (first === undefined) throw new Error("no encryptions");
        const sealed = await sealBase(make({ random: scriptedRandom(hex(v.ikmE)) }), "X-Wing", suite, hex(v.pkRm), info, hex(first.aad), hex(first.pt));
        expect([toHex(sealed.enc), toHex(sealed.ciphertext)]).toEqual([v.enc, first.ct]);
        const { privateKey } = await provider.deriveKeyPair("X-Wing", hex(v.skRm));
        expect(toHex(await openBase(provider, privateKey, suite, hex(v.enc), info, hex(first.aad), hex(first.ct)))).toBe(first.pt);
      });
    });
  });
});
