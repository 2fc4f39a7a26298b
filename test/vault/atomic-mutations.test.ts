/**
 * One transaction per change (architecture §8, §9): a key change, its audit row and its outbox row are
 * written together or not at all. Here the audit or outbox insert is made to fail (a SQLite
 * trigger that raises) after the key rows were written in the same transaction: every operation
 * then throws, returns nothing, and leaves the vault exactly as it was. A crypto operation writes
 * only its audit row: it fails with that row, and does not notice the outbox at all.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { b, createKey, newVault, rejection, runAlarmNow, snapshot, sql, value, type TestVault } from "./helpers.ts";

const FAILING_TABLES = ["audit_events", "outbox"] as const;

async function breakInserts(vault: TestVault, table: (typeof FAILING_TABLES)[number]): Promise<void> {
  await sql(vault, `CREATE TRIGGER fail_${table} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, '${table} unavailable'); END`);
}

async function repairInserts(vault: TestVault, table: (typeof FAILING_TABLES)[number]): Promise<void> {
  await sql(vault, `DROP TRIGGER fail_${table}`);
}

/** A vault with one enabled KEM key, one enabled signing key, one key pending deletion, and an envelope. */
async function seeded(vault: TestVault) {
  const kem = await createKey(vault, "ML-KEM-768");
  const dsa = await createKey(vault, "ML-DSA-44");
  const doomed = await createKey(vault, "ML-KEM-512");
  value(await vault.stub.changeState(vault.call, doomed.id, "schedule_deletion", null));
  const envelope = value(await vault.stub.encrypt(vault.call, kem.id, b("p"), b(""))).ciphertext;
  return { kem: kem.id, dsa: dsa.id, doomed: doomed.id, envelope };
}

describe.each(FAILING_TABLES)("when the %s insert fails inside the transaction", (table) => {
  it("no mutation leaves a partial row, and none returns an answer", async () => {
    const vault = await newVault();
    const keys = await seeded(vault);
    const before = await snapshot(vault);
    await breakInserts(vault, table);
    const failure = new RegExp(`${table} unavailable`);

    expect(await rejection(vault.stub.createKey(vault.call, { algorithm: "ML-DSA-65", name: "n" }, null, 100))).toMatch(failure);
    expect(await rejection(vault.stub.createKey(vault.call, { algorithm: "ML-DSA-65" }, "idem-1", 100))).toMatch(failure);
    expect(await rejection(vault.stub.rotateKey(vault.call, keys.kem))).toMatch(failure);
    expect(await rejection(vault.stub.updateKey(vault.call, keys.kem, { name: "renamed", labels: { a: "b" } }))).toMatch(failure);
    expect(await rejection(vault.stub.changeState(vault.call, keys.kem, "disable", null))).toMatch(failure);
    expect(await rejection(vault.stub.changeState(vault.call, keys.kem, "schedule_deletion", 7))).toMatch(failure);
    expect(await rejection(vault.stub.changeState(vault.call, keys.doomed, "cancel_deletion", null))).toMatch(failure);
    expect(await snapshot(vault)).toEqual(before);
  });

  it("the deletion alarm does not destroy a key it could not audit, and does once repaired", async () => {
    const vault = await newVault();
    const keys = await seeded(vault);
    await sql(vault, "UPDATE keys SET deletion_date = ? WHERE id = ?", Date.now() - 1, keys.doomed);
    const before = await snapshot(vault);
    await breakInserts(vault, table);
    expect(await rejection(runDurableObjectAlarm(vault.stub))).toMatch(new RegExp(`${table} unavailable`));
    expect(await snapshot(vault)).toEqual(before);

    await repairInserts(vault, table);
    await runAlarmNow(vault);
    expect(value(await vault.stub.getKey(vault.call, keys.doomed)).state).toBe("destroyed");
  });

  it("after repair the vault carries on from where it was: versions and the audit chain have no gaps", async () => {
    const vault = await newVault();
    const keys = await seeded(vault);
    await breakInserts(vault, table);
    expect(await rejection(vault.stub.rotateKey(vault.call, keys.kem))).toMatch(/unavailable/);
    await repairInserts(vault, table);

    const rotated = value(await vault.stub.rotateKey(vault.call, keys.kem));
    expect(rotated.primary_version).toBe(2);
    expect(rotated.versions.map((v) => v.version)).toEqual([1, 2]);
    const opened = value(await vault.stub.decrypt(vault.call, keys.kem, keys.envelope, b("")));
    expect(opened).toMatchObject({ key_version: 1, plaintext: b("p") });
    expect(value(await vault.stub.verifyAudit(vault.call, { from: "window" }))).toMatchObject({ valid: true });
    const seqs = (await sql<{ seq: number }>(vault, "SELECT seq FROM audit_events ORDER BY seq")).map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});

describe("crypto operations", () => {
  const calls = (vault: TestVault, keys: Awaited<ReturnType<typeof seeded>>) => [
    () => vault.stub.encrypt(vault.call, keys.kem, b("p"), b("")),
    () => vault.stub.decrypt(vault.call, keys.kem, keys.envelope, b("")),
    () => vault.stub.encapsulate(vault.call, keys.kem),
    () => vault.stub.sign(vault.call, keys.dsa, { message: b("m") }),
    // Refusals are audited too.
    () => vault.stub.sign(vault.call, keys.kem, { message: b("m") }),
    () => vault.stub.encrypt(vault.call, crypto.randomUUID(), b("p"), b("")),
  ];

  it("return no result they could not audit, allowed or refused", async () => {
    const vault = await newVault();
    const keys = await seeded(vault);
    const before = await snapshot(vault);
    await breakInserts(vault, "audit_events");
    for (const call of calls(vault, keys)) expect(await rejection(call())).toMatch(/audit_events unavailable/);
    expect(await snapshot(vault)).toEqual(before);
  });

  it("write nothing to the outbox: they change no key metadata, and the audit log is not projected", async () => {
    const vault = await newVault();
    const keys = await seeded(vault);
    const before = await snapshot(vault);
    await breakInserts(vault, "outbox");
    const answers = [];
    for (const call of calls(vault, keys)) answers.push((await call()).ok);
    expect(answers).toEqual([true, true, true, true, false, false]);
    const after = await snapshot(vault);
    expect(after.outbox).toEqual(before.outbox);
    expect((after.audit_events ?? []).length - (before.audit_events ?? []).length).toBe(6);
  });
});
