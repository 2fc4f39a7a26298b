/**
 * Per-version control and last use inside the vault (architecture §5): the alarm erases the secret of
 * a version whose destruction window has ended (audited as the system, projected to D1) and leaves
 * the key's other versions working; storage refuses a version row that breaks its invariants; a
 * version's last use is written at most once a minute, with a clock the test sets.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TenantVault } from "../../workers/kms/src/vault/tenant-vault.ts";
import { b, createKey, newVault, rejection, sql, value, type TestVault } from "./helpers.ts";

type Row = { version: number; state: string; wrapped_secret: ArrayBuffer | null; destroyed_at: number | null; destruction_date: number | null; last_used_at: number | null };

const versions = (vault: TestVault, keyId: string) =>
  sql<Row>(vault, "SELECT version, state, wrapped_secret, destroyed_at, destruction_date, last_used_at FROM key_versions WHERE key_id = ? ORDER BY version", keyId);

/** A KEM key with two versions, an envelope under each. */
async function rotatedKey(vault: TestVault) {
  const key = await createKey(vault, "ML-KEM-768");
  const v1 = value(await vault.stub.encrypt(vault.call, key.id, b("one"), b(""))).ciphertext;
  value(await vault.stub.rotateKey(vault.call, key.id));
  const v2 = value(await vault.stub.encrypt(vault.call, key.id, b("two"), b(""))).ciphertext;
  return { key, envelopes: [v1, v2] as const };
}

describe("the version destruction alarm", () => {
  it("erases the version's secret at the end of its window; the other version keeps working; audited and projected", async () => {
    const vault = await newVault();
    const { key, envelopes } = await rotatedKey(vault);
    const scheduled = value(await vault.stub.changeVersionState(vault.call, key.id, 1, "schedule_destruction", 7));
    const due = Date.parse(scheduled.versions[0]?.destruction_date ?? "");
    expect(await runDurableObjectAlarm(vault.stub)).toBe(true);
    // Armed for the destruction date (or sooner, for the audit archive); nothing destroyed yet.
    expect(await runInDurableObject(vault.stub, (_i, state) => state.storage.getAlarm())).toBeLessThanOrEqual(due);
    expect((await versions(vault, key.id))[0]?.wrapped_secret).not.toBeNull();

    await sql(vault, "UPDATE key_versions SET destruction_date = ? WHERE key_id = ? AND version = 1", Date.now() - 1, key.id);
    expect(await runDurableObjectAlarm(vault.stub)).toBe(true);
    const [v1, v2] = await versions(vault, key.id);
    expect(v1).toMatchObject({ state: "destroyed", wrapped_secret: null, destruction_date: null, destroyed_at: expect.any(Number) });
    expect(v2?.state).toBe("enabled");

    expect(await vault.stub.decrypt(vault.call, key.id, envelopes[0], b(""))).toMatchObject({ ok: false, error: { code: "decrypt_failed" } });
    expect(value(await vault.stub.decrypt(vault.call, key.id, envelopes[1], b(""))).key_version).toBe(2);
    for (const action of ["enable", "disable", "schedule_destruction", "cancel_destruction"] as const) {
      expect(await vault.stub.changeVersionState(vault.call, key.id, 1, action, null)).toMatchObject({
        ok: false, error: { code: "conflict", detail: "Key version 1 is destroyed" },
      });
    }
    const events = value(await vault.stub.auditEvents(vault.call, { keyId: key.id, operation: "keys.versions.destroy", limit: 10 })).events;
    expect(events).toEqual([expect.objectContaining({ outcome: "allowed", api_key_id: "system", key_id: key.id, key_version: 1 })]);
    expect(value(await vault.stub.verifyAudit(vault.call, { from: "checkpoint" }))).toMatchObject({ valid: true });
    const projected = await env.DB.prepare("SELECT version, state FROM key_versions WHERE tenant_id = ? AND key_id = ? ORDER BY version")
      .bind(vault.tenantId, key.id)
      .all();
    expect(projected.results).toEqual([{ version: 1, state: "destroyed" }, { version: 2, state: "enabled" }]);
  });

  it("does not destroy a version whose destruction was cancelled; it comes back disabled", async () => {
    const vault = await newVault();
    const { key } = await rotatedKey(vault);
    value(await vault.stub.changeVersionState(vault.call, key.id, 1, "schedule_destruction", 7));
    await sql(vault, "UPDATE key_versions SET destruction_date = ? WHERE key_id = ? AND version = 1", Date.now() - 1, key.id);
    expect(value(await vault.stub.changeVersionState(vault.call, key.id, 1, "cancel_destruction", null)).versions[0]?.state).toBe("disabled");
    await runDurableObjectAlarm(vault.stub);
    expect((await versions(vault, key.id))[0]).toMatchObject({ state: "disabled", destruction_date: null, destroyed_at: null });
  });

  it("storage refuses a secret-less version that is not destroyed, and a pending destruction without its date", async () => {
    const vault = await newVault();
    const { key } = await rotatedKey(vault);
    expect(await rejection(sql(vault, "UPDATE key_versions SET state = 'disabled', wrapped_secret = NULL WHERE key_id = ? AND version = 1", key.id))).toMatch(/CHECK/);
    expect(await rejection(sql(vault, "UPDATE key_versions SET state = 'pending_destruction' WHERE key_id = ? AND version = 1", key.id))).toMatch(/CHECK/);
    expect(await rejection(sql(vault, "UPDATE key_versions SET state = 'retired' WHERE key_id = ? AND version = 1", key.id))).toMatch(/CHECK/);
  });
});

