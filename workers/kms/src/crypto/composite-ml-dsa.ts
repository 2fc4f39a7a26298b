/**
 * Composite ML-DSA-65 + ECDSA P-256, draft-ietf-lamps-pq-composite-sigs-19, algorithm
 * id-MLDSA65-ECDSA-P256-SHA512 (§6: OID 1.3.6.1.5.5.7.6.45, label
 * "COMPSIG-MLDSA65-ECDSA-P256-SHA512", PH = SHA-512, traditional part ecdsa-with-SHA256 on
 * secp256r1). Composed from standard parts only: ML-DSA-65 (FIPS 204) from @noble/post-quantum,
 * ECDSA P-256 (FIPS 186-5 §6) with SHA-256 from @noble/curves, SHA-512 from @noble/hashes.
 *
 *   M'  = Prefix ‖ Label ‖ len(ctx) ‖ ctx ‖ SHA-512(M)                              (§2.2, §3.2 step 2)
 *   sig = ML-DSA-65.Sign(sk_M, M', ctx = Label) ‖ ECDSA-P256-SHA256.Sign(sk_T, M')  (§3.2 step 4, §4.3)
 *
 * Encodings (§4): public key = ML-DSA-65 pk (1952) ‖ uncompressed X9.62 point (65); signature =
 * ML-DSA-65 signature (3309) ‖ DER Ecdsa-Sig-Value (RFC 3279 §2.2.3). Our stored secret is the
 * ML-DSA-65 seed (32) ‖ the P-256 scalar (32, big-endian); the draft's interchange private key
 * (§4.2) is the same seed ‖ an RFC 5915 ECPrivateKey of the same scalar, which §3.1.1 lets a module
 * that never exports keys replace.
 *
 * Verification accepts high-S ECDSA signatures (FIPS 186-5 does not require low S, and OpenSSL and
 * other signers produce them); our own signatures are low-S. Both components must verify (§3.3).
 *
 * Trust boundary: runs inside the TenantVault DO; the provider has checked lengths and types.
 */
import { p256 } from "@noble/curves/nist.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { concatBytes, utf8, wipe, withHedge, type RandomSource } from "./bytes.ts";
import { CryptoInputError } from "./errors.ts";
import type { SignatureScheme } from "./signature-scheme.ts";

/** §2.2: the ASCII bytes of "CompositeAlgorithmSignatures2025". */
export const COMPOSITE_PREFIX = utf8("CompositeAlgorithmSignatures2025");
/** §6: the signature label of id-MLDSA65-ECDSA-P256-SHA512; also the ML-DSA ctx (§3.2 step 4). */
export const COMPOSITE_LABEL = utf8("COMPSIG-MLDSA65-ECDSA-P256-SHA512");

const ML_DSA_SEED_LENGTH = 32;
export const ML_DSA_PUBLIC_KEY_LENGTH = 1952;
export const ML_DSA_SIGNATURE_LENGTH = 3309;
const P256_SCALAR_LENGTH = 32;
/** FIPS 186-5 Appendix A.2.1: draw 64 bits more than the 256-bit order before reducing. */
const P256_KEYGEN_RANDOM_LENGTH = 48;

/**
 * §3.2 step 2 / §3.3 step 3: M' = Prefix ‖ Label ‖ len(ctx) ‖ ctx ‖ PH(M), len(ctx) one byte as in
 * FIPS 204. The caller has checked |ctx| ≤ 255.
 */
export function compositeMessageRepresentative(context: Uint8Array, message: Uint8Array): Uint8Array {
  if (context.length > 255) throw new CryptoInputError("composite message representative", "context must be at most 255 bytes");
  return concatBytes(COMPOSITE_PREFIX, COMPOSITE_LABEL, Uint8Array.of(context.length), context, sha512(message));
}

/**
 * ecdsa-with-SHA256 on P-256 (FIPS 186-5 §6.4.1), DER output, low S. `hedge` is RFC 6979 §3.6
 * additional data for k (hedged signing), or false for plain RFC 6979 deterministic k.
 */
export function ecdsaP256Sign(scalar: Uint8Array, message: Uint8Array, hedge: Uint8Array | false): Uint8Array {
  return p256.sign(message, scalar, { prehash: true, lowS: true, format: "der", extraEntropy: hedge });
}

