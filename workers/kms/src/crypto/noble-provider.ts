/**
 * `NobleProvider`: the pure-TypeScript crypto provider, built on @noble/post-quantum (ML-KEM per
 * FIPS 203, ML-DSA per FIPS 204). It implements every algorithm in the catalog and is the reference
 * other providers are checked against.
 *
 * Trust boundary: runs inside the TenantVault DO. Decoded secret keys live only in a module-private
 * WeakMap keyed by their handle, so no caller (and nothing reachable over RPC) can read them; a
 * handle is a class instance with no secret fields of its own.
 *
 * Randomness comes from an injectable `RandomSource` (default: Web Crypto's CSPRNG) used for seeds,
 * ML-KEM encapsulation randomness m (FIPS 203 Algorithm 20 line 1) and ML-DSA hedging rnd (FIPS 204
 * Algorithm 2 line 5). Tests inject fixed bytes to reproduce vectors; production never does.
 */
import { ml_dsa44, ml_dsa65, ml_dsa87 } from "@noble/post-quantum/ml-dsa.js";
import { ml_kem1024, ml_kem512, ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { ALGORITHMS, isAlgorithmName, type AlgorithmName, type KemAlgorithm, type KemAlgorithmName, type SignatureAlgorithm, type SignatureAlgorithmName } from "./algorithms.ts";
import { systemRandom, wipe, type RandomSource } from "./bytes.ts";
import { assertBytes, assertLength, CryptoInputError } from "./errors.ts";
import type { CryptoProvider, Encapsulation, KeyPair, PrivateKeyHandle, SignInput, SignOptions } from "./provider.ts";

const KEMS = { "ML-KEM-512": ml_kem512, "ML-KEM-768": ml_kem768, "ML-KEM-1024": ml_kem1024 } as const;
const DSAS = { "ML-DSA-44": ml_dsa44, "ML-DSA-65": ml_dsa65, "ML-DSA-87": ml_dsa87 } as const;

/** Decoded secret keys (noble's expanded encodings), reachable only from this module. */
const SECRETS = new WeakMap<NoblePrivateKey, Uint8Array>();

class NoblePrivateKey implements PrivateKeyHandle {
  readonly algorithm: AlgorithmName;
  readonly #publicKey: Uint8Array;

  constructor(algorithm: AlgorithmName, publicKey: Uint8Array, secretKey: Uint8Array) {
    this.algorithm = algorithm;
    this.#publicKey = publicKey;
    SECRETS.set(this, secretKey);
  }

  get publicKey(): Uint8Array {
    return this.#publicKey.slice();
  }

  get usable(): boolean {
    return SECRETS.has(this);
  }

  destroy(): void {
    wipe(SECRETS.get(this));
    SECRETS.delete(this);
  }

  /** Serialises to the algorithm name only: a handle never prints key material. */
  toJSON(): { algorithm: AlgorithmName } {
    return { algorithm: this.algorithm };
  }
}

function secretOf(operation: string, handle: PrivateKeyHandle): Uint8Array {
  const secret = handle instanceof NoblePrivateKey ? SECRETS.get(handle) : undefined;
  if (secret === undefined) {
    throw new CryptoInputError(operation, handle instanceof NoblePrivateKey ? "private key has been destroyed" : "private key was not created by this provider");
  }
  return secret;
}

function kemSpec(operation: string, name: unknown): KemAlgorithm {
  const spec = isAlgorithmName(name) ? ALGORITHMS[name] : undefined;
  if (spec?.kind !== "kem") throw new CryptoInputError(operation, `not a KEM algorithm: ${String(name)}`);
  return spec;
}

function signatureSpec(operation: string, name: unknown): SignatureAlgorithm {
  const spec = isAlgorithmName(name) ? ALGORITHMS[name] : undefined;
  if (spec?.kind !== "signature") throw new CryptoInputError(operation, `not a signature algorithm: ${String(name)}`);
  return spec;
}

/** Checks a sign/verify input and context, returning which kind of input it is. */
function checkSignInput(operation: string, spec: SignatureAlgorithm, input: SignInput, context: Uint8Array | undefined): "message" | "mu" {
  const hasMessage = typeof input === "object" && input !== null && "message" in input;
  const hasMu = typeof input === "object" && input !== null && "mu" in input;
  if (hasMessage === hasMu) throw new CryptoInputError(operation, "give exactly one of message or mu");
  if (context !== undefined) {
    assertBytes(operation, "context", context);
    // FIPS 204 Algorithm 2 line 1 / Algorithm 3 line 1: |ctx| > 255 is an error.
    if (context.length > spec.maxContextLength) {
      throw new CryptoInputError(operation, `context must be at most ${spec.maxContextLength} bytes, got ${context.length}`);
    }
  }
  if (hasMu) {
    // μ = H(tr ‖ M', 64) already binds the context (FIPS 204 Algorithm 7 line 6).
    if (context !== undefined && context.length > 0) throw new CryptoInputError(operation, "context cannot be combined with mu");
    assertLength(operation, "mu", (input as { mu: unknown }).mu, spec.muLength);
    return "mu";
  }
  assertBytes(operation, "message", (input as { message: unknown }).message);
  return "message";
}

export interface NobleProviderOptions {
  /** Random source for seeds, encapsulation and hedged signing. Default: Web Crypto CSPRNG. */
  readonly random?: RandomSource;
}

export class NobleProvider implements CryptoProvider {
  readonly name = "noble";
  readonly #random: RandomSource;

  constructor(options: NobleProviderOptions = {}) {
    this.#random = options.random ?? systemRandom;
  }

  supports(algorithm: AlgorithmName): boolean {
    return isAlgorithmName(algorithm);
  }

  generateSeed(algorithm: AlgorithmName): Uint8Array {
    if (!isAlgorithmName(algorithm)) throw new CryptoInputError("generateSeed", `unknown algorithm: ${String(algorithm)}`);
    const length = ALGORITHMS[algorithm].seedLength;
    const seed = this.#random(length);
    if (!(seed instanceof Uint8Array) || seed.length !== length) throw new CryptoInputError("generateSeed", "random source returned the wrong length");
    return seed;
  }

  async deriveKeyPair(algorithm: AlgorithmName, seed: Uint8Array): Promise<KeyPair> {
    if (!isAlgorithmName(algorithm)) throw new CryptoInputError("deriveKeyPair", `unknown algorithm: ${String(algorithm)}`);
    const spec = ALGORITHMS[algorithm];
    const operation = `${algorithm} deriveKeyPair`;
    assertLength(operation, "seed", seed, spec.seedLength);
    // ML-KEM: KeyGen_internal(d = seed[0:32], z = seed[32:64]) (FIPS 203 Algorithm 16).
    // ML-DSA: KeyGen_internal(ξ = seed) (FIPS 204 Algorithm 6).
    const keys = spec.kind === "kem" ? KEMS[spec.name].keygen(seed) : DSAS[spec.name].keygen(seed);
    const handle = new NoblePrivateKey(algorithm, keys.publicKey, keys.secretKey);
    return { publicKey: keys.publicKey.slice(), privateKey: handle };
  }

  async encapsulate(algorithm: KemAlgorithmName, publicKey: Uint8Array): Promise<Encapsulation> {
    const spec = kemSpec("encapsulate", algorithm);
    const operation = `${spec.name} encapsulate`;
    assertLength(operation, "public key", publicKey, spec.publicKeyLength);
    // FIPS 203 Algorithm 20 line 1: m ← 32 random bytes.
    const m = this.#random(32);
    try {
      const { cipherText, sharedSecret } = KEMS[spec.name].encapsulate(publicKey, m);
      return { ciphertext: cipherText, sharedSecret };
    } catch {
      // Lengths are checked above, so the only failure left is FIPS 203 §7.2's modulus check:
      // ByteEncode12(ByteDecode12(ek)) must equal ek.
      throw new CryptoInputError(operation, "public key fails the FIPS 203 §7.2 modulus check");
    } finally {
      wipe(m);
    }
  }

  async decapsulate(privateKey: PrivateKeyHandle, ciphertext: Uint8Array): Promise<Uint8Array> {
    const spec = kemSpec("decapsulate", privateKey?.algorithm);
    const operation = `${spec.name} decapsulate`;
    // FIPS 203 §7.3 ciphertext type check: only the length can be wrong; every ciphertext of the
    // right length decapsulates (implicit rejection, Algorithm 18 lines 9-11: K̄ = J(z ‖ c)).
    assertLength(operation, "ciphertext", ciphertext, spec.ciphertextLength);
    const secret = secretOf(operation, privateKey);
    return KEMS[spec.name].decapsulate(ciphertext, secret);
  }

  async sign(privateKey: PrivateKeyHandle, input: SignInput, options: SignOptions = {}): Promise<Uint8Array> {
    const spec = signatureSpec("sign", privateKey?.algorithm);
    const operation = `${spec.name} sign`;
    const kind = checkSignInput(operation, spec, input, options.context);
    const secret = secretOf(operation, privateKey);
    const dsa = DSAS[spec.name];
    // FIPS 204 Algorithm 2 line 5 (hedged: rnd ← 32 random bytes) or §3.4 deterministic (rnd = 0^32).
    const rnd = options.deterministic === true ? false : this.#random(32);
    try {
      if (kind === "mu") {
        // FIPS 204 Algorithm 7 from line 7, with μ supplied instead of computed on line 6.
        return dsa.internal.sign((input as { mu: Uint8Array }).mu, secret, { externalMu: true, extraEntropy: rnd });
      }
      // FIPS 204 Algorithm 2 line 10: M' = IntegerToBytes(0, 1) ‖ IntegerToBytes(|ctx|, 1) ‖ ctx ‖ M.
      const context = options.context ?? new Uint8Array(0);
      return dsa.sign((input as { message: Uint8Array }).message, secret, { context, extraEntropy: rnd });
    } finally {
      if (rnd !== false) wipe(rnd);
    }
  }

  async verify(algorithm: SignatureAlgorithmName, publicKey: Uint8Array, input: SignInput, signature: Uint8Array, context?: Uint8Array): Promise<boolean> {
    const spec = signatureSpec("verify", algorithm);
    const operation = `${spec.name} verify`;
    assertLength(operation, "public key", publicKey, spec.publicKeyLength);
    const kind = checkSignInput(operation, spec, input, context);
    assertBytes(operation, "signature", signature);
    // FIPS 204 §7.2 sigDecode accepts only signatures of exactly the parameter set's length.
    if (signature.length !== spec.signatureLength) return false;
    const dsa = DSAS[spec.name];
    try {
      if (kind === "mu") return dsa.internal.verify(signature, (input as { mu: Uint8Array }).mu, publicKey, { externalMu: true });
      return dsa.verify(signature, (input as { message: Uint8Array }).message, publicKey, { context: context ?? new Uint8Array(0) });
    } catch {
      // A malformed signature (e.g. bad hint encoding, FIPS 204 Algorithm 21) is an invalid one.
      return false;
    }
  }
}