describe("a version changed while an operation runs", () => {
  it("is re-checked when the operation records its outcome: disabled meanwhile, it answers key_disabled naming it", async () => {
    const vault = await newVault();
    const { key, envelopes } = await rotatedKey(vault);
    // A fresh instance: the decrypt must unwrap version 1 (a real wait), within which the disable,
    // called right behind it, commits.
    await evictDurableObject(vault.stub);
    const opened = await runInDurableObject(vault.stub, async (instance: TenantVault) => {
      const decrypting = instance.decrypt(vault.call, key.id, envelopes[0], b(""));
      value(await instance.changeVersionState(vault.call, key.id, 1, "disable", null));
      return decrypting;
    });
    expect(opened).toEqual({ ok: false, error: { code: "key_disabled", detail: "Key version 1 was disabled during the operation" } });
    const [latest] = value(await vault.stub.auditEvents(vault.call, { operation: "crypto.decrypt", limit: 1 })).events;
    expect(latest).toMatchObject({ outcome: "denied", rule: "key_disabled", key_version: 1 });
  });
});

describe("last use", () => {
  it("is written at most once a minute per version, only for operations that succeeded", async () => {
    const vault = await newVault();
    const { key, envelopes } = await rotatedKey(vault);
    let clock = Date.parse("2030-01-01T00:00:00Z");
    await runInDurableObject(vault.stub, async (_instance, state) => {
      // A second instance over the same storage, with the test's clock: the crypto frame's throttle is fresh.
      const vaultAt = new TenantVault(state, env as unknown as KmsEnv, () => clock);
      const lastUse = () => state.storage.sql.exec<{ v: number | null }>("SELECT last_used_at AS v FROM key_versions WHERE key_id = ? ORDER BY version", key.id).toArray().map((r) => r.v);
      const t0 = clock;
      value(await vaultAt.decrypt(vault.call, key.id, envelopes[0], b("")));
      expect(lastUse()[0]).toBe(t0);
      clock = t0 + 59_999;
      value(await vaultAt.decrypt(vault.call, key.id, envelopes[0], b("")));
      expect(lastUse()[0]).toBe(t0);
      clock = t0 + 60_000;
      value(await vaultAt.decrypt(vault.call, key.id, envelopes[0], b("")));
      expect(lastUse()[0]).toBe(t0 + 60_000);
      // A refused operation (a tampered envelope, version 2) is not a use.
      clock = t0 + 10 * 60_000;
      const tampered = envelopes[1].slice();
      tampered.set([(tampered.at(-1) ?? 0) ^ 1], tampered.length - 1);
      expect(await vaultAt.decrypt(vault.call, key.id, tampered, b(""))).toMatchObject({ ok: false, error: { code: "decrypt_failed" } });
      expect(lastUse()[1]).toBeLessThan(t0);
      value(await vaultAt.encapsulate(vault.call, key.id));
      expect(lastUse()).toEqual([t0 + 60_000, t0 + 10 * 60_000]);
      const view = value(await vaultAt.getKey(vault.call, key.id));
      expect(view.versions.map((v) => v.last_used_at)).toEqual([new Date(t0 + 60_000).toISOString(), new Date(t0 + 10 * 60_000).toISOString()]);
    });
  });
});
