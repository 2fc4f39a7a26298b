/**
 * ML-DSA conformance: C2SP Wycheproof vectors for signing from a seed (deterministic, hedged with a
 * given rnd, with context, and external μ) and for verification, through our CryptoProvider only, for
 * every provider (providers.ts).
 *
 * Web Crypto signs hedged with its own randomness only, so WebCryptoProvider makes the vectors'
 * deterministic, given-rnd and μ signatures with its noble fallback (the same code NobleProvider's
 * run checks on every vector). For it, each signing vector checks the native parts instead: the
 * public key from ξ, native verification of the expected signature, refusal of invalid input; the
 * first vector of each group also a native hedged signature; the first of each file the fallback's
 * exact signatures (message and μ), which shows the routing.
 */
import { describe, expect, it } from "vitest";
import type { SignatureAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { CryptoInputError } from "../../../workers/kms/src/crypto/errors.ts";
import { PROVIDERS } from "./providers.ts";
import { allTests, hex, label, readJsonVector, scriptedRandom, toHex, type WycheproofFile, type WycheproofTest } from "./vectors.ts";

interface SignTest extends WycheproofTest {
  readonly msg?: string;
  readonly mu?: string;
  readonly ctx?: string;
  readonly rnd?: string;
  readonly sig: string;
}
interface SignGroup {
  readonly privateSeed: string;
  readonly publicKey: string;
  readonly tests: readonly SignTest[];
}
interface VerifyTest extends WycheproofTest {
  readonly msg: string;
  readonly ctx?: string;
  readonly sig: string;
}
interface VerifyGroup {
  readonly publicKey: string;
  readonly tests: readonly VerifyTest[];
}

const PARAMETER_SETS: readonly [number, SignatureAlgorithmName][] = [
  [44, "ML-DSA-44"],
  [65, "ML-DSA-65"],
  [87, "ML-DSA-87"],
];

describe.each(PROVIDERS)("$name provider", ({ name, make }) => {
  const provider = make();

  describe.each(PARAMETER_SETS)("Wycheproof ML-DSA-%i", (size, algorithm) => {
    describe("sign from seed ξ", () => {
      const file = readJsonVector<WycheproofFile<SignGroup>>(`wycheproof/mldsa_${size}_sign_seed_test.json`);
      const cases = allTests(file);
      it("covers every vector in the file", () => expect(cases.length).toBe(file.numberOfTests));

      for (const { group, test } of cases) {
        it(label(test), async () => {
          const seed = hex(group.privateSeed);
          if (test.flags?.includes("IncorrectPrivateKeyLength")) {
            expect(test.result).toBe("invalid");
            await expect(provider.deriveKeyPair(algorithm, seed)).rejects.toThrow(CryptoInputError);
            return;
          }
          const { publicKey, privateKey } = await provider.deriveKeyPair(algorithm, seed);
          expect(toHex(publicKey)).toBe(group.publicKey);
          const context = test.ctx === undefined ? undefined : hex(test.ctx);

          if (test.result === "invalid") {
            // The only other invalid case is a 256-byte context (FIPS 204 Algorithm 2 line 1).
            expect(test.flags).toContain("InvalidContext");
            await expect(provider.sign(privateKey, { message: hex(test.msg ?? "") }, { context })).rejects.toThrow(CryptoInputError);
            return;
          }

          // Signing through the fallback again would only repeat the noble run (see the header).
          const signsExactly = name === "noble" || test === cases[0]?.test;
          if (name === "webcrypto" && test.msg !== undefined) {
            expect(await provider.verify(algorithm, publicKey, { message: hex(test.msg) }, hex(test.sig), context)).toBe(true);
            if (test === group.tests[0]) {
              const hedged = await provider.sign(privateKey, { message: hex(test.msg) }, { context });
              expect(await provider.verify(algorithm, publicKey, { message: hex(test.msg) }, hedged, context)).toBe(true);
            }
          }
          const signerFor = () => (test.rnd === undefined ? provider : make({ random: scriptedRandom(hex(test.rnd)) }));
          if (test.msg !== undefined && signsExactly) {
            // Pure ML-DSA over M' = 0 ‖ |ctx| ‖ ctx ‖ M: deterministic (rnd = 0) unless the vector gives rnd.
            const signature = await signerFor().sign(privateKey, { message: hex(test.msg) }, { context, deterministic: test.rnd === undefined });
            expect(toHex(signature)).toBe(test.sig);
            expect(await provider.verify(algorithm, publicKey, { message: hex(test.msg) }, signature, context)).toBe(true);
          }
          if (test.mu !== undefined) {
            expect(await provider.verify(algorithm, publicKey, { mu: hex(test.mu) }, hex(test.sig))).toBe(true);
            // External μ (FIPS 204 Algorithm 7 line 6) gives the same signature for the same rnd. Signing
            // is the slow part, so do it for μ-only vectors and for the first vector of each group.
            if (signsExactly && (test.msg === undefined || test === group.tests[0])) {
              const signature = await signerFor().sign(privateKey, { mu: hex(test.mu) }, { deterministic: test.rnd === undefined });
              expect(toHex(signature)).toBe(test.sig);
            }
          }
        });
      }
    });

    describe("verify", () => {
      const file = readJsonVector<WycheproofFile<VerifyGroup>>(`wycheproof/mldsa_${size}_verify_test.json`);
      const cases = allTests(file);
      it("covers every vector in the file", () => expect(cases.length).toBe(file.numberOfTests));

      for (const { group, test } of cases) {
        it(label(test), async () => {
          const publicKey = hex(group.publicKey);
          const context = test.ctx === undefined ? undefined : hex(test.ctx);
          const run = () => provider.verify(algorithm, publicKey, { message: hex(test.msg) }, hex(test.sig), context);
          if (test.result === "valid") {
            expect(await run()).toBe(true);
          } else if (test.flags?.includes("IncorrectPublicKeyLength") || test.flags?.includes("InvalidContext")) {
            // Our own stored key and the request's context are checked as inputs, not as signatures.
            await expect(run()).rejects.toThrow(CryptoInputError);
          } else {
            expect(await run()).toBe(false);
          }
        });
      }
    });
  });
});
