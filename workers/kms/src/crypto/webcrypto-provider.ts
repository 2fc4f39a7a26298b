/**
 * `WebCryptoProvider`: the crypto provider backed by the runtime's native Web Crypto where it has the
 * algorithm, and by `NobleProvider` for the rest (architecture §1). Native, when the runtime has them
 * (probed once per isolate, webcrypto-native.ts): ML-KEM-512/768/1024 (FIPS 203), ML-DSA-44/65/87
 * (FIPS 204, pure and hedged), X-Wing from native ML-KEM-768 and X25519 halves
 * (draft-connolly-cfrg-xwing-kem-10 §5), Composite-ML-DSA-65-P256 from native ML-DSA-65 and ECDSA
 * P-256 (draft-ietf-lamps-pq-composite-sigs-19 §3, hedged), and HMAC (RFC 2104; every Web Crypto
 * runtime has it, mac.ts). Always noble: SLH-DSA, ChaCha20-Poly1305
 * and AES-256-GCM (aead.ts, itself Web Crypto). Per call, from the same stored seed, noble also
 * serves what Web Crypto does not define: external μ, deterministic signing, and any operation when
 * a `RandomSource` is injected (Web Crypto draws its own randomness, so injected bytes could not be
 * honoured natively).
 *
 * Both paths give byte-identical public keys for a seed and each verifies / decapsulates what the
 * other produced; the tests hold every algorithm to that and to the same vectors.
 *
 * Trust boundary: runs inside the TenantVault DO. Decoded keys (non-extractable `CryptoKey`s, and the
 * seed copy kept for the noble fallback) live only in a module-private WeakMap keyed by the handle.
 */
import { toBase64 } from "./bytes.ts";
import {
  ALGORITHMS, isAlgorithmName, type AeadAlgorithmName, type AlgorithmName, type KemAlgorithmName, type MacAlgorithmName, type SignatureAlgorithmName,
} from "./algorithms.ts";
import { assertLength, CryptoInputError } from "./errors.ts";
import { checkSignInput, checkVerifyInput, NobleProvider, specOf, type NobleProviderOptions } from "./noble-provider.ts";
import { macHandles, webCryptoHmac } from "./mac.ts";
import { privateHandles } from "./private-handles.ts";
import type { CryptoProvider, Encapsulation, KeyPair, MacKeyHandle, PrivateKeyHandle, SecretKeyHandle, SignInput, SignOptions } from "./provider.ts";
import {
  compositeSignNative, compositeVerifyNative, importRawPublic, loadNativeKey, mlDsaParams, xWingDecapsulateNative, xWingEncapsulateNative, type NativeKey,
} from "./webcrypto-keys.ts";
import { mlKemModulusCheck, nativeAlgorithm, subtle, type CryptoKey } from "./webcrypto-native.ts";
import { X_WING_ML_KEM_PUBLIC_KEY_LENGTH } from "./x-wing.ts";

interface KeyState {
  /** A copy of the stored secret for the per-call noble fallback (empty when `noble` is set at load); wiped on destroy. */
  readonly seed: Uint8Array;
  /** Native keys, or undefined when the algorithm is served by noble. */
  readonly native: NativeKey | undefined;
  /** The noble handle for the same seed, loaded on first need. */
  noble: PrivateKeyHandle | undefined;
}

/** Decoded keys, reachable only from this module; destroying a handle wipes the seed copy and the noble handle (the CryptoKeys become unreachable with the state). */
const PRIVATE = privateHandles<KeyState>((state) => {
  state.seed.fill(0);
  state.noble?.destroy();
});

function stateOf(operation: string, handle: PrivateKeyHandle): KeyState {
  return PRIVATE.state(operation, handle);
}

/** HMAC keys as non-extractable Web Crypto keys; verification is `crypto.subtle.verify` (constant time). */
const MAC_KEYS = macHandles(webCryptoHmac);

/** Imported public keys kept per provider (so per vault): verify and encapsulate skip re-importing. */
const PUBLIC_KEY_CACHE_CAPACITY = 64;
const EMPTY = new Uint8Array(0);

export class WebCryptoProvider implements CryptoProvider {
  readonly name = "webcrypto";
  readonly #noble: NobleProvider;
  /** True when tests inject randomness: every randomised operation then runs in noble, which honours it. */
  readonly #injected: boolean;
  readonly #publicKeys = new Map<string, Promise<CryptoKey>>();