/**
 * ecdsa-with-SHA256 verification (FIPS 186-5 §6.4.2) of a DER Ecdsa-Sig-Value against an
 * uncompressed point. High S is accepted; malformed DER, an invalid point or r, s outside [1, n-1]
 * give false.
 */
export function ecdsaP256Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return p256.verify(signature, message, publicKey, { prehash: true, lowS: false, format: "der" });
  } catch {
    return false;
  }
}

function splitSecret(secret: Uint8Array): { seed: Uint8Array; scalar: Uint8Array } {
  return { seed: secret.subarray(0, ML_DSA_SEED_LENGTH), scalar: secret.subarray(ML_DSA_SEED_LENGTH, ML_DSA_SEED_LENGTH + P256_SCALAR_LENGTH) };
}

/**
 * The scheme object for the provider. The working secret key is the expanded ML-DSA-65 secret key
 * (FIPS 204 §7.2 skEncode, 4032 bytes) ‖ the P-256 scalar, so signing does not re-run KeyGen.
 */
export const COMPOSITE_ML_DSA_65_P256_SCHEME: SignatureScheme = Object.freeze({
  // §3.1 step 1: a fresh ML-DSA seed and a fresh P-256 key (FIPS 186-5 A.2.1), never reused.
  generateSecret(random: RandomSource): Uint8Array {
    const seed = random(ML_DSA_SEED_LENGTH);
    const extra = random(P256_KEYGEN_RANDOM_LENGTH);
    try {
      const scalar = p256.utils.randomSecretKey(extra);
      const secret = concatBytes(seed, scalar);
      wipe(scalar);
      return secret;
    } finally {
      wipe(seed, extra);
    }
  },

  expand(secret: Uint8Array) {
    const { seed, scalar } = splitSecret(secret);
    // The scalar must be in [1, n-1] (FIPS 186-5 §6.2); anything else is not a P-256 private key.
    if (!p256.utils.isValidSecretKey(scalar)) throw new CryptoInputError("Composite-ML-DSA-65-P256 deriveKeyPair", "P-256 scalar is not in [1, n-1]");
    const mlDsa = ml_dsa65.keygen(seed);
    const publicKey = concatBytes(mlDsa.publicKey, p256.getPublicKey(scalar, false));
    const secretKey = concatBytes(mlDsa.secretKey, scalar);
    wipe(mlDsa.secretKey);
    return { publicKey, secretKey };
  },

  sign(secretKey: Uint8Array, message: Uint8Array, context: Uint8Array, random: RandomSource | null): Uint8Array {
    const mlDsaSecretKey = secretKey.subarray(0, secretKey.length - P256_SCALAR_LENGTH);
    const scalar = secretKey.subarray(secretKey.length - P256_SCALAR_LENGTH);
    const representative = compositeMessageRepresentative(context, message);
    // §3.2 step 4: both components sign M'; ML-DSA with the label as its ctx.
    const mlDsaSignature = withHedge(random, 32, (rnd) => ml_dsa65.sign(representative, mlDsaSecretKey, { context: COMPOSITE_LABEL, extraEntropy: rnd }));
    const ecdsaSignature = withHedge(random, 32, (rnd) => ecdsaP256Sign(scalar, representative, rnd));
    // §4.3 SerializeSignatureValue: mldsaSig ‖ tradSig.
    return concatBytes(mlDsaSignature, ecdsaSignature);
  },

  verify(publicKey: Uint8Array, message: Uint8Array, context: Uint8Array, signature: Uint8Array): boolean {
    // §4.1 / §4.3 deserialisation: the ML-DSA-65 parts have fixed lengths.
    const mlDsaPublicKey = publicKey.subarray(0, ML_DSA_PUBLIC_KEY_LENGTH);
    const ecdsaPublicKey = publicKey.subarray(ML_DSA_PUBLIC_KEY_LENGTH);
    const mlDsaSignature = signature.subarray(0, ML_DSA_SIGNATURE_LENGTH);
    const ecdsaSignature = signature.subarray(ML_DSA_SIGNATURE_LENGTH);
    const representative = compositeMessageRepresentative(context, message);
    // §3.3 step 4: valid only if every component verifies.
    if (!ml_dsa65.verify(mlDsaSignature, representative, mlDsaPublicKey, { context: COMPOSITE_LABEL })) return false;
    return ecdsaP256Verify(ecdsaPublicKey, representative, ecdsaSignature);
  },
});
