/**
 * The one crypto-provider interface (DESIGN §1). Every key operation in the service goes through a
 * `CryptoProvider`; `NobleProvider` (pure TypeScript) implements all of it and is the reference.
 * A provider backed by the runtime's native Web Crypto can be added beside it without touching
 * callers: it must give byte-identical public keys for the same seed, and outputs the other
 * provider verifies / decapsulates.
 *
 * Trust boundary: the provider runs inside the TenantVault DO and is the only code that touches
 * private key material in plaintext. Seeds come from the vault's unwrapped storage; messages,
 * ciphertexts, signatures and contexts come from tenants.
 *
 * Contract for every implementation:
 * - Lengths and types are checked before any work; wrong ones throw `CryptoInputError` naming the
 *   operation. A signature of the wrong length is not an input error: `verify` answers false.
 * - `decapsulate` follows FIPS 203 §6.3 implicit rejection: a wrong ciphertext of the right length
 *   yields a pseudorandom shared secret, never an error.
 * - `sign` is pure ML-DSA (FIPS 204 Algorithm 2, M' = 0x00 ‖ len(ctx) ‖ ctx ‖ M), hedged by
 *   default (FIPS 204 §3.4); `{ mu }` signs a caller-computed μ (FIPS 204 Algorithm 7 line 6).
 * - All methods except `generateSeed` are asynchronous, since Web Crypto is.
 */
import type { AlgorithmName, KemAlgorithmName, SignatureAlgorithmName } from "./algorithms.ts";

/**
 * A decoded private key, ready for use and fit to cache in DO memory (DESIGN §8). Opaque: the
 * secret never leaves the provider that created it, is not serialisable, and `destroy()` zeroes it.
 * A handle from one provider is rejected by another.
 */
export interface PrivateKeyHandle {
  readonly algorithm: AlgorithmName;
  /** A fresh copy of the public key, in the algorithm's raw encoding. */
  readonly publicKey: Uint8Array;
  /** False once `destroy()` has run; a destroyed handle is refused by every operation. */
  readonly usable: boolean;
  /** Zeroes the decoded secret (best effort). Call when evicting from cache or destroying a key. */
  destroy(): void;
}

export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: PrivateKeyHandle;
}

/** FIPS 203 ML-KEM.Encaps output: the ciphertext to send and the 32-byte shared secret to keep. */
export interface Encapsulation {
  readonly ciphertext: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

/** What is signed: a message (pure ML-DSA with context), or a precomputed 64-byte μ. */
export type SignInput = { readonly message: Uint8Array } | { readonly mu: Uint8Array };

export interface SignOptions {
  /** FIPS 204 ctx, 0–255 bytes; default empty. Not allowed with `{ mu }` (μ already binds ctx). */
  readonly context?: Uint8Array;
  /** FIPS 204 §3.4 deterministic variant (rnd = 0^256). Default false: hedged, fresh rnd. */
  readonly deterministic?: boolean;
}

export interface CryptoProvider {
  /** A short name for logs and settings, e.g. "noble". */
  readonly name: string;

  /** Whether this provider implements the algorithm. */
  supports(algorithm: AlgorithmName): boolean;

  /** A fresh random seed of `seedLength` bytes: the secret stored (wrapped) for a key version. */
  generateSeed(algorithm: AlgorithmName): Uint8Array;

  /** FIPS 203 ML-KEM.KeyGen_internal(d, z) / FIPS 204 ML-DSA.KeyGen_internal(ξ) from the seed. */
  deriveKeyPair(algorithm: AlgorithmName, seed: Uint8Array): Promise<KeyPair>;

  /** FIPS 203 ML-KEM.Encaps (Algorithm 20), including the §7.2 encapsulation key check. */
  encapsulate(algorithm: KemAlgorithmName, publicKey: Uint8Array): Promise<Encapsulation>;

  /** FIPS 203 ML-KEM.Decaps (Algorithm 21), with implicit rejection. */
  decapsulate(privateKey: PrivateKeyHandle, ciphertext: Uint8Array): Promise<Uint8Array>;

  /** FIPS 204 ML-DSA.Sign (Algorithm 2) or, for `{ mu }`, Sign_internal from line 6 of Algorithm 7. */
  sign(privateKey: PrivateKeyHandle, input: SignInput, options?: SignOptions): Promise<Uint8Array>;

  /** FIPS 204 ML-DSA.Verify (Algorithm 3) or, for `{ mu }`, Verify_internal with μ given. */
  verify(algorithm: SignatureAlgorithmName, publicKey: Uint8Array, input: SignInput, signature: Uint8Array, context?: Uint8Array): Promise<boolean>;
}

