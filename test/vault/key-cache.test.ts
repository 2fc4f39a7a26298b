/**
 * The vault's in-memory cache of decoded private keys (architecture §8) only saves the unwrap: the key's
 * state is read from storage on every operation, so a warm cache never serves a key that is no
 * longer usable; and a fresh DO instance (cold cache) unwraps from storage and carries on.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { TenantVault } from "../../workers/kms/src/vault/tenant-vault.ts";
import { b, createKey, newVault, sql, value, type TestVault } from "./helpers.ts";

async function warmKeys(vault: TestVault) {
  const kem = await createKey(vault, "ML-KEM-1024");
  const dsa = await createKey(vault, "ML-DSA-87");
  const envelope = value(await vault.stub.encrypt(vault.call, kem.id, b("kept"), b("aad"))).ciphertext;
  value(await vault.stub.decrypt(vault.call, kem.id, envelope, b("aad")));
  value(await vault.stub.sign(vault.call, dsa.id, { message: b("m") }));
  return { kem: kem.id, dsa: dsa.id, envelope };
}

const refusal = { ok: false, error: { code: "key_disabled" } };

describe("a warm cache", () => {
  it("does not serve a key disabled right after a successful operation", async () => {
    const vault = await newVault();
    const keys = await warmKeys(vault);
    for (const id of [keys.kem, keys.dsa]) value(await vault.stub.changeState(vault.call, id, "disable", null));
    expect(await vault.stub.decrypt(vault.call, keys.kem, keys.envelope, b("aad"))).toMatchObject(refusal);
    expect(await vault.stub.decapsulate(vault.call, keys.kem, new Uint8Array(1568), null)).toMatchObject(refusal);
    expect(await vault.stub.sign(vault.call, keys.dsa, { message: b("m") })).toMatchObject(refusal);

    for (const id of [keys.kem, keys.dsa]) value(await vault.stub.changeState(vault.call, id, "enable", null));
    expect(value(await vault.stub.decrypt(vault.call, keys.kem, keys.envelope, b("aad"))).plaintext).toEqual(b("kept"));
    expect(value(await vault.stub.sign(vault.call, keys.dsa, { message: b("m") })).key_version).toBe(1);
  });

  it("does not serve a key pending deletion", async () => {
    const vault = await newVault();
    const keys = await warmKeys(vault);
    value(await vault.stub.changeState(vault.call, keys.dsa, "schedule_deletion", null));
    expect(await vault.stub.sign(vault.call, keys.dsa, { message: b("m") })).toMatchObject({ ok: false, error: { code: "key_disabled", detail: "The key is pending deletion" } });
  });

  it("follows the state in storage, not a state remembered in memory", async () => {
    const vault = await newVault();
    const keys = await warmKeys(vault);
    await sql(vault, "UPDATE keys SET state = 'disabled' WHERE id IN (?, ?)", keys.kem, keys.dsa);
    expect(await vault.stub.decrypt(vault.call, keys.kem, keys.envelope, b("aad"))).toMatchObject(refusal);
    expect(await vault.stub.sign(vault.call, keys.dsa, { message: b("m") })).toMatchObject(refusal);
  });

  it("does not serve a version below min_decryption_version", async () => {
    const vault = await newVault();
    const keys = await warmKeys(vault);
    value(await vault.stub.rotateKey(vault.call, keys.kem));
    value(await vault.stub.updateKey(vault.call, keys.kem, { min_decryption_version: 2 }));
    expect(await vault.stub.decrypt(vault.call, keys.kem, keys.envelope, b("aad"))).toMatchObject(refusal);
  });
});

describe("a cold cache (fresh DO instance)", () => {
  it("unwraps from storage: every version still decrypts, signs and verifies", async () => {
    const vault = await newVault();
    const keys = await warmKeys(vault);
    value(await vault.stub.rotateKey(vault.call, keys.kem));
    value(await vault.stub.rotateKey(vault.call, keys.dsa));
    const v2Envelope = value(await vault.stub.encrypt(vault.call, keys.kem, b("new"), b(""))).ciphertext;
    await evictDurableObject(vault.stub);

    expect(value(await vault.stub.decrypt(vault.call, keys.kem, keys.envelope, b("aad")))).toMatchObject({ plaintext: b("kept"), key_version: 1 });
    expect(value(await vault.stub.decrypt(vault.call, keys.kem, v2Envelope, b("")))).toMatchObject({ plaintext: b("new"), key_version: 2 });
    const signed = value(await vault.stub.sign(vault.call, keys.dsa, { message: b("m") }));
    expect(signed.key_version).toBe(2);
    expect(value(await vault.stub.verify(vault.call, keys.dsa, { message: b("m") }, signed.signature, 2)).valid).toBe(true);
    expect(value(await vault.stub.verify(vault.call, keys.dsa, { message: b("m") }, signed.signature, 1)).valid).toBe(false);
  });

  it("keeps refusing a disabled key", async () => {
    const vault = await newVault();
    const keys = await warmKeys(vault);
    value(await vault.stub.changeState(vault.call, keys.kem, "disable", null));
    await evictDurableObject(vault.stub);
    expect(await vault.stub.decrypt(vault.call, keys.kem, keys.envelope, b("aad"))).toMatchObject(refusal);
  });
});

describe("a key changed while an operation runs", () => {
  it("is re-checked when the operation records its outcome: disabled meanwhile, it answers key_disabled", async () => {
    const vault = await newVault();
    const dsa = await createKey(vault, "ML-DSA-65");
    // A fresh instance: the sign must unwrap its key (Web Crypto, a real wait). The disable, called
    // right behind it, runs and commits within that wait (it waits only for its turn among mutations).
    await evictDurableObject(vault.stub);
    const signed = await runInDurableObject(vault.stub, async (instance: TenantVault) => {
      const signing = instance.sign(vault.call, dsa.id, { message: b("m") });
      value(await instance.changeState(vault.call, dsa.id, "disable", null));
      return signing;
    });
    expect(signed).toEqual({ ok: false, error: { code: "key_disabled", detail: "The key was disabled during the operation" } });
    const [latest] = value(await vault.stub.auditEvents(vault.call, { operation: "crypto.sign", limit: 1 })).events;
    expect(latest).toMatchObject({ outcome: "denied", rule: "key_disabled" });
  });
});
