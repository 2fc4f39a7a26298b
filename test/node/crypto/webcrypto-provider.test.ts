/**
 * WebCryptoProvider against NobleProvider (architecture §1): which algorithms run natively in Node 24,
 * byte-identical public keys from the same seed for every algorithm, each provider decapsulating and
 * verifying what the other produced, the native path's own refusals, the per-call noble fallback, and
 * the provider choice from CRYPTO_PROVIDER. The shared vectors run over both in the other files.
 */
import { describe, expect, it } from "vitest";
import { ALGORITHMS, type AsymmetricAlgorithmName, type KemAlgorithmName, type SignatureAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { CryptoInputError } from "../../../workers/kms/src/crypto/errors.ts";
import { NobleProvider } from "../../../workers/kms/src/crypto/noble-provider.ts";
import { cryptoProviderName, selectProvider } from "../../../workers/kms/src/crypto/select-provider.ts";
import { WebCryptoProvider } from "../../../workers/kms/src/crypto/webcrypto-provider.ts";
import { scriptedRandom, toHex } from "./vectors.ts";

const native = new WebCryptoProvider();
const noble = new NobleProvider();
const KEMS: readonly KemAlgorithmName[] = ["ML-KEM-512", "ML-KEM-768", "ML-KEM-1024", "X-Wing"];
/** SLH-DSA-SHA2-128s is left out: its 0.2 s key generation and seconds-long signing are slh-dsa.test.ts's. */
const SIGNERS: readonly SignatureAlgorithmName[] = ["ML-DSA-44", "ML-DSA-65", "ML-DSA-87", "Composite-ML-DSA-65-P256", "SLH-DSA-SHA2-128f"];
const message = new TextEncoder().encode("cross-provider");
const context = new TextEncoder().encode("pqkms/cross");

describe("what runs natively in Node 24 (OpenSSL 3.5 behind Web Crypto)", () => {
  it.each(["ML-KEM-512", "ML-KEM-768", "ML-KEM-1024", "X-Wing", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87", "Composite-ML-DSA-65-P256"] as const)("%s is native", async (algorithm) => {
    expect(await native.native(algorithm)).toBe(true);
  });

  it.each(["SLH-DSA-SHA2-128s", "SLH-DSA-SHA2-128f", "AES-256-GCM", "ChaCha20-Poly1305"] as const)("%s stays with noble", async (algorithm) => {
    expect(await native.native(algorithm)).toBe(false);
  });
});

describe.each([...KEMS, ...SIGNERS, "SLH-DSA-SHA2-128s"] as AsymmetricAlgorithmName[])("%s across providers", (algorithm) => {
  it("gives byte-identical public keys from the same seed", async () => {
    // A fixed SLH-DSA-SHA2-128s private key (loading it is slicing) keeps its 0.2 s keygen out of here.
    const seed = algorithm === "SLH-DSA-SHA2-128s" ? new Uint8Array(64).fill(3) : noble.generateSeed(algorithm);
    const [a, b] = await Promise.all([native.deriveKeyPair(algorithm, seed), noble.deriveKeyPair(algorithm, seed)]);
    expect(toHex(a.publicKey)).toBe(toHex(b.publicKey));
    expect(toHex(a.privateKey.publicKey)).toBe(toHex(b.publicKey));
  });
});

describe.each(KEMS)("%s: each provider decapsulates what the other encapsulated", (algorithm) => {
  it("both ways, and implicit rejection agrees", async () => {
    const seed = noble.generateSeed(algorithm);
    const [mine, theirs] = await Promise.all([native.deriveKeyPair(algorithm, seed), noble.deriveKeyPair(algorithm, seed)]);
    const fromNative = await native.encapsulate(algorithm, mine.publicKey);
    const fromNoble = await noble.encapsulate(algorithm, mine.publicKey);
    expect(fromNative.ciphertext.length).toBe(ALGORITHMS[algorithm].ciphertextLength);
    expect(toHex(await noble.decapsulate(theirs.privateKey, fromNative.ciphertext))).toBe(toHex(fromNative.sharedSecret));
    expect(toHex(await native.decapsulate(mine.privateKey, fromNoble.ciphertext))).toBe(toHex(fromNoble.sharedSecret));
    const tampered = fromNoble.ciphertext.slice();
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    expect(toHex(await native.decapsulate(mine.privateKey, tampered))).toBe(toHex(await noble.decapsulate(theirs.privateKey, tampered)));
  });

  it("refuses an encapsulation key that fails the FIPS 203 §7.2 modulus check, natively", async () => {
    const { publicKey } = await noble.deriveKeyPair(algorithm, noble.generateSeed(algorithm));
    const bad = publicKey.slice();
    bad.fill(0xff, 0, 3); // first coefficient 4095 ≥ q
    await expect(native.encapsulate(algorithm, bad)).rejects.toThrow(`${algorithm} encapsulate: public key rejected`);
  });
});

describe("X-Wing low-order X25519 parts", () => {
  it("are refused on both sides with input errors, as NobleProvider does", async () => {
    const seed = noble.generateSeed("X-Wing");
    const { publicKey, privateKey } = await native.deriveKeyPair("X-Wing", seed);
    const lowOrderKey = publicKey.slice();
    lowOrderKey.fill(0, 1184);
    await expect(native.encapsulate("X-Wing", lowOrderKey)).rejects.toThrow(CryptoInputError);
    await expect(noble.encapsulate("X-Wing", lowOrderKey)).rejects.toThrow(CryptoInputError);
    const { ciphertext } = await native.encapsulate("X-Wing", publicKey);
    ciphertext.fill(0, 1088);
    await expect(native.decapsulate(privateKey, ciphertext)).rejects.toThrow("X-Wing decapsulate: ciphertext's X25519 part is a low-order point");
  });
});

describe.each(SIGNERS)("%s: each provider verifies what the other signed", (algorithm) => {
  it("hedged and deterministic, with and without context", async () => {
    const seed = noble.generateSeed(algorithm);
    const [mine, theirs] = await Promise.all([native.deriveKeyPair(algorithm, seed), noble.deriveKeyPair(algorithm, seed)]);
    for (const options of [{}, { context }, { context, deterministic: true }]) {
      const fromNative = await native.sign(mine.privateKey, { message }, options);
      const fromNoble = await noble.sign(theirs.privateKey, { message }, options);
      expect(await noble.verify(algorithm, mine.publicKey, { message }, fromNative, options.context)).toBe(true);
      expect(await native.verify(algorithm, mine.publicKey, { message }, fromNoble, options.context)).toBe(true);
      expect(await native.verify(algorithm, mine.publicKey, { message: context }, fromNoble, options.context)).toBe(false);
      // The deterministic variant is noble's code in both, so the bytes agree.
      if (options.deterministic === true) expect(toHex(fromNative)).toBe(toHex(fromNoble));
    }
  });
});

describe("the per-call noble fallback", () => {
  it("signs external μ from the same stored seed (Web Crypto has no μ input)", async () => {
    const seed = noble.generateSeed("ML-DSA-65");
    const [mine, theirs] = await Promise.all([native.deriveKeyPair("ML-DSA-65", seed), noble.deriveKeyPair("ML-DSA-65", seed)]);
    const mu = new Uint8Array(64).fill(9);
    const a = await native.sign(mine.privateKey, { mu }, { deterministic: true });
    expect(toHex(a)).toBe(toHex(await noble.sign(theirs.privateKey, { mu }, { deterministic: true })));
    expect(await native.verify("ML-DSA-65", mine.publicKey, { mu }, a)).toBe(true);
  });

  it("honours injected randomness, which native Web Crypto could not", async () => {
    const seed = noble.generateSeed("ML-KEM-768");
    const { publicKey } = await noble.deriveKeyPair("ML-KEM-768", seed);
    const m = new Uint8Array(32).fill(5);
    const a = await new WebCryptoProvider({ random: scriptedRandom(m) }).encapsulate("ML-KEM-768", publicKey);
    const b = await new NobleProvider({ random: scriptedRandom(m) }).encapsulate("ML-KEM-768", publicKey);
    expect([toHex(a.ciphertext), toHex(a.sharedSecret)]).toEqual([toHex(b.ciphertext), toHex(b.sharedSecret)]);
  });
});

describe("handles", () => {
  it("are not shared between providers, serialise without secrets and die on destroy()", async () => {
    const seed = noble.generateSeed("ML-KEM-768");
    const [mine, theirs] = await Promise.all([native.deriveKeyPair("ML-KEM-768", seed), noble.deriveKeyPair("ML-KEM-768", seed)]);
    const ciphertext = new Uint8Array(1088);
    await expect(native.decapsulate(theirs.privateKey, ciphertext)).rejects.toThrow("not created by this provider");
    await expect(noble.decapsulate(mine.privateKey, ciphertext)).rejects.toThrow("not created by this provider");
    expect(JSON.stringify(mine.privateKey)).toBe('{"algorithm":"ML-KEM-768"}');
    expect(Object.keys(mine.privateKey)).toEqual(["algorithm"]);
    mine.privateKey.destroy();
    expect(mine.privateKey.usable).toBe(false);
    await expect(native.decapsulate(mine.privateKey, ciphertext)).rejects.toThrow("ML-KEM-768 decapsulate: private key has been destroyed");
  });
});

describe("CRYPTO_PROVIDER", () => {
  it("selects webcrypto by default and noble when asked", () => {
    const named = (env: { CRYPTO_PROVIDER?: unknown }) => {
      const selected = selectProvider(env);
      return selected.ok ? selected.value.name : selected.error.code;
    };
    expect(named({})).toBe("webcrypto");
    expect(named({ CRYPTO_PROVIDER: "webcrypto" })).toBe("webcrypto");
    expect(named({ CRYPTO_PROVIDER: "noble" })).toBe("noble");
  });

  it.each(["Noble", "", "auto", 1])("refuses %j, naming the var (fail closed)", (value) => {
    const name = cryptoProviderName({ CRYPTO_PROVIDER: value });
    expect(name.ok).toBe(false);
    if (!name.ok) expect(name.error).toEqual({ code: "misconfigured", detail: "CRYPTO_PROVIDER must be one of webcrypto, noble" });
    expect(selectProvider({ CRYPTO_PROVIDER: value })).toEqual(name);
  });
});
