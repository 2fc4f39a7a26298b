/**
 * The X-Wing parts that are neither ML-KEM-768 nor X25519 (draft-connolly-cfrg-xwing-kem-10 §5):
 * the key expansion and the SHA3-256 combiner, in TypeScript so a provider can run the two halves
 * natively and join them here. `NobleProvider` uses @noble/post-quantum's X-Wing, which implements
 * the same two steps; the tests hold both to the draft's vectors.
 *
 * Trust boundary: runs inside the TenantVault DO; sees the decapsulation key and shared secrets.
 * The caller wipes what it keeps no longer.
 */
import { sha3_256, shake256 } from "@noble/hashes/sha3.js";
import { ALGORITHMS } from "./algorithms.ts";
import { concatBytes } from "./bytes.ts";

/** §5.1: XWingLabel = "\.//^\" (0x5c2e2f2f5e5c). */
const X_WING_LABEL = Uint8Array.of(0x5c, 0x2e, 0x2f, 0x2f, 0x5e, 0x5c);

/** The ML-KEM-768 part's lengths, from the catalog: pk_M leads the public key, ct_M the ciphertext (§5). */
export const X_WING_ML_KEM_PUBLIC_KEY_LENGTH = ALGORITHMS["ML-KEM-768"].publicKeyLength;
export const X_WING_ML_KEM_CIPHERTEXT_LENGTH = ALGORITHMS["ML-KEM-768"].ciphertextLength;

/**
 * §5.2 expandDecapsulationKey: SHAKE256(sk, 96) = ML-KEM-768 seed d ‖ z (64 bytes, FIPS 203
 * KeyGen_internal) ‖ sk_X (32 bytes). pk_X = X25519(sk_X, 9) is left to the caller.
 */
export function expandXWingKey(sk: Uint8Array): { mlKemSeed: Uint8Array<ArrayBuffer>; x25519Secret: Uint8Array<ArrayBuffer> } {
  const expanded = shake256(sk, { dkLen: 96 });
  const out = { mlKemSeed: expanded.slice(0, 64), x25519Secret: expanded.slice(64, 96) };
  expanded.fill(0);
  return out;
}

/** §5.3 Combiner: SHA3-256(ss_M ‖ ss_X ‖ ct_X ‖ pk_X ‖ XWingLabel). */
export function xWingCombiner(ssM: Uint8Array, ssX: Uint8Array, ctX: Uint8Array, pkX: Uint8Array): Uint8Array<ArrayBuffer> {
  const input = concatBytes(ssM, ssX, ctX, pkX, X_WING_LABEL);
  try {
    return Uint8Array.from(sha3_256(input));
  } finally {
    input.fill(0);
  }
}
