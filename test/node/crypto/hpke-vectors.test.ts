/**
 * HPKE conformance against the draft-ietf-hpke-pq test vectors (hpkewg/hpke-pq test-vectors.json),
 * mode_base, every ML-KEM suite whose KDF is a two-stage HKDF: key pair from ikmR, enc and
 * shared_secret from ikmE, the key schedule, every encryption (sequence numbers 0..n), every export.
 * Every provider (providers.ts) runs it; enc from ikmE needs injected randomness, which
 * WebCryptoProvider serves from its noble fallback, while its recipient side decapsulates natively.
 */
import { shake256 } from "@noble/hashes/sha3.js";
import { describe, expect, it } from "vitest";
import { kemAlgorithmForHpkeKemId, type HpkeSuite } from "../../../workers/kms/src/crypto/algorithms.ts";
import { CryptoInputError } from "../../../workers/kms/src/crypto/errors.ts";
import { hpkeSuiteId, keyScheduleBase, openBase, sealBase, setupBaseRecipient, setupBaseSender } from "../../../workers/kms/src/crypto/hpke.ts";
import { PROVIDERS } from "./providers.ts";
import { hex, readJsonVector, scriptedRandom, toHex, type HpkeVector } from "./vectors.ts";


const vectors = readJsonVector<HpkeVector[]>("hpke-pq-test-vectors.json");
const mlKemVectors = vectors.filter((v) => v.kem_id >= 0x0040 && v.kem_id <= 0x0042);
const TWO_STAGE_KDFS = new Set([0x0001, 0x0002, 0x0003]);
const supported = mlKemVectors.filter((v) => TWO_STAGE_KDFS.has(v.kdf_id));
const singleStage = mlKemVectors.filter((v) => !TWO_STAGE_KDFS.has(v.kdf_id));

/**
 * draft-ietf-hpke-pq §3 DeriveKeyPair for ML-KEM, computed independently of our code:
 * dk = SHAKE256.LabeledDerive(ikm, "DeriveKeyPair", "", 64), where (draft-ietf-hpke-hpke §4)
 * LabeledDerive(ikm, label, context, L) = SHAKE256(ikm ‖ "HPKE-v1" ‖ suite_id ‖ I2OSP(len(label), 2) ‖ label ‖ I2OSP(L, 2) ‖ context, L)
 * with suite_id = "KEM" ‖ I2OSP(kem_id, 2).
 */
function deriveMlKemSeed(kemId: number, ikm: Uint8Array): Uint8Array {
  const enc = new TextEncoder();
  const label = enc.encode("DeriveKeyPair");
  const input = Uint8Array.from([...ikm, ...enc.encode("HPKE-v1"), ...enc.encode("KEM"), kemId >> 8, kemId & 0xff, 0, label.length, ...label, 0, 64]);
  return shake256(input, { dkLen: 64 });
}

