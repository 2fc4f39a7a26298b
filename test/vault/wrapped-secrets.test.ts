/**
 * Wrapped secrets at rest (architecture §8): a blob only unwraps where it was wrapped — its tenant, key,
 * version and KEK. A blob moved anywhere else (a storage-level swap) yields no plaintext, no
 * signature and no shared secret: the operation fails as an internal integrity failure (500, fixed
 * message) and is audited as critical. And no API answer ever carries a seed.
 */
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { KEY_ALGORITHM_NAMES } from "../../workers/shared/algorithms.ts";
import { parseKeyring } from "../../workers/kms/src/crypto/kek.ts";
import { PUBLIC_KEY_FORMATS, publicKeyFormats } from "../../workers/kms/src/crypto/public-key-formats.ts";
import { unwrapSecret, WrappingKey } from "../../workers/kms/src/crypto/wrap.ts";
import { kmsFailure } from "../../workers/gateway/src/kms/failure.ts";
import { problemBody } from "../../workers/gateway/src/http/problem.ts";
import { toBase64, toBase64Url } from "../../workers/shared/base64.ts";
import type { Result } from "../../workers/shared/errors.ts";
import { b, createKey, newVault, sql, value, type TestVault } from "./helpers.ts";

type Where = { vault: TestVault; keyId: string; version: number };

const blobAt = async ({ vault, keyId, version }: Where): Promise<ArrayBuffer> => {
  const rows = await sql<{ wrapped_secret: ArrayBuffer }>(vault, "SELECT wrapped_secret FROM key_versions WHERE key_id = ? AND version = ?", keyId, version);
  return rows[0]?.wrapped_secret ?? expect.fail("no such version");
};

/** Overwrites a version's wrapped secret and drops the DO's in-memory keys, so the next use unwraps. */
async function putBlob(target: Where, blob: ArrayBuffer): Promise<void> {
  await sql(target.vault, "UPDATE key_versions SET wrapped_secret = ? WHERE key_id = ? AND version = ?", blob, target.keyId, target.version);
  await evictDurableObject(target.vault.stub);
}

type KeySet = { kem: { id: string; envelope: Uint8Array }; dsa: { id: string }; aes: { id: string; envelope: Uint8Array } };
const KINDS = ["kem", "dsa", "aes"] as const;

/** A KEM key, a signing key and a symmetric key, with an envelope from each encrypting key. */
async function keySet(vault: TestVault): Promise<KeySet> {
  const [kem, dsa, aes] = [await createKey(vault, "ML-KEM-768"), await createKey(vault, "ML-DSA-65"), await createKey(vault, "AES-256-GCM")];
  const seal = async (id: string) => value(await vault.stub.encrypt(vault.call, id, b("secret"), b("aad"))).ciphertext;
  return { kem: { id: kem.id, envelope: await seal(kem.id) }, dsa: { id: dsa.id }, aes: { id: aes.id, envelope: await seal(aes.id) } };
}

/** What each operation that needs the secret answers. */
async function secretUses(vault: TestVault, keys: KeySet) {
  return {
    "decrypt (HPKE)": await vault.stub.decrypt(vault.call, keys.kem.id, keys.kem.envelope, b("aad")),
    decapsulate: await vault.stub.decapsulate(vault.call, keys.kem.id, new Uint8Array(1088), null),
    sign: await vault.stub.sign(vault.call, keys.dsa.id, { message: b("m") }),
    "encrypt (AEAD)": await vault.stub.encrypt(vault.call, keys.aes.id, b("p"), b("")),
    "decrypt (AEAD)": await vault.stub.decrypt(vault.call, keys.aes.id, keys.aes.envelope, b("aad")),
  };
}

function expectIntegrityFailure(results: Record<string, Result<unknown>>): void {
  for (const [operation, result] of Object.entries(results)) {
    expect({ operation, result }).toEqual({ operation, result: { ok: false, error: { code: "internal_error", detail: "key material failed integrity check" } } });
  }
}

/** Copies each key's version blob from `source` onto the matching key of `target`. */
async function swapAll(source: { vault: TestVault; keys: KeySet; version: number }, target: { vault: TestVault; keys: KeySet; version: number }) {
  for (const kind of KINDS) {
    const blob = await blobAt({ vault: source.vault, keyId: source.keys[kind].id, version: source.version });
    await putBlob({ vault: target.vault, keyId: target.keys[kind].id, version: target.version }, blob);
  }
}