  constructor(options: NobleProviderOptions = {}) {
    this.#noble = new NobleProvider(options);
    this.#injected = options.random !== undefined;
  }

  supports(algorithm: AlgorithmName): boolean {
    return this.#noble.supports(algorithm);
  }

  /** Whether `algorithm`'s key operations run natively in this runtime (for logs, tests, benchmarks). */
  native(algorithm: AlgorithmName): Promise<boolean> {
    if (!isAlgorithmName(algorithm)) return Promise.resolve(false);
    return ALGORITHMS[algorithm].kind === "mac" ? Promise.resolve(true) : nativeAlgorithm(algorithm);
  }

  /** Stored secrets are random bytes (or SLH-DSA.KeyGen); noble's generator is the one to use. */
  generateSeed(algorithm: AlgorithmName): Uint8Array {
    return this.#noble.generateSeed(algorithm);
  }

  async deriveKeyPair(algorithm: AlgorithmName, seed: Uint8Array): Promise<KeyPair> {
    if (!isAlgorithmName(algorithm) || !(await nativeAlgorithm(algorithm))) {
      // noble checks the inputs and throws the same errors.
      const pair = await this.#noble.deriveKeyPair(algorithm, seed);
      // The noble handle holds the decoded key; no seed copy is needed beside it.
      const handle = PRIVATE.create(algorithm, pair.publicKey, { seed: new Uint8Array(0), native: undefined, noble: pair.privateKey });
      return { publicKey: pair.publicKey.slice(), privateKey: handle };
    }
    const spec = ALGORITHMS[algorithm];
    assertLength(`${algorithm} deriveKeyPair`, "seed", seed, spec.secretLength);
    const { publicKey, key } = await loadNativeKey(algorithm, seed);
    const handle = PRIVATE.create(algorithm, publicKey, { seed: seed.slice(), native: key, noble: undefined });
    return { publicKey: publicKey.slice(), privateKey: handle };
  }

  importSecretKey(algorithm: AeadAlgorithmName, key: Uint8Array): Promise<SecretKeyHandle> {
    return this.#noble.importSecretKey(algorithm, key);
  }

  aeadSeal(key: SecretKeyHandle, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
    return this.#noble.aeadSeal(key, nonce, aad, plaintext);
  }

