/**
 * ML-KEM conformance: C2SP Wycheproof vectors (keygen from seed, encapsulation with fixed m,
 * decapsulation including implicit rejection), run through our CryptoProvider interface only, for
 * every provider (providers.ts). Encapsulation with a fixed m needs injected randomness, which
 * WebCryptoProvider serves from its noble fallback; its native encapsulation is held to the invalid
 * keys here and to round trips in webcrypto-provider.test.ts. Keygen and decapsulation are native.
 */
import { describe, expect, it } from "vitest";
import type { KemAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { CryptoInputError } from "../../../workers/kms/src/crypto/errors.ts";
import { PROVIDERS } from "./providers.ts";
import { allTests, hex, label, readJsonVector, scriptedRandom, toHex, type WycheproofFile, type WycheproofTest } from "./vectors.ts";

interface KeygenTest extends WycheproofTest {
  readonly seed: string;
  readonly ek: string;
  readonly dk: string;
}
interface EncapsTest extends WycheproofTest {
  readonly ek: string;
  readonly m: string;
  readonly c: string;
  readonly K: string;
}
interface DecapsTest extends WycheproofTest {
  readonly seed: string;
  readonly ek?: string;
  readonly c: string;
  readonly K: string;
}
type Group<T> = { readonly parameterSet: string; readonly tests: readonly T[] };

const PARAMETER_SETS: readonly [number, KemAlgorithmName][] = [
  [512, "ML-KEM-512"],
  [768, "ML-KEM-768"],
  [1024, "ML-KEM-1024"],
];

describe.each(PROVIDERS)("$name provider", ({ make }) => {
  const provider = make();

  describe.each(PARAMETER_SETS)("Wycheproof ML-KEM-%i", (size, algorithm) => {
    describe("keygen from seed (d ‖ z)", () => {
      const file = readJsonVector<WycheproofFile<Group<KeygenTest>>>(`wycheproof/mlkem_${size}_keygen_seed_test.json`);
      const cases = allTests(file);
      it("covers every vector in the file", () => {
        expect(cases.length).toBe(file.numberOfTests);
        expect(cases.every(({ group }) => group.parameterSet === algorithm)).toBe(true);
      });
      for (const { test } of cases) {
        it(label(test), async () => {
          expect(test.result).toBe("valid");
          const { publicKey, privateKey } = await provider.deriveKeyPair(algorithm, hex(test.seed));
          expect(toHex(publicKey)).toBe(test.ek);
          expect(privateKey.algorithm).toBe(algorithm);
        });
      }
    });

    describe("encapsulate with fixed m", () => {
      const file = readJsonVector<WycheproofFile<Group<EncapsTest>>>(`wycheproof/mlkem_${size}_encaps_test.json`);
      const cases = allTests(file);
      it("covers every vector in the file", () => expect(cases.length).toBe(file.numberOfTests));
      for (const { test } of cases) {
        it(label(test), async () => {
          const random = scriptedRandom(hex(test.m));
          const seeded = make({ random });
          if (test.result === "valid") {
            const { ciphertext, sharedSecret } = await seeded.encapsulate(algorithm, hex(test.ek));
            expect(toHex(ciphertext)).toBe(test.c);
            expect(toHex(sharedSecret)).toBe(test.K);
          } else {
            // Wrong length or FIPS 203 §7.2 modulus check failure: both are input errors.
            await expect(seeded.encapsulate(algorithm, hex(test.ek))).rejects.toThrow(CryptoInputError);
            await expect(provider.encapsulate(algorithm, hex(test.ek))).rejects.toThrow(CryptoInputError);
          }
        });
      }
    });

    describe("decapsulate (incl. implicit rejection)", () => {
      const file = readJsonVector<WycheproofFile<Group<DecapsTest>>>(`wycheproof/mlkem_${size}_test.json`);
      const cases = allTests(file);
      it("covers every vector in the file", () => expect(cases.length).toBe(file.numberOfTests));
      for (const { test } of cases) {
        it(label(test), async () => {
          const seed = hex(test.seed);
          if (seed.length !== 64) {
            // "Private key too short/long": the seed must be exactly d ‖ z.
            expect(test.result).toBe("invalid");
            await expect(provider.deriveKeyPair(algorithm, seed)).rejects.toThrow(CryptoInputError);
            return;
          }
          const { publicKey, privateKey } = await provider.deriveKeyPair(algorithm, seed);
          if (test.ek !== undefined) expect(toHex(publicKey)).toBe(test.ek);
          if (test.result === "valid") {
            // Includes "Random ciphertext" / "Bit flipped ciphertext": K is then J(z ‖ c), FIPS 203 §6.3.
            expect(toHex(await provider.decapsulate(privateKey, hex(test.c)))).toBe(test.K);
          } else {
            await expect(provider.decapsulate(privateKey, hex(test.c))).rejects.toThrow(CryptoInputError);
          }
        });
      }
    });
  });
});
