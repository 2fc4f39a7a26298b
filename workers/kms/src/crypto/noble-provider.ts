/**
 * `NobleProvider`: the pure-TypeScript crypto provider, built on @noble/post-quantum (ML-KEM per
 * FIPS 203, X-Wing per draft-connolly-cfrg-xwing-kem-10, ML-DSA per FIPS 204, SLH-DSA per FIPS 205),
 * @noble/curves (P-256 for the composite, X25519 inside X-Wing) and, for symmetric keys, aead.ts
 * (AES-256-GCM through Web Crypto, ChaCha20-Poly1305 through @noble/ciphers), and HMAC through
 * @noble/hashes (mac.ts). It implements every
 * algorithm in the catalog and is the reference other providers are checked against.
 *
 * Trust boundary: runs inside the TenantVault DO. Decoded secret keys live only in module-private
 * WeakMaps keyed by their handle, so no caller (and nothing reachable over RPC) can read them; a
 * handle is a class instance with no secret fields of its own.
 *
 * Randomness comes from an injectable `RandomSource` (default: Web Crypto's CSPRNG) used for stored
 * secrets, encapsulation randomness (FIPS 203 Algorithm 20 line 1 m; X-Wing §5.4.1 eseed) and
 * signature hedging (FIPS 204 rnd, FIPS 205 opt_rand, RFC 6979 §3.6 extra data). Tests inject fixed
 * bytes to reproduce vectors; production never does.
 */
