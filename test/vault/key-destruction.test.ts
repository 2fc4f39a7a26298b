/**
 * The end of a deletion window (architecture §8): the vault's alarm destroys the key. Secret material is
 * erased from every version; the key row (a tombstone) and the public keys remain; the destruction
 * is audited; nothing brings the key back, not even a fresh DO instance.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../workers/kms/src/vault/lifecycle.ts";
import { archiveDue, b, createKey, newVault, sql, value, type TestVault } from "./helpers.ts";

type VersionRow = { version: number; state: string; wrapped_secret: ArrayBuffer | null; public_key: ArrayBuffer | null; destroyed_at: number | null };

const versions = (vault: TestVault, keyId: string) =>
  sql<VersionRow>(vault, "SELECT version, state, wrapped_secret, public_key, destroyed_at FROM key_versions WHERE key_id = ? ORDER BY version", keyId);

const alarmAt = (vault: TestVault) => runInDurableObject(vault.stub, (_instance, state) => state.storage.getAlarm());

/** A key with two versions and an envelope from each, scheduled for deletion. */
async function scheduledKey(vault: TestVault) {
  const key = await createKey(vault, "ML-KEM-768");
  const v1 = value(await vault.stub.encrypt(vault.call, key.id, b("one"), b("")));
  value(await vault.stub.rotateKey(vault.call, key.id));
  const v2 = value(await vault.stub.encrypt(vault.call, key.id, b("two"), b("")));
  const scheduled = value(await vault.stub.changeState(vault.call, key.id, "schedule_deletion", 7));
  return { key: scheduled, envelopes: [v1.ciphertext, v2.ciphertext] };
}

/** Moves the key's deletion date into the past, as if the window had run out. */
async function expireWindow(vault: TestVault, keyId: string): Promise<void> {
  await sql(vault, "UPDATE keys SET deletion_date = ? WHERE id = ?", Date.now() - 1, keyId);
}

describe("the deletion alarm", () => {
  it("keeps the alarm armed for the deletion date once the outbox is drained", async () => {
    const vault = await newVault();
    const { key } = await scheduledKey(vault);
    const due = Date.parse(key.deletion_date ?? "");
    expect(due - Date.parse(key.updated_at)).toBe(7 * DAY_MS);
    expect(await alarmAt(vault)).toBeLessThanOrEqual(Date.now() + 1_000);
    expect(await runDurableObjectAlarm(vault.stub)).toBe(true);
    // Armed for the deletion date, or sooner for the audit archive's first segment (its events are unsealed).
    expect(await alarmAt(vault)).toBe(Math.min(due, await archiveDue(vault)));
    expect(value(await vault.stub.getKey(vault.call, key.id)).state).toBe("pending_deletion");
  });

  it("destroys a key whose window has ended: secrets erased, tombstone and public keys kept, audited", async () => {
    const vault = await newVault();
    const { key } = await scheduledKey(vault);
    const before = await versions(vault, key.id);
    expect(before.map((v) => v.wrapped_secret)).not.toContain(null);
    await expireWindow(vault, key.id);
    expect(await runDurableObjectAlarm(vault.stub)).toBe(true);

    const after = await versions(vault, key.id);
    expect(after).toHaveLength(2);
    for (const [i, row] of after.entries()) {
      expect(row.state).toBe("destroyed");
      expect(row.wrapped_secret).toBeNull();
      expect(row.destroyed_at).toBeGreaterThan(0);
      expect(new Uint8Array(row.public_key ?? new ArrayBuffer(0))).toEqual(new Uint8Array(before[i]?.public_key ?? new ArrayBuffer(1)));
    }
    const tombstone = value(await vault.stub.getKey(vault.call, key.id));
    expect(tombstone).toMatchObject({ id: key.id, state: "destroyed", primary_version: 2 });
    expect(tombstone.versions.map((v) => v.state)).toEqual(["destroyed", "destroyed"]);
    expect(value(await vault.stub.publicKey(vault.call, key.id, 1, "raw")).public_key).toEqual(expect.any(String));

    const events = value(await vault.stub.auditEvents(vault.call, { keyId: key.id, operation: "keys.destroy", limit: 10 })).events;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ outcome: "allowed", api_key_id: "system", key_id: key.id });
    expect(value(await vault.stub.verifyAudit(vault.call, { from: "checkpoint" }))).toMatchObject({ valid: true });
    // The outbox is drained: the alarm is re-armed only for the audit archive's first segment.
    expect(await alarmAt(vault)).toBe(await archiveDue(vault));
  });

  it("projects the destruction into D1 in the same alarm run", async () => {
    const vault = await newVault();
    const { key } = await scheduledKey(vault);
    await expireWindow(vault, key.id);
    await runDurableObjectAlarm(vault.stub);
    const row = await env.DB.prepare("SELECT state FROM keys WHERE tenant_id = ? AND id = ?").bind(vault.tenantId, key.id).first();
    expect(row).toEqual({ state: "destroyed" });
    const projected = await env.DB.prepare("SELECT state FROM key_versions WHERE tenant_id = ? AND key_id = ? ORDER BY version")
      .bind(vault.tenantId, key.id)
      .all();
    expect(projected.results).toEqual([{ state: "destroyed" }, { state: "destroyed" }]);
  });

  it("leaves a destroyed key unusable and unchangeable, also from a fresh DO instance", async () => {
    const vault = await newVault();
    const { key, envelopes } = await scheduledKey(vault);
    await expireWindow(vault, key.id);
    await runDurableObjectAlarm(vault.stub);

    const refusedEverywhere = async () => {
      for (const envelope of envelopes) {
        expect(await vault.stub.decrypt(vault.call, key.id, envelope, b(""))).toMatchObject({ ok: false, error: { code: "key_disabled" } });
      }
      expect(await vault.stub.encrypt(vault.call, key.id, b("x"), b(""))).toMatchObject({ ok: false, error: { code: "key_disabled" } });
      expect(await vault.stub.encapsulate(vault.call, key.id)).toMatchObject({ ok: false, error: { code: "key_disabled" } });
      expect(await vault.stub.decapsulate(vault.call, key.id, new Uint8Array(1088), 1)).toMatchObject({ ok: false, error: { code: "key_disabled" } });
      for (const action of ["enable", "disable", "schedule_deletion", "cancel_deletion"] as const) {
        expect(await vault.stub.changeState(vault.call, key.id, action, null)).toMatchObject({ ok: false, error: { code: "conflict" } });
      }
      expect(await vault.stub.rotateKey(vault.call, key.id)).toMatchObject({ ok: false });
      expect(await vault.stub.updateKey(vault.call, key.id, { name: "back" })).toMatchObject({ ok: false, error: { code: "conflict" } });
    };
    await refusedEverywhere();
    await evictDurableObject(vault.stub);
    await refusedEverywhere();
    expect((await versions(vault, key.id)).every((v) => v.wrapped_secret === null)).toBe(true);
  });

  it("does not destroy a key whose deletion was cancelled before its window ended", async () => {
    const vault = await newVault();
    const { key, envelopes } = await scheduledKey(vault);
    await expireWindow(vault, key.id);
    const cancelled = value(await vault.stub.changeState(vault.call, key.id, "cancel_deletion", null));
    expect(cancelled).toMatchObject({ state: "disabled", deletion_date: null });
    await runDurableObjectAlarm(vault.stub);
    value(await vault.stub.changeState(vault.call, key.id, "enable", null));
    const opened = value(await vault.stub.decrypt(vault.call, key.id, envelopes[0] as Uint8Array, b("")));
    expect(new TextDecoder().decode(opened.plaintext)).toBe("one");
  });
});
