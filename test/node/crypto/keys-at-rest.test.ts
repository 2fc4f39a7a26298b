/**
 * Keys at rest (architecture §8): the KEK ring parsed from Worker secrets, and wrapping of key-version
 * secrets bound to tenant, key, version, algorithm and KEK id.
 */
import { createCipheriv, hkdfSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DEFAULT_KEK_ID, parseKeyring, type Keyring } from "../../../workers/kms/src/crypto/kek.ts";
import { unwrapSecret, wrapAad, wrapSecret, WrappingKey } from "../../../workers/kms/src/crypto/wrap.ts";
import { scriptedRandom, toHex } from "./vectors.ts";

const KEK_A = randomBytes(32);
const KEK_B = randomBytes(32);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

function ring(env: Parameters<typeof parseKeyring>[0]): Keyring {
  const parsed = parseKeyring(env);
  if (!parsed.ok) throw new Error(parsed.error.detail);
  return parsed.value;
}

describe("parseKeyring", () => {
  it("KMS_KEK alone is the active KEK with id 'default' (base64 or base64url, whitespace trimmed)", () => {
    const keyring = ring({ KMS_KEK: `${b64(KEK_A)}\n` });
    expect(keyring.activeId).toBe(DEFAULT_KEK_ID);
    expect(toHex(keyring.keys.get("default") ?? new Uint8Array())).toBe(toHex(KEK_A));
    expect(ring({ KMS_KEK: Buffer.from(KEK_A).toString("base64url") }).keys.size).toBe(1);
  });

  it("KMS_KEKS with KMS_KEK_ACTIVE; KMS_KEK joins the ring as 'default'", () => {
    const keyring = ring({ KMS_KEKS: JSON.stringify({ "2026-01": b64(KEK_B) }), KMS_KEK_ACTIVE: "2026-01", KMS_KEK: b64(KEK_A) });
    expect(keyring.activeId).toBe("2026-01");
    expect([...keyring.keys.keys()].sort()).toEqual(["2026-01", "default"]);
    expect(ring({ KMS_KEKS: JSON.stringify({ default: b64(KEK_A) }), KMS_KEK_ACTIVE: "default", KMS_KEK: b64(KEK_A) }).keys.size).toBe(1);
  });

  const secret = b64(KEK_A);
  it.each([
    ["no KEK configured: set KMS_KEK, or KMS_KEKS and KMS_KEK_ACTIVE", {}],
    ["KMS_KEK is empty", { KMS_KEK: "" }],
    ["KMS_KEK is not valid base64", { KMS_KEK: "not base64!" }],
    ["KMS_KEK must decode to exactly 32 bytes", { KMS_KEK: b64(randomBytes(16)) }],
    ["KMS_KEK is all zero bytes", { KMS_KEK: b64(new Uint8Array(32)) }],
    ["KMS_KEKS is not valid JSON", { KMS_KEKS: `{"a": "${secret}"`, KMS_KEK_ACTIVE: "a" }],
    ['KMS_KEKS must be a JSON object {"<kek id>": "<base64>"}', { KMS_KEKS: `["${secret}"]`, KMS_KEK_ACTIVE: "a" }],
    ["KMS_KEKS has no keys", { KMS_KEKS: "{}", KMS_KEK_ACTIVE: "a" }],
    ["KMS_KEKS has a key id that is not 1-64 characters of [A-Za-z0-9._-]", { KMS_KEKS: JSON.stringify({ "bad id": secret }), KMS_KEK_ACTIVE: "a" }],
    ['KMS_KEKS["a"] must be a base64 string', { KMS_KEKS: JSON.stringify({ a: 42 }), KMS_KEK_ACTIVE: "a" }],
    ['KMS_KEKS["a"] must decode to exactly 32 bytes', { KMS_KEKS: JSON.stringify({ a: b64(randomBytes(31)) }), KMS_KEK_ACTIVE: "a" }],
    ["KMS_KEK_ACTIVE is required with KMS_KEKS", { KMS_KEKS: JSON.stringify({ a: secret }) }],
    ['KMS_KEK_ACTIVE "b" is not a configured KEK id', { KMS_KEKS: JSON.stringify({ a: secret }), KMS_KEK_ACTIVE: "b" }],
    ['KMS_KEK_ACTIVE "other" is not a configured KEK id', { KMS_KEK: secret, KMS_KEK_ACTIVE: "other" }],
    ['KMS_KEK and KMS_KEKS["default"] differ', { KMS_KEK: secret, KMS_KEKS: JSON.stringify({ default: b64(KEK_B) }), KMS_KEK_ACTIVE: "default" }],
  ] as const)("rejects: %s", (reason, env) => {
    expect(parseKeyring(env)).toEqual({ ok: false, error: { code: "misconfigured", detail: reason } });
  });

  it("never echoes secret material in a reason", () => {
    const leaky = [
      { KMS_KEKS: `{"a": "${secret}", oops}`, KMS_KEK_ACTIVE: "a" },
      { KMS_KEKS: JSON.stringify({ a: `${secret}AAAA` }), KMS_KEK_ACTIVE: "a" },
      { KMS_KEK: `${secret.slice(0, 20)}*${secret.slice(21)}` },
    ];
    for (const env of leaky) {
      const parsed = parseKeyring(env);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.detail).not.toContain(secret.slice(0, 8));
    }
  });
});