import { ml_kem768_x25519 } from "@noble/post-quantum/hybrid.js";
import { ml_kem1024, ml_kem512, ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { signInputProblems } from "../../../shared/sign-input.ts";
import { aeadById, type AeadKey } from "./aead.ts";
import {
  ALGORITHMS,
  isAlgorithmName,
  type AeadAlgorithm,
  type AeadAlgorithmName,
  type AlgorithmName,
  type KemAlgorithm,
  type KemAlgorithmName,
  type MacAlgorithmName,
  type SignatureAlgorithm,
  type SignatureAlgorithmName,
} from "./algorithms.ts";
import { systemRandom, wipe, type RandomSource } from "./bytes.ts";
import { assertBytes, assertLength, CryptoInputError } from "./errors.ts";
import { macHandles, nobleHmac } from "./mac.ts";
import type { CryptoProvider, Encapsulation, KeyPair, MacKeyHandle, PrivateKeyHandle, SecretKeyHandle, SignInput, SignOptions } from "./provider.ts";
import { privateHandles } from "./private-handles.ts";
import { SIGNATURE_SCHEMES } from "./signature-schemes.ts";

interface KemImplementation {
  keygen(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  encapsulate(publicKey: Uint8Array, randomness: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(ciphertext: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

/**
 * KEMs with the length of the randomness Encaps consumes: m (32, FIPS 203 Algorithm 20 line 1) or
 * X-Wing's eseed (64, §5.4.1: ML-KEM m ‖ X25519 ephemeral secret). noble's X-Wing keeps the 32-byte
 * decapsulation key as its secret key and expands it per §5.5 on each Decapsulate.
 */
const KEMS: { readonly [N in KemAlgorithmName]: { readonly kem: KemImplementation; readonly randomLength: number } } = {
  "ML-KEM-512": { kem: ml_kem512, randomLength: 32 },
  "ML-KEM-768": { kem: ml_kem768, randomLength: 32 },
  "ML-KEM-1024": { kem: ml_kem1024, randomLength: 32 },
  "X-Wing": { kem: ml_kem768_x25519, randomLength: 64 },
};

/** Decoded private keys (the libraries' own secret-key encodings), reachable only from this module. */
const PRIVATE = privateHandles<Uint8Array>((secretKey) => wipe(secretKey));
/** Imported AEAD keys, reachable only from this module. */
const AEAD_KEYS = new WeakMap<NobleSecretKey, AeadKey>();
/** HMAC keys, pure TypeScript (the reference the Web Crypto provider is checked against). */
const MAC_KEYS = macHandles(nobleHmac);

class NobleSecretKey implements SecretKeyHandle {
  readonly algorithm: AeadAlgorithmName;

  constructor(algorithm: AeadAlgorithmName, key: AeadKey) {
    this.algorithm = algorithm;
    AEAD_KEYS.set(this, key);
  }

  get usable(): boolean {
    return AEAD_KEYS.has(this);
  }

  destroy(): void {
    AEAD_KEYS.get(this)?.dispose();
    AEAD_KEYS.delete(this);
  }

  toJSON(): { algorithm: AeadAlgorithmName } {
    return { algorithm: this.algorithm };
  }
}

function privateSecret(operation: string, handle: PrivateKeyHandle): Uint8Array {
  return PRIVATE.state(operation, handle);
}

function aeadKey(operation: string, handle: SecretKeyHandle): AeadKey {
  const key = handle instanceof NobleSecretKey ? AEAD_KEYS.get(handle) : undefined;
  if (key === undefined) {
    throw new CryptoInputError(operation, handle instanceof NobleSecretKey ? "secret key has been destroyed" : "secret key was not created by this provider");
  }
  return key;
}

export function specOf<K extends "kem" | "signature" | "aead">(operation: string, name: unknown, kind: K, what: string): Extract<KemAlgorithm | SignatureAlgorithm | AeadAlgorithm, { kind: K }> {
  const spec = isAlgorithmName(name) ? ALGORITHMS[name] : undefined;
  if (spec?.kind !== kind) throw new CryptoInputError(operation, `not ${what} algorithm: ${String(name)}`);
  return spec as Extract<KemAlgorithm | SignatureAlgorithm | AeadAlgorithm, { kind: K }>;
}

/** Checks a sign/verify input and context, returning which kind of input it is. */
export function checkSignInput(operation: string, spec: SignatureAlgorithm, input: SignInput, context: Uint8Array | undefined): "message" | "mu" {
  const hasMessage = typeof input === "object" && input !== null && "message" in input;
  const hasMu = typeof input === "object" && input !== null && "mu" in input;
  // An empty ctx is the FIPS 204 default, so only a non-empty one counts as given here (shared/sign-input.ts).
  // A context that is not bytes is refused by assertBytes below, before the rule's answer is read.
  const problems = signInputProblems({ message: hasMessage, mu: hasMu, context: context instanceof Uint8Array && context.length > 0 });
  if (problems.includes("message_or_mu")) throw new CryptoInputError(operation, "give exactly one of message or mu");
  if (context !== undefined) {
    assertBytes(operation, "context", context);
    // FIPS 204 Algorithms 2/3 line 1, FIPS 205 Algorithms 22/24 line 1, composite §3.2/§3.3 step 1.
    if (context.length > spec.maxContextLength) {
      throw new CryptoInputError(operation, `context must be at most ${spec.maxContextLength} bytes, got ${context.length}`);
    }
  }
  if (hasMu) {
    if (spec.muLength === null) throw new CryptoInputError(operation, "external mu is defined for ML-DSA only");
    // μ = H(tr ‖ M', 64) already binds the context (FIPS 204 Algorithm 7 line 6).
    if (problems.includes("context_with_mu")) throw new CryptoInputError(operation, "context cannot be combined with mu");
    assertLength(operation, "mu", (input as { mu: unknown }).mu, spec.muLength);
    return "mu";
  }
  assertBytes(operation, "message", (input as { message: unknown }).message);
  return "message";
}

/** Checks a verify call's inputs (every provider's, the same way); a bad signature is not an input error. */
export function checkVerifyInput(algorithm: unknown, publicKey: Uint8Array, input: SignInput, signature: Uint8Array, context: Uint8Array | undefined): { spec: SignatureAlgorithm; kind: "message" | "mu" } {
  const spec = specOf("verify", algorithm, "signature", "a signature");
  const operation = `${spec.name} verify`;
  assertLength(operation, "public key", publicKey, spec.publicKeyLength);
  const kind = checkSignInput(operation, spec, input, context);
  assertBytes(operation, "signature", signature);
  return { spec, kind };
}

const EMPTY = new Uint8Array(0);

export interface NobleProviderOptions {
  /** Random source for secrets, encapsulation and hedged signing. Default: Web Crypto CSPRNG. */
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
    const spec = ALGORITHMS[algorithm];
    const secret = spec.kind === "signature" ? SIGNATURE_SCHEMES[spec.name].generateSecret(this.#random) : this.#random(spec.secretLength);
    if (!(secret instanceof Uint8Array) || secret.length !== spec.secretLength) throw new CryptoInputError("generateSeed", "random source returned the wrong length");
    return secret;
  }

  async deriveKeyPair(algorithm: AlgorithmName, seed: Uint8Array): Promise<KeyPair> {
    if (!isAlgorithmName(algorithm)) throw new CryptoInputError("deriveKeyPair", `unknown algorithm: ${String(algorithm)}`);
    const spec = ALGORITHMS[algorithm];
    const operation = `${algorithm} deriveKeyPair`;
    if (spec.kind === "aead" || spec.kind === "mac") throw new CryptoInputError(operation, "a symmetric key has no key pair; use importSecretKey or importMacKey");
    assertLength(operation, "seed", seed, spec.secretLength);
    // ML-KEM: KeyGen_internal(d = seed[0:32], z = seed[32:64]) (FIPS 203 Algorithm 16).
    // X-Wing: GenerateKeyPairDerand(sk) (§5.2.1); the secret key kept is sk itself.
    // Signatures: see signature-schemes.ts.
    const keys = spec.kind === "kem" ? KEMS[spec.name].kem.keygen(seed) : SIGNATURE_SCHEMES[spec.name].expand(seed);
    const handle = PRIVATE.create(algorithm, keys.publicKey, keys.secretKey);
    return { publicKey: keys.publicKey.slice(), privateKey: handle };
  }

  async importSecretKey(algorithm: AeadAlgorithmName, key: Uint8Array): Promise<SecretKeyHandle> {
    const spec = specOf("importSecretKey", algorithm, "aead", "an AEAD");
    assertLength(`${spec.name} importSecretKey`, "key", key, spec.secretLength);
    const aead = aeadById(spec.hpkeAeadId);
    if (aead === undefined) throw new CryptoInputError(`${spec.name} importSecretKey`, "AEAD not available");
    return new NobleSecretKey(spec.name, await aead.importKey(key));
  }

  async encapsulate(algorithm: KemAlgorithmName, publicKey: Uint8Array): Promise<Encapsulation> {
    const spec = specOf("encapsulate", algorithm, "kem", "a KEM");
    const operation = `${spec.name} encapsulate`;
    assertLength(operation, "public key", publicKey, spec.publicKeyLength);
    const { kem, randomLength } = KEMS[spec.name];
    const randomness = this.#random(randomLength);
    try {
      const { cipherText, sharedSecret } = kem.encapsulate(publicKey, randomness);
      return { ciphertext: cipherText, sharedSecret };
    } catch {
      // Lengths are checked above, so what is left is FIPS 203 §7.2's modulus check
      // (ByteEncode12(ByteDecode12(ek)) = ek) or, for X-Wing, an X25519 part of low order.
      throw new CryptoInputError(operation, "public key rejected (FIPS 203 §7.2 modulus check, or a low-order X25519 point)");
    } finally {
      wipe(randomness);
    }
  }

  async decapsulate(privateKey: PrivateKeyHandle, ciphertext: Uint8Array): Promise<Uint8Array> {
    const spec = specOf("decapsulate", privateKey?.algorithm, "kem", "a KEM");
    const operation = `${spec.name} decapsulate`;
    // FIPS 203 §7.3 ciphertext type check: only the length can be wrong; every ciphertext of the
    // right length decapsulates (implicit rejection, Algorithm 18 lines 9-11: K̄ = J(z ‖ c)).
    assertLength(operation, "ciphertext", ciphertext, spec.ciphertextLength);
    const secret = privateSecret(operation, privateKey);
    try {
      return KEMS[spec.name].kem.decapsulate(ciphertext, secret);
    } catch (error) {
      if (spec.name !== "X-Wing") throw error;
      // X-Wing only: @noble/curves applies RFC 7748 §6.1's all-zero check, so a ct_X of low order
      // (never made by an honest Encapsulate) is refused. It depends on the public ciphertext
      // alone (the clamped scalar sends every low-order point to zero), so it reveals nothing.
      throw new CryptoInputError(operation, "ciphertext's X25519 part is a low-order point (RFC 7748 §6.1)");
    }
  }

  async sign(privateKey: PrivateKeyHandle, input: SignInput, options: SignOptions = {}): Promise<Uint8Array> {
    const spec = specOf("sign", privateKey?.algorithm, "signature", "a signature");
    const operation = `${spec.name} sign`;
    const kind = checkSignInput(operation, spec, input, options.context);
    const secret = privateSecret(operation, privateKey);
    const scheme = SIGNATURE_SCHEMES[spec.name];
    const random = options.deterministic === true ? null : this.#random;
    if (kind === "message") return scheme.sign(secret, (input as { message: Uint8Array }).message, options.context ?? EMPTY, random);
    if (scheme.externalMu === undefined) throw new CryptoInputError(operation, "external mu is defined for ML-DSA only");
    return scheme.externalMu.sign(secret, (input as { mu: Uint8Array }).mu, random);
  }

  async verify(algorithm: SignatureAlgorithmName, publicKey: Uint8Array, input: SignInput, signature: Uint8Array, context?: Uint8Array): Promise<boolean> {
    const { spec, kind } = checkVerifyInput(algorithm, publicKey, input, signature, context);
    // FIPS 204 §7.2 sigDecode and FIPS 205 Algorithm 20 line 1 accept exactly one length; the
    // composite's DER part varies within known bounds (draft -19 §4.3, Appendix A).
    if (signature.length < spec.minSignatureLength || signature.length > spec.signatureLength) return false;
    const scheme = SIGNATURE_SCHEMES[spec.name];
    try {
      if (kind === "message") return scheme.verify(publicKey, (input as { message: Uint8Array }).message, context ?? EMPTY, signature);
      return scheme.externalMu?.verify(publicKey, (input as { mu: Uint8Array }).mu, signature) ?? false;
    } catch {
      // A malformed signature (bad hint encoding, FIPS 204 Algorithm 21; bad DER) is an invalid one.
      return false;
    }
  }

  async aeadSeal(key: SecretKeyHandle, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
    const spec = specOf("aeadSeal", key?.algorithm, "aead", "an AEAD");
    // Nonce, aad and plaintext are checked by aead.ts, with errors naming "<algorithm> seal".
    return aeadKey(`${spec.name} seal`, key).seal(nonce, aad, plaintext);
  }

  async aeadOpen(key: SecretKeyHandle, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array> {
    const spec = specOf("aeadOpen", key?.algorithm, "aead", "an AEAD");
    return aeadKey(`${spec.name} open`, key).open(nonce, aad, ciphertext);
  }

  importMacKey(algorithm: MacAlgorithmName, key: Uint8Array): Promise<MacKeyHandle> {
    return MAC_KEYS.importKey(algorithm, key);
  }

  mac(key: MacKeyHandle, message: Uint8Array): Promise<Uint8Array> {
    return MAC_KEYS.mac(key, message);
  }

  verifyMac(key: MacKeyHandle, message: Uint8Array, tag: Uint8Array): Promise<boolean> {
    return MAC_KEYS.verify(key, message, tag);
  }
}