describe.each(PROVIDERS)("$name provider", ({ make }) => {
  const provider = make();

  describe("draft-ietf-hpke-pq vectors, ML-KEM suites", () => {
    it("has the suites we expect to cover", () => {
      expect(supported.map((v) => [v.kem_id, v.kdf_id, v.aead_id])).toEqual([
        [0x40, 1, 1],
        [0x41, 1, 1],
        [0x42, 2, 2],
      ]);
      expect(supported.every((v) => v.mode === 0)).toBe(true);
    });

    it("refuses the single-stage KDF suites (SHAKE/TurboSHAKE), which we do not implement", async () => {
      expect(singleStage.length).toBeGreaterThan(0);
      for (const v of singleStage) {
        const kem = kemAlgorithmForHpkeKemId(v.kem_id);
        if (kem === undefined) throw new Error("unexpected kem id");
        const suite = { kemId: v.kem_id, kdfId: v.kdf_id, aeadId: v.aead_id };
        await expect(setupBaseSender(provider, kem.name, suite, hex(v.pkRm), hex(v.info))).rejects.toThrow(CryptoInputError);
      }
    });

    describe.each(supported.map((v) => [`kem 0x${v.kem_id.toString(16)} kdf ${v.kdf_id} aead ${v.aead_id}`, v] as const))("%s", (_name, v) => {
      const kem = kemAlgorithmForHpkeKemId(v.kem_id);
      if (kem === undefined) throw new Error("unexpected kem id");
      const suite: HpkeSuite = { kemId: v.kem_id, kdfId: v.kdf_id, aeadId: v.aead_id };
      const info = hex(v.info);

      it("derives skRm from ikmR and pkRm from skRm", async () => {
        expect(toHex(deriveMlKemSeed(v.kem_id, hex(v.ikmR)))).toBe(v.skRm);
        const { publicKey } = await provider.deriveKeyPair(kem.name, hex(v.skRm));
        expect(toHex(publicKey)).toBe(v.pkRm);
      });

      it("computes suite_id and the key schedule", () => {
        expect(toHex(hpkeSuiteId(suite))).toBe(v.suite_id);
        const schedule = keyScheduleBase(kem.name, suite, hex(v.shared_secret), info);
        expect(toHex(schedule.key)).toBe(v.key);
        expect(toHex(schedule.baseNonce)).toBe(v.base_nonce);
        expect(toHex(schedule.exporterSecret)).toBe(v.exporter_secret);
      });

      it("as sender: enc from ikmE (the ML-KEM m), then every encryption in sequence", async () => {
        const random = scriptedRandom(hex(v.ikmE));
        const { enc, context } = await setupBaseSender(make({ random }), kem.name, suite, hex(v.pkRm), info);
        expect(random.remaining).toBe(0);
        expect(toHex(enc)).toBe(v.enc);
        for (const [seq, e] of v.encryptions.entries()) {
          expect(context.sequence).toBe(seq);
          expect(toHex(await context.seal(hex(e.aad), hex(e.pt)))).toBe(e.ct);
        }
        for (const x of v.exports) expect(toHex(context.export(hex(x.exporter_context), x.L))).toBe(x.exported_value);
      });

      it("as recipient: decapsulates enc, opens every encryption in sequence, exports", async () => {
              const { privateKey } = await provider.deriveKeyPair(kem.name, hex(v.skRm));
        const context = await setupBaseRecipient(provider, privateKey, suite, hex(v.enc), info);
        for (const e of v.encryptions) expect(toHex(await context.open(hex(e.aad), hex(e.ct)))).toBe(e.pt);
        for (const x of v.exports) expect(toHex(context.export(hex(x.exporter_context), x.L))).toBe(x.exported_value);
      });

      it("single-shot SealBase / OpenBase reproduce the first encryption", async () => {
        const first = v.encryptions[0];
        if (first === undefined) throw new Error("no encryptions");
        const sealer = make({ random: scriptedRandom(hex(v.ikmE)) });
        const sealed = await sealBase(sealer, kem.name, suite, hex(v.pkRm), info, hex(first.aad), hex(first.pt));
        expect(toHex(sealed.enc)).toBe(v.enc);
        expect(toHex(sealed.ciphertext)).toBe(first.ct);
        const { privateKey } = await provider.deriveKeyPair(kem.name, hex(v.skRm));
        expect(toHex(await openBase(provider, privateKey, suite, hex(v.enc), info, hex(first.aad), hex(first.ct)))).toBe(first.pt);
      });

      it("a recipient context does not open out of sequence", async () => {
        const second = v.encryptions[1];
        if (second === undefined) throw new Error("need two encryptions");
        const { privateKey } = await provider.deriveKeyPair(kem.name, hex(v.skRm));
        const context = await setupBaseRecipient(provider, privateKey, suite, hex(v.enc), info);
        // Sequence 0 uses base_nonce; the second vector was sealed with seq 1.
        await expect(context.open(hex(second.aad), hex(second.ct))).rejects.toThrow("hpke open: decryption failed");
        expect(context.sequence).toBe(0);
      });
    });
  });
});