  aeadOpen(key: SecretKeyHandle, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array> {
    return this.#noble.aeadOpen(key, nonce, aad, ciphertext);
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

  async encapsulate(algorithm: KemAlgorithmName, publicKey: Uint8Array): Promise<Encapsulation> {
    const spec = specOf("encapsulate", algorithm, "kem", "a KEM");
    if (this.#injected || !(await nativeAlgorithm(spec.name))) return this.#noble.encapsulate(algorithm, publicKey);
    const operation = `${spec.name} encapsulate`;
    assertLength(operation, "public key", publicKey, spec.publicKeyLength);
    const mlKemPart = spec.name === "X-Wing" ? publicKey.subarray(0, X_WING_ML_KEM_PUBLIC_KEY_LENGTH) : publicKey;
    // FIPS 203 §7.2 input check, before any work.
    if (!mlKemModulusCheck(mlKemPart)) throw new CryptoInputError(operation, "public key rejected (FIPS 203 §7.2 modulus check, or a low-order X25519 point)");
    const mlKemName = spec.name === "X-Wing" ? "ML-KEM-768" : spec.name;
    const mlKemKey = await this.#importPublic(operation, mlKemName, mlKemPart);
    if (spec.name !== "X-Wing") {
      const { ciphertext, sharedKey } = await subtle().encapsulateBits({ name: spec.name }, mlKemKey);
      return { ciphertext: new Uint8Array(ciphertext), sharedSecret: new Uint8Array(sharedKey) };
    }
    const pkX = publicKey.subarray(X_WING_ML_KEM_PUBLIC_KEY_LENGTH);
    const pkXKey = await this.#importPublic(operation, "X25519", pkX);
    try {
      return await xWingEncapsulateNative(mlKemKey, pkXKey, pkX);
    } catch {
      // The ML-KEM key is checked above; what is left is an X25519 point of low order (all-zero ss_X).
      throw new CryptoInputError(operation, "public key rejected (FIPS 203 §7.2 modulus check, or a low-order X25519 point)");
    }
  }

  async decapsulate(privateKey: PrivateKeyHandle, ciphertext: Uint8Array): Promise<Uint8Array> {
    const spec = specOf("decapsulate", privateKey?.algorithm, "kem", "a KEM");
    const operation = `${spec.name} decapsulate`;
    // FIPS 203 §7.3: only the length can be wrong; any ciphertext of the right length decapsulates.
    assertLength(operation, "ciphertext", ciphertext, spec.ciphertextLength);
    const state = stateOf(operation, privateKey);
    const native = state.native;
    if (native?.kind === "x-wing") return xWingDecapsulateNative(native, ciphertext);
    if (native?.kind === "ml-kem") return new Uint8Array(await subtle().decapsulateBits({ name: native.name }, native.privateKey, ciphertext.slice()));
    return this.#noble.decapsulate(await this.#nobleHandle(privateKey.algorithm, state), ciphertext);
  }

  async sign(privateKey: PrivateKeyHandle, input: SignInput, options: SignOptions = {}): Promise<Uint8Array> {
    const spec = specOf("sign", privateKey?.algorithm, "signature", "a signature");
    const operation = `${spec.name} sign`;
    const kind = checkSignInput(operation, spec, input, options.context);
    const state = stateOf(operation, privateKey);
    const native = state.native;
    // Web Crypto signs hedged pure messages only; μ, deterministic and injected randomness go to noble.
    if (native === undefined || kind === "mu" || options.deterministic === true || this.#injected) {
      return this.#noble.sign(await this.#nobleHandle(spec.name, state), input, options);
    }
    const message = (input as { message: Uint8Array }).message;
    const context = options.context ?? EMPTY;
    if (native.kind === "composite") return compositeSignNative(native, message, context);
    if (native.kind !== "ml-dsa") throw new CryptoInputError(operation, "not a signature key");
    return new Uint8Array(await subtle().sign(mlDsaParams(native.name, context), native.privateKey, message.slice()));
  }

  async verify(algorithm: SignatureAlgorithmName, publicKey: Uint8Array, input: SignInput, signature: Uint8Array, context?: Uint8Array): Promise<boolean> {
    const { spec, kind } = checkVerifyInput(algorithm, publicKey, input, signature, context);
    const operation = `${spec.name} verify`;
    if (kind === "mu" || !(await nativeAlgorithm(spec.name))) return this.#noble.verify(algorithm, publicKey, input, signature, context);
    // FIPS 204 §7.2 sigDecode accepts one length; the composite's DER part varies within bounds (§4.3).
    if (signature.length < spec.minSignatureLength || signature.length > spec.signatureLength) return false;
    const message = (input as { message: Uint8Array }).message;
    try {
      if (spec.name === "Composite-ML-DSA-65-P256") {
        return await compositeVerifyNative((name, raw) => this.#importPublic(operation, name, raw), publicKey, message, context ?? EMPTY, signature);
      }
      const key = await this.#importPublic(operation, spec.name, publicKey);
      return await subtle().verify(mlDsaParams(spec.name, context ?? EMPTY), key, signature.slice(), message.slice());
    } catch {
      // A public key the runtime cannot decode, or a malformed signature, verifies nothing.
      return false;
    }
  }

  /** The noble handle for a state's seed: the fallback path, loaded once per cached key. */
  async #nobleHandle(algorithm: AlgorithmName, state: KeyState): Promise<PrivateKeyHandle> {
    if (state.noble !== undefined) return state.noble;
    // noble decodes the seed synchronously, at this call; only its result is awaited.
    const loaded = (await this.#noble.deriveKeyPair(algorithm, state.seed)).privateKey;
    // Two calls may have loaded it at once: keep one, wipe the other.
    if (state.noble === undefined) state.noble = loaded;
    else loaded.destroy();
    return state.noble;
  }

  /**
   * A native public key, imported once and kept in a small per-provider map (oldest entry dropped
   * first). A key the runtime refuses is not kept, and fails as an input error of the operation.
   */
  async #importPublic(operation: string, name: string, raw: Uint8Array): Promise<CryptoKey> {
    const cacheKey = `${name}:${toBase64(raw)}`;
    let key = this.#publicKeys.get(cacheKey);
    if (key === undefined) {
      key = importRawPublic(name, raw);
      if (this.#publicKeys.size >= PUBLIC_KEY_CACHE_CAPACITY) {
        const oldest = this.#publicKeys.keys().next().value;
        if (oldest !== undefined) this.#publicKeys.delete(oldest);
      }
      this.#publicKeys.set(cacheKey, key);
    }
    try {
      return await key;
    } catch {
      this.#publicKeys.delete(cacheKey);
      throw new CryptoInputError(operation, "public key rejected by the runtime");
    }
  }
}
