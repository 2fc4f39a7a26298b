/**
 * The AEADs against Wycheproof, for the parameters we use (96-bit nonce, 128-bit tag), on both paths:
 * - aead.ts, behind HPKE: AES-128-GCM, AES-256-GCM (Web Crypto) and ChaCha20-Poly1305 (@noble/ciphers);
 * - symmetric keys through the provider (importSecretKey, aeadSeal, aeadOpen): AES-256-GCM and
 *   ChaCha20-Poly1305, 256-bit keys, as AEAD envelopes use them.
 * Groups with other key, nonce or tag sizes are out of scope and counted, not silently dropped.
 */
import { describe, expect, it } from "vitest";
import { AeadOpenError, aeadById } from "../../../workers/kms/src/crypto/aead.ts";
import { HPKE_AEAD_ID, type AeadAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { NobleProvider } from "../../../workers/kms/src/crypto/noble-provider.ts";
import { allTests, hex, label, readJsonVector, toHex, type WycheproofFile, type WycheproofTest } from "./vectors.ts";

interface AeadTest extends WycheproofTest {
  readonly key: string;
  readonly iv: string;
  readonly aad: string;
  readonly msg: string;
  readonly ct: string;
  readonly tag: string;
}
interface AeadGroup {
  readonly keySize: number;
  readonly ivSize: number;
  readonly tagSize: number;
  readonly tests: readonly AeadTest[];
}

const FILES = [
  ["aes_gcm_test.json", { 128: HPKE_AEAD_ID.AES_128_GCM, 256: HPKE_AEAD_ID.AES_256_GCM } as Record<number, number>, 133],
  ["chacha20_poly1305_test.json", { 256: HPKE_AEAD_ID.CHACHA20_POLY1305 } as Record<number, number>, 316],
] as const;

describe.each(FILES)("Wycheproof %s", (fileName, idsByKeySize, expectedInScope) => {
  const file = readJsonVector<WycheproofFile<AeadGroup>>(`wycheproof/${fileName}`);
  const inScope = allTests(file).filter(({ group }) => group.ivSize === 96 && group.tagSize === 128 && idsByKeySize[group.keySize] !== undefined);

  it(`runs the ${expectedInScope} vectors with HPKE's parameters`, () => expect(inScope.length).toBe(expectedInScope));

  for (const { group, test } of inScope) {
    const aead = aeadById(idsByKeySize[group.keySize] ?? 0);
    it(`${aead?.name}: ${label(test)}`, async () => {
      if (aead === undefined) throw new Error("aead missing");
      const key = await aead.importKey(hex(test.key));
      const sealed = hex(test.ct + test.tag);
      if (test.result === "valid") {
        expect(toHex(await key.seal(hex(test.iv), hex(test.aad), hex(test.msg)))).toBe(test.ct + test.tag);
        expect(toHex(await key.open(hex(test.iv), hex(test.aad), sealed))).toBe(test.msg);
      } else {
        await expect(key.open(hex(test.iv), hex(test.aad), sealed)).rejects.toThrow(AeadOpenError);
      }
      key.dispose();
    });
  }
});

const PROVIDER_FILES = [
  ["aes_gcm_test.json", "AES-256-GCM", 66],
  ["chacha20_poly1305_test.json", "ChaCha20-Poly1305", 316],
] as const satisfies readonly (readonly [string, AeadAlgorithmName, number])[];

describe.each(PROVIDER_FILES)("Wycheproof %s through the provider as %s keys", (fileName, algorithm, expectedInScope) => {
  const provider = new NobleProvider();
  const file = readJsonVector<WycheproofFile<AeadGroup>>(`wycheproof/${fileName}`);
  const inScope = allTests(file).filter(({ group }) => group.keySize === 256 && group.ivSize === 96 && group.tagSize === 128);

  it(`runs the ${expectedInScope} vectors with 256-bit keys, 96-bit nonces, 128-bit tags`, () => expect(inScope.length).toBe(expectedInScope));

  for (const { test } of inScope) {
    it(label(test), async () => {
      const key = await provider.importSecretKey(algorithm, hex(test.key));
      if (test.result === "valid") {
        expect(toHex(await provider.aeadSeal(key, hex(test.iv), hex(test.aad), hex(test.msg)))).toBe(test.ct + test.tag);
        expect(toHex(await provider.aeadOpen(key, hex(test.iv), hex(test.aad), hex(test.ct + test.tag)))).toBe(test.msg);
      } else {
        await expect(provider.aeadOpen(key, hex(test.iv), hex(test.aad), hex(test.ct + test.tag))).rejects.toThrow(AeadOpenError);
      }
      key.destroy();
    });
  }
});
