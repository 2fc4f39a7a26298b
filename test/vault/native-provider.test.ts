/**
 * The crypto provider in workerd itself (architecture §1): with the kms Worker's own wrangler.toml
 * (compatibility flag `webcrypto_modern_algorithms`, CRYPTO_PROVIDER = "webcrypto") the provider the
 * vault selects runs ML-KEM-768/1024 and ML-DSA-44/65/87 natively, and agrees byte for byte with
 * NobleProvider: the same public keys from the same seed, each decapsulating and verifying what the
 * other made. The X-Wing draft's vectors (native halves joined in TypeScript) decapsulate here too.
 * The full vector suites run over both providers in the node project.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { CreateKeyInput } from "../../workers/shared/rpc.ts";
import { TenantVault } from "../../workers/kms/src/vault/tenant-vault.ts";
import { newVault } from "./helpers.ts";
import { NobleProvider } from "../../workers/kms/src/crypto/noble-provider.ts";
import { selectProvider } from "../../workers/kms/src/crypto/select-provider.ts";
import { WebCryptoProvider } from "../../workers/kms/src/crypto/webcrypto-provider.ts";
import xWingVectors from "../vectors/xwing-test-vectors.json";

const chosen = selectProvider(env);
if (!chosen.ok) throw new Error(`the kms wrangler.toml selects no provider: ${chosen.error.detail}`);
const selected = chosen.value;
const noble = new NobleProvider();
const NATIVE = ["ML-KEM-768", "ML-KEM-1024", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87", "X-Wing", "Composite-ML-DSA-65-P256"] as const;
const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
const message = new TextEncoder().encode("in workerd");

describe("the selected provider", () => {
  it("is WebCryptoProvider", () => {
    expect(selected).toBeInstanceOf(WebCryptoProvider);
    expect(selected.name).toBe("webcrypto");
  });

  it.each(NATIVE)("runs %s natively", async (algorithm) => {
    expect(await (selected as WebCryptoProvider).native(algorithm)).toBe(true);
  });

  it("leaves SLH-DSA to noble", async () => {
    expect(await (selected as WebCryptoProvider).native("SLH-DSA-SHA2-128f")).toBe(false);
  });
});

describe.each(["ML-KEM-768", "ML-KEM-1024", "X-Wing"] as const)("%s, native against noble", (algorithm) => {
  it("same public key from the same seed; each side decapsulates what the other encapsulated", async () => {
    const seed = noble.generateSeed(algorithm);
    const [mine, theirs] = await Promise.all([selected.deriveKeyPair(algorithm, seed), noble.deriveKeyPair(algorithm, seed)]);
    expect(toHex(mine.publicKey)).toBe(toHex(theirs.publicKey));
    const fromNative = await selected.encapsulate(algorithm, mine.publicKey);
    const fromNoble = await noble.encapsulate(algorithm, mine.publicKey);
    expect(toHex(await noble.decapsulate(theirs.privateKey, fromNative.ciphertext))).toBe(toHex(fromNative.sharedSecret));
    expect(toHex(await selected.decapsulate(mine.privateKey, fromNoble.ciphertext))).toBe(toHex(fromNoble.sharedSecret));
  });
});

describe.each(["ML-DSA-44", "ML-DSA-65", "ML-DSA-87", "Composite-ML-DSA-65-P256"] as const)("%s, native against noble", (algorithm) => {
  it("same public key from the same seed; each side verifies what the other signed", async () => {
    const seed = noble.generateSeed(algorithm);
    const [mine, theirs] = await Promise.all([selected.deriveKeyPair(algorithm, seed), noble.deriveKeyPair(algorithm, seed)]);
    expect(toHex(mine.publicKey)).toBe(toHex(theirs.publicKey));
    const context = new TextEncoder().encode("ctx");
    const fromNative = await selected.sign(mine.privateKey, { message }, { context });
    const fromNoble = await noble.sign(theirs.privateKey, { message }, { context });
    expect(await noble.verify(algorithm, mine.publicKey, { message }, fromNative, context)).toBe(true);
    expect(await selected.verify(algorithm, mine.publicKey, { message }, fromNoble, context)).toBe(true);
    expect(await selected.verify(algorithm, mine.publicKey, { message }, fromNoble)).toBe(false);
  });
});

describe("draft-connolly-cfrg-xwing-kem vectors in workerd", () => {
  it.each(xWingVectors.map((v, i) => [i, v] as const))("vector %i: pk from the seed, Decapsulate gives ss", async (_i, v) => {
    const { publicKey, privateKey } = await selected.deriveKeyPair("X-Wing", hex(v.sk));
    expect(toHex(publicKey)).toBe(v.pk);
    expect(toHex(await selected.decapsulate(privateKey, hex(v.ct)))).toBe(v.ss);
  });
});

describe("an unknown CRYPTO_PROVIDER", () => {
  it("makes the vault answer every call `misconfigured`, naming the var, and write nothing", async () => {
    const vault = await newVault();
    await runInDurableObject(vault.stub, async (_instance, state) => {
      const misconfigured = new TenantVault(state, { ...env, CRYPTO_PROVIDER: "openssl" } as unknown as KmsEnv);
      const answer = await misconfigured.createKey(vault.call, { algorithm: "ML-KEM-768" } as CreateKeyInput, null, 10);
      expect(answer).toEqual({ ok: false, error: { code: "misconfigured", detail: "CRYPTO_PROVIDER must be one of webcrypto, noble" } });
      expect(await misconfigured.summary(vault.call)).toEqual(answer);
      expect(state.storage.sql.exec("SELECT count(*) AS n FROM keys").one().n).toBe(0);
    });
  });
});
