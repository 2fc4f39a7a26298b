/**
 * The one crypto-provider interface (architecture §1). Every key operation in the service goes through a
 * `CryptoProvider`. Two implement it: `NobleProvider` (pure TypeScript, with Web Crypto for AES-GCM)
 * implements all of it and is the reference; `WebCryptoProvider` uses the runtime's native Web Crypto
 * where it has the algorithm and `NobleProvider` for the rest. `selectProvider` picks one from the
 * `CRYPTO_PROVIDER` var. Both give byte-identical public keys for the same stored secret, and each
 * verifies / decapsulates / opens what the other produced.
 *
 * Trust boundary: the provider runs inside the TenantVault DO and is the only code that touches
 * key material in plaintext. Stored secrets come from the vault's unwrapped storage; messages,
 * ciphertexts, signatures, nonces and contexts come from tenants. Callers never see raw key bytes
 * after loading: asymmetric keys become `PrivateKeyHandle`s, symmetric keys `SecretKeyHandle`s.
 *
 * Contract for every implementation:
 * - Lengths and types are checked before any work; wrong ones throw `CryptoInputError` naming the
 *   operation. A signature of the wrong length is not an input error: `verify` answers false.
 * - `decapsulate` never fails on a ciphertext of the right length: FIPS 203 §6.3 implicit rejection
 *   (for X-Wing, draft-connolly-cfrg-xwing-kem-10 §5.5 inherits it from its ML-KEM-768 part).
 * - `sign` is pure ML-DSA (FIPS 204 Algorithm 2), pure SLH-DSA (FIPS 205 Algorithm 22) or
 *   Composite ML-DSA (draft-ietf-lamps-pq-composite-sigs-19 §3.2), hedged by default;
 *   `{ mu }` (FIPS 204 Algorithm 7 line 6) exists for ML-DSA only.
 * - `aeadOpen` throws `AeadOpenError` (aead.ts) for any authentication failure, saying nothing more.
 * - `verifyMac` compares tags in constant time (mac.ts) and answers false, never throws, for a tag
 *   of the wrong length or value.
 * - All methods except `generateSeed` and `supports` are asynchronous, since Web Crypto is.
 */
import type { AeadAlgorithmName, AlgorithmName, KemAlgorithmName, MacAlgorithmName, SignatureAlgorithmName } from "./algorithms.ts";

/** What every key handle has. Opaque: secrets are not reachable through it, nor serialisable. */
export interface KeyHandle {
  readonly algorithm: AlgorithmName;
  /** False once `destroy()` has run; a destroyed handle is refused by every operation. */
  readonly usable: boolean;
  /** Zeroes the decoded secret (best effort). Call when evicting from cache or destroying a key. */
  destroy(): void;
}

/**
 * A decoded private key, ready for use and fit to cache in DO memory (architecture §8). A handle from one
 * provider is rejected by another.
 */
export interface PrivateKeyHandle extends KeyHandle {
  /** A fresh copy of the public key, in the algorithm's raw encoding. */
  readonly publicKey: Uint8Array;
}

/** A symmetric AEAD key (AES-256-GCM, ChaCha20-Poly1305), loaded with `importSecretKey`. */
export interface SecretKeyHandle extends KeyHandle {
  readonly algorithm: AeadAlgorithmName;
}

/** An HMAC key (RFC 2104), loaded with `importMacKey`. */
export interface MacKeyHandle extends KeyHandle {
  readonly algorithm: MacAlgorithmName;
}

export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: PrivateKeyHandle;
}

/** KEM encapsulation output: the ciphertext to send and the 32-byte shared secret to keep. */
export interface Encapsulation {
  readonly ciphertext: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

/** What is signed: a message, or (ML-DSA only) a precomputed 64-byte μ. */
export type SignInput = { readonly message: Uint8Array } | { readonly mu: Uint8Array };

export interface SignOptions {
  /** Application context ctx, 0–255 bytes; default empty. Not allowed with `{ mu }` (μ binds ctx). */
  readonly context?: Uint8Array;
  /**
   * Deterministic variant instead of hedged signing: FIPS 204 §3.4 rnd = 0^256; FIPS 205 §10.2
   * opt_rand = PK.seed; for the composite, both of those' components, ECDSA with RFC 6979 k.
   * Default false.
   */
  readonly deterministic?: boolean;
}

export interface CryptoProvider {
  /** A short name for logs and settings, e.g. "noble". */
  readonly name: string;

  /** Whether this provider implements the algorithm. */
  supports(algorithm: AlgorithmName): boolean;

  /**
   * A fresh stored secret of `secretLength` bytes for a new key version (layouts in algorithms.ts):
   * random for seeds and AEAD keys; for SLH-DSA the FIPS 205 private key from SLH-DSA.KeyGen
   * (Algorithm 21), which costs one top-tree computation (about 0.2 s for 128s in Node).
   */
  generateSeed(algorithm: AlgorithmName): Uint8Array;

  /**
   * Loads an asymmetric key from its stored secret: FIPS 203 KeyGen_internal(d, z), FIPS 204
   * KeyGen_internal(ξ), X-Wing expandDecapsulationKey, the composite's two components, or the
   * FIPS 205 private key as is. AEAD algorithms have no key pair: use `importSecretKey`.
   */
  deriveKeyPair(algorithm: AlgorithmName, seed: Uint8Array): Promise<KeyPair>;

  /** Loads a symmetric AEAD key from its stored 32 bytes; the caller may wipe them afterwards. */
  importSecretKey(algorithm: AeadAlgorithmName, key: Uint8Array): Promise<SecretKeyHandle>;

  /** FIPS 203 ML-KEM.Encaps (Algorithm 20, with the §7.2 key check) or X-Wing Encapsulate (§5.4). */
  encapsulate(algorithm: KemAlgorithmName, publicKey: Uint8Array): Promise<Encapsulation>;

  /** FIPS 203 ML-KEM.Decaps (Algorithm 21) or X-Wing Decapsulate (§5.5), implicit rejection. */
  decapsulate(privateKey: PrivateKeyHandle, ciphertext: Uint8Array): Promise<Uint8Array>;

  /** Signs per the key's algorithm (see the contract above). */
  sign(privateKey: PrivateKeyHandle, input: SignInput, options?: SignOptions): Promise<Uint8Array>;

  /** Verifies per the algorithm; false for any invalid or malformed signature. */
  verify(algorithm: SignatureAlgorithmName, publicKey: Uint8Array, input: SignInput, signature: Uint8Array, context?: Uint8Array): Promise<boolean>;

  /** AEAD encryption with a 12-byte nonce the caller makes unique: returns ct‖tag. */
  aeadSeal(key: SecretKeyHandle, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array>;

  /** AEAD decryption of ct‖tag; throws `AeadOpenError` unless it authenticates. */
  aeadOpen(key: SecretKeyHandle, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array>;

  /** Loads an HMAC key from its stored bytes (one hash block, algorithms.ts); the caller may wipe them afterwards. */
  importMacKey(algorithm: MacAlgorithmName, key: Uint8Array): Promise<MacKeyHandle>;

  /** HMAC(K, message) (RFC 2104 §2), the full L-byte tag. */
  mac(key: MacKeyHandle, message: Uint8Array): Promise<Uint8Array>;

  /** Whether `tag` is HMAC(K, message), compared in constant time; false for a tag of the wrong length. */
  verifyMac(key: MacKeyHandle, message: Uint8Array, tag: Uint8Array): Promise<boolean>;
}