describe("wrapSecret / unwrapSecret", () => {
  const keyring = ring({ KMS_KEKS: JSON.stringify({ k1: b64(KEK_A), k2: b64(KEK_B), "k1-copy": b64(KEK_A) }), KMS_KEK_ACTIVE: "k1" });
  const tenant = "tenant-7f3a";
  const binding = { keyId: "3c9d8e7f-0a1b-4c2d-9e3f-405162738495", version: 2, algorithm: "ML-DSA-65" };
  const seed = randomBytes(32);

  it("round-trips, and two wraps of the same secret differ (fresh IV)", async () => {
    const wk = await WrappingKey.derive(keyring, tenant);
    expect(wk.kekId).toBe("k1");
    const a = await wrapSecret(wk, seed, binding);
    const b = await wrapSecret(wk, seed, binding);
    expect(a.length).toBe(1 + 12 + seed.length + 16);
    expect(toHex(a)).not.toBe(toHex(b));
    expect(toHex(a.subarray(1, 13))).not.toBe(toHex(b.subarray(1, 13)));
    for (const blob of [a, b]) expect(await unwrapSecret(wk, blob, binding)).toEqual({ ok: true, value: new Uint8Array(seed) });
  });

  it("matches an independent computation: HKDF-SHA256 then AES-256-GCM with the documented AAD", async () => {
    const iv = randomBytes(12);
    const wk = await WrappingKey.derive(keyring, tenant);
    const blob = await wrapSecret(wk, seed, binding, scriptedRandom(iv));
    const key = Buffer.from(hkdfSync("sha256", KEK_A, "pqkms/tenant-wrap/v1", tenant, 32));
    const lp = (s: string) => Buffer.concat([Buffer.from([0, Buffer.byteLength(s)]), Buffer.from(s)]);
    const aad = Buffer.concat([Buffer.from("pqkms/v1"), lp(tenant), lp(binding.keyId), Buffer.from([0, 0, 0, 2]), lp(binding.algorithm), lp("k1")]);
    expect(toHex(wrapAad(tenant, "k1", binding))).toBe(toHex(aad));
    const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(aad);
    const expected = Buffer.concat([Buffer.from([1]), iv, cipher.update(seed), cipher.final(), cipher.getAuthTag()]);
    expect(toHex(blob)).toBe(toHex(expected));
  });

  it("fails for a blob moved to another tenant, key, version, algorithm or KEK id", async () => {
    const wk = await WrappingKey.derive(keyring, tenant);
    const blob = await wrapSecret(wk, seed, binding);
    const failed = { ok: false, error: { code: "internal_error", reason: "unwrap_failed" } };
    expect(await unwrapSecret(await WrappingKey.derive(keyring, "tenant-other"), blob, binding)).toEqual(failed);
    expect(await unwrapSecret(wk, blob, { ...binding, keyId: "3c9d8e7f-0a1b-4c2d-9e3f-405162738496" })).toEqual(failed);
    expect(await unwrapSecret(wk, blob, { ...binding, version: 3 })).toEqual(failed);
    expect(await unwrapSecret(wk, blob, { ...binding, algorithm: "ML-DSA-87" })).toEqual(failed);
    // Same key bytes under another id: only the AAD differs, and that is enough.
    expect(await unwrapSecret(await WrappingKey.derive(keyring, tenant, "k1-copy"), blob, binding)).toEqual(failed);
    expect(await unwrapSecret(await WrappingKey.derive(keyring, tenant, "k2"), blob, binding)).toEqual(failed);
  });

  it("fails for a modified or truncated blob", async () => {
    const wk = await WrappingKey.derive(keyring, tenant);
    const blob = await wrapSecret(wk, seed, binding);
    for (const index of [0, 1, 13, blob.length - 1]) {
      const tampered = blob.slice();
      tampered[index] = (tampered[index] ?? 0) ^ 1;
      expect((await unwrapSecret(wk, tampered, binding)).ok).toBe(false);
    }
    for (const length of [0, 1, 28, blob.length - 1]) expect((await unwrapSecret(wk, blob.subarray(0, length), binding)).ok).toBe(false);
  });

  it("binds fields unambiguously (length prefixes)", () => {
    const a = wrapAad("ab", "k", { keyId: "c", version: 1, algorithm: "x" });
    const b = wrapAad("a", "k", { keyId: "bc", version: 1, algorithm: "x" });
    expect(toHex(a)).not.toBe(toHex(b));
  });

  it("rejects bad inputs before any work", async () => {
    const wk = await WrappingKey.derive(keyring, tenant);
    await expect(WrappingKey.derive(keyring, tenant, "missing")).rejects.toThrow('derive wrapping key: no KEK with id "missing" in the keyring');
    await expect(WrappingKey.derive(keyring, "")).rejects.toThrow("tenant id must be a non-empty string");
    await expect(wrapSecret(wk, new Uint8Array(0), binding)).rejects.toThrow("secret must not be empty");
    await expect(wrapSecret(wk, seed, { ...binding, version: -1 })).rejects.toThrow("version must be a u32");
    await expect(wrapSecret(wk, seed, { ...binding, algorithm: "" })).rejects.toThrow("algorithm must be a non-empty string");
  });

  it("serialises a wrapping key without key material", async () => {
    const wk = await WrappingKey.derive(keyring, tenant);
    expect(JSON.stringify(wk)).toBe(JSON.stringify({ tenantId: tenant, kekId: "k1" }));
  });
});