describe("a wrapped secret moved in storage", () => {
  it("does not unwrap in another tenant's vault", async () => {
    const a = await newVault();
    const other = await newVault();
    const keysA = await keySet(a);
    const keysB = await keySet(other);
    const originals = await Promise.all(KINDS.map((kind) => blobAt({ vault: other, keyId: keysB[kind].id, version: 1 })));
    await swapAll({ vault: a, keys: keysA, version: 1 }, { vault: other, keys: keysB, version: 1 });
    expectIntegrityFailure(await secretUses(other, keysB));

    // The failure is the swap's: the original blobs put back work again.
    for (const [i, kind] of KINDS.entries()) await putBlob({ vault: other, keyId: keysB[kind].id, version: 1 }, originals[i] as ArrayBuffer);
    const restored = await secretUses(other, keysB);
    expect(Object.values(restored).map((r) => r.ok)).toEqual([true, true, true, true, true]);
    expect(value(restored["decrypt (AEAD)"]).plaintext).toEqual(b("secret"));
  });

  it("does not unwrap under another key id of the same tenant", async () => {
    const vault = await newVault();
    const first = await keySet(vault);
    const second = await keySet(vault);
    await swapAll({ vault, keys: first, version: 1 }, { vault, keys: second, version: 1 });
    expectIntegrityFailure(await secretUses(vault, second));
    // The keys the blobs came from are untouched.
    expect(Object.values(await secretUses(vault, first)).every((r) => r.ok)).toBe(true);
  });

  it("does not unwrap under another version of the same key", async () => {
    const vault = await newVault();
    const keys = await keySet(vault);
    for (const kind of KINDS) value(await vault.stub.rotateKey(vault.call, keys[kind].id));
    const v2: KeySet = {
      kem: { id: keys.kem.id, envelope: value(await vault.stub.encrypt(vault.call, keys.kem.id, b("secret"), b("aad"))).ciphertext },
      dsa: keys.dsa,
      aes: { id: keys.aes.id, envelope: value(await vault.stub.encrypt(vault.call, keys.aes.id, b("secret"), b("aad"))).ciphertext },
    };
    await swapAll({ vault, keys, version: 1 }, { vault, keys, version: 2 });
    expectIntegrityFailure(await secretUses(vault, v2));
    // Version 1 itself still works.
    expect(value(await vault.stub.decrypt(vault.call, keys.kem.id, keys.kem.envelope, b("aad"))).plaintext).toEqual(b("secret"));
    expect(value(await vault.stub.decrypt(vault.call, keys.aes.id, keys.aes.envelope, b("aad"))).plaintext).toEqual(b("secret"));
  });

  it("is audited as a critical failure and answered as a fixed 500 by the gateway", async () => {
    const vault = await newVault();
    const keys = await keySet(vault);
    const other = await keySet(vault);
    await putBlob({ vault, keyId: keys.dsa.id, version: 1 }, await blobAt({ vault, keyId: other.dsa.id, version: 1 }));
    const result = await vault.stub.sign(vault.call, keys.dsa.id, { message: b("m") });
    if (result.ok) expect.fail("a swapped blob signed");
    const [event] = value(await vault.stub.auditEvents(vault.call, { keyId: keys.dsa.id, operation: "crypto.sign", limit: 1 })).events;
    expect(event).toMatchObject({ outcome: "failed", severity: "critical", rule: "internal_error", detail: "key material failed integrity check" });

    const problem = problemBody(kmsFailure(result.error), "req-1");
    expect(problem).toEqual({
      type: "https://pqkms.dev/problems/internal-error",
      title: "Internal error",
      status: 500,
      detail: "Internal error",
      code: "internal_error",
      request_id: "req-1",
    });
  });
});

// SLH-DSA-SHA2-128s key generation and signing take seconds of CPU in pure TypeScript; on a busy
// 2-core machine running three test files at once, a case of it can outlast the default timeout.
const SLOW_KEYGEN_TIMEOUT_MS = 90_000;

describe("no answer carries a seed", () => {
  const hex = (bytes: Uint8Array) => [...bytes].map((x) => x.toString(16).padStart(2, "0")).join("");

  it.each(KEY_ALGORITHM_NAMES)("%s: create, get, list, rotate and every public-key format", async (algorithm) => {
    const vault = await newVault();
    const created = await createKey(vault, algorithm);
    const rotated = value(await vault.stub.rotateKey(vault.call, created.id));
    const answers: unknown[] = [created, rotated, value(await vault.stub.getKey(vault.call, created.id)), value(await vault.stub.listKeys(vault.call, { limit: 10 }))];
    const formats = publicKeyFormats(algorithm);
    for (const version of [1, 2]) {
      for (const format of PUBLIC_KEY_FORMATS) {
        const answer = await vault.stub.publicKey(vault.call, created.id, version, format);
        // A format the algorithm has no standard for (a symmetric key has none) is refused, not improvised.
        if (formats.includes(format)) answers.push(value(answer));
        else expect(answer).toMatchObject({ ok: false, error: { code: "unsupported_operation" } });
      }
    }
    const text = JSON.stringify(answers);

    const keyring = parseKeyring(env);
    if (!keyring.ok) expect.fail(keyring.error.detail);
    const wrappingKey = await WrappingKey.derive(keyring.value, vault.tenantId);
    for (const version of [1, 2]) {
      const blob = new Uint8Array(await blobAt({ vault, keyId: created.id, version }));
      const seed = await unwrapSecret(wrappingKey, blob, { keyId: created.id, version, algorithm });
      if (!seed.ok) expect.fail("the test could not unwrap the seed it looks for");
      for (const form of [toBase64(seed.value), toBase64Url(seed.value), hex(seed.value), toBase64(blob), hex(blob)]) {
        expect(text).not.toContain(form);
      }
    }
  }, SLOW_KEYGEN_TIMEOUT_MS);
});
