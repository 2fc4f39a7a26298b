/**
 * The signature schemes behind `NobleProvider.sign` / `verify`, one object per catalog algorithm,
 * all with the same shape so the provider needs no per-family branches:
 * - ML-DSA-44/65/87 (FIPS 204) from @noble/post-quantum, pure with context, external μ;
 * - SLH-DSA-SHA2-128s/128f (FIPS 205) from @noble/post-quantum, pure with context;
 * - Composite-ML-DSA-65-P256 (draft-ietf-lamps-pq-composite-sigs-19), see composite-ml-dsa.ts.
 *
 * Trust boundary: runs inside the TenantVault DO. `expand` and `sign` see secret material; they
 * check nothing the provider has not already checked (types and lengths), and return fresh arrays.
 * Hedging randomness is drawn from the caller's `RandomSource` and wiped after use.
 */
import { ml_dsa44, ml_dsa65, ml_dsa87 } from "@noble/post-quantum/ml-dsa.js";
import { slh_dsa_sha2_128f, slh_dsa_sha2_128s } from "@noble/post-quantum/slh-dsa.js";
import type { SignatureAlgorithmName } from "./algorithms.ts";
import { wipe, withHedge, type RandomSource } from "./bytes.ts";
import { COMPOSITE_ML_DSA_65_P256_SCHEME } from "./composite-ml-dsa.ts";
import type { ExpandedKeys, SignatureScheme } from "./signature-scheme.ts";

export type { ExpandedKeys, SignatureScheme };

type MlDsa = typeof ml_dsa44;

/** FIPS 204: ξ (32 bytes) → KeyGen_internal (Algorithm 6); rnd is 32 bytes (Algorithm 2 line 5). */
function mlDsaScheme(dsa: MlDsa): SignatureScheme {
  return Object.freeze({
    generateSecret: (random: RandomSource) => random(32),
    expand: (seed: Uint8Array) => dsa.keygen(seed),
    // FIPS 204 Algorithm 2 line 10: M' = 0 ‖ |ctx| ‖ ctx ‖ M, then Sign_internal.
    sign: (secretKey: Uint8Array, message: Uint8Array, context: Uint8Array, random: RandomSource | null) =>
      withHedge(random, 32, (rnd) => dsa.sign(message, secretKey, { context, extraEntropy: rnd })),
    verify: (publicKey: Uint8Array, message: Uint8Array, context: Uint8Array, signature: Uint8Array) => dsa.verify(signature, message, publicKey, { context }),
    externalMu: Object.freeze({
      // FIPS 204 Algorithm 7 from line 7, with μ supplied instead of computed on line 6.
      sign: (secretKey: Uint8Array, mu: Uint8Array, random: RandomSource | null) =>
        withHedge(random, 32, (rnd) => dsa.internal.sign(mu, secretKey, { externalMu: true, extraEntropy: rnd })),
      verify: (publicKey: Uint8Array, mu: Uint8Array, signature: Uint8Array) => dsa.internal.verify(signature, mu, publicKey, { externalMu: true }),
    }),
  });
}

type SlhDsa = typeof slh_dsa_sha2_128s;

/** SLH-DSA security parameter n for the 128-bit sets (FIPS 205 Table 2). */
const SLH_DSA_N = 16;

/**
 * FIPS 205 with n = 16. The stored secret is the private key SK.seed‖SK.prf‖PK.seed‖PK.root
 * (§9.1), so loading it is slicing: the public key PK.seed‖PK.root is its second half. Making one
 * runs SLH-DSA.KeyGen_internal (Algorithm 18) on three fresh n-byte values (Algorithm 21).
 */
function slhDsaScheme(slh: SlhDsa): SignatureScheme {
  return Object.freeze({
    generateSecret(random: RandomSource): Uint8Array {
      const seeds = random(3 * SLH_DSA_N); // SK.seed ‖ SK.prf ‖ PK.seed
      try {
        return slh.keygen(seeds).secretKey;
      } finally {
        wipe(seeds);
      }
    },
    expand: (secret: Uint8Array) => ({ publicKey: secret.slice(2 * SLH_DSA_N), secretKey: secret.slice() }),
    // FIPS 205 Algorithm 22: M' = 0 ‖ |ctx| ‖ ctx ‖ M; opt_rand n random bytes, or PK.seed when
    // deterministic (§10.2, which the library selects for `false`).
    sign: (secretKey: Uint8Array, message: Uint8Array, context: Uint8Array, random: RandomSource | null) =>
      withHedge(random, SLH_DSA_N, (rnd) => slh.sign(message, secretKey, { context, extraEntropy: rnd })),
    // FIPS 205 Algorithm 24.
    verify: (publicKey: Uint8Array, message: Uint8Array, context: Uint8Array, signature: Uint8Array) => slh.verify(signature, message, publicKey, { context }),
  });
}

export const SIGNATURE_SCHEMES: { readonly [N in SignatureAlgorithmName]: SignatureScheme } = Object.freeze({
  "ML-DSA-44": mlDsaScheme(ml_dsa44),
  "ML-DSA-65": mlDsaScheme(ml_dsa65),
  "ML-DSA-87": mlDsaScheme(ml_dsa87),
  "Composite-ML-DSA-65-P256": COMPOSITE_ML_DSA_65_P256_SCHEME,
  "SLH-DSA-SHA2-128s": slhDsaScheme(slh_dsa_sha2_128s),
  "SLH-DSA-SHA2-128f": slhDsaScheme(slh_dsa_sha2_128f),
});
