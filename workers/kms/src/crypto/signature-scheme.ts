/**
 * The interface every signature scheme of the catalog implements (signature-schemes.ts,
 * composite-ml-dsa.ts). Apart from both so that neither imports the other for it.
 */
import type { RandomSource } from "./bytes.ts";

/** Keys in the form a scheme works with: the raw public key and its own secret-key encoding. */
export interface ExpandedKeys {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export interface SignatureScheme {
  /** A fresh stored secret (layouts in algorithms.ts), from `random`. */
  generateSecret(random: RandomSource): Uint8Array;
  /** The public key and working secret key for a stored secret of the catalog's length. */
  expand(secret: Uint8Array): ExpandedKeys;
  /** Signs with application context ctx; `random` null selects the deterministic variant. */
  sign(secretKey: Uint8Array, message: Uint8Array, context: Uint8Array, random: RandomSource | null): Uint8Array;
  /** May throw on malformed input; the provider turns any throw into `false`. */
  verify(publicKey: Uint8Array, message: Uint8Array, context: Uint8Array, signature: Uint8Array): boolean;
  /** FIPS 204 external μ (Algorithm 7 line 6 supplied by the caller); ML-DSA only. */
  readonly externalMu?: {
    sign(secretKey: Uint8Array, mu: Uint8Array, random: RandomSource | null): Uint8Array;
    verify(publicKey: Uint8Array, mu: Uint8Array, signature: Uint8Array): boolean;
  };
}
