/**
 * The audit hash chain against edits in storage (architecture §9): changing any field of any single
 * event, deleting any single event (the newest included), or reordering two events is reported
 * by verification at exactly the first affected seq; putting the row back makes the chain valid.
 * The vault keeps the chain's head in memory and also stores it with every event, so a deleted
 * newest event stays visible whether or not the vault restarted since.
 */
import { evictDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditVerdictView } from "../../workers/shared/rpc.ts";
import { b, createKey, newVault, sql, value, type TestVault } from "./helpers.ts";

type Row = Record<string, SqlStorageValue>;

const CHAIN_LENGTH = 40;

/** A different value for each audited field, one the table's constraints still accept. */
const EDITS: Record<string, (old: SqlStorageValue) => SqlStorageValue> = {
  id: () => crypto.randomUUID(),
  time: (old) => Number(old) + 1,
  api_key_id: (old) => `${String(old)}x`,
  request_id: (old) => `${String(old)}x`,
  operation: (old) => (old === "crypto.encrypt" ? "crypto.decrypt" : "crypto.encrypt"),
  key_id: (old) => (old === null ? crypto.randomUUID() : null),
  key_version: (old) => (old === null ? 1 : Number(old) + 1),
  outcome: (old) => (old === "allowed" ? "denied" : "allowed"),
  rule: (old) => (old === null ? "access_denied" : null),
  severity: (old) => (old === "info" ? "critical" : "info"),
  detail: (old) => (old === null ? "nothing happened" : null),
  prev_hash: (old) => (old === "0".repeat(64) ? "1" : "0").repeat(64),
  hash: (old) => (old === "f".repeat(64) ? "e" : "f").repeat(64),
};

let vault: TestVault;

/** The chain's verdict alone: with no checkpoint yet, verification walks the whole log (basis `genesis`). */
async function verify(): Promise<Pick<AuditVerdictView, "valid" | "checked" | "first_broken">> {
  const { valid, checked, first_broken, basis } = value(await vault.stub.verifyAudit(vault.call, { from: "checkpoint" }));
  expect(basis).toBe("genesis");
  return first_broken === undefined ? { valid, checked } : { valid, checked, first_broken };
}

async function rowAt(seq: number): Promise<Row> {
  return (await sql<Row>(vault, "SELECT * FROM audit_events WHERE seq = ?", seq))[0] ?? expect.fail(`no event ${seq}`);
}

async function restore(row: Row): Promise<void> {
  const columns = Object.keys(row);
  await sql(vault, "DELETE FROM audit_events WHERE seq = ? OR id = ?", row.seq ?? null, row.id ?? null);
  await sql(vault, `INSERT INTO audit_events (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`, ...Object.values(row));
}

beforeAll(async () => {
  vault = await newVault();
  const kem = await createKey(vault, "ML-KEM-512");
  const dsa = await createKey(vault, "ML-DSA-44");
  value(await vault.stub.changeState(vault.call, dsa.id, "disable", null));
  await vault.stub.sign(vault.call, dsa.id, { message: b("refused") });
  await vault.stub.decrypt(vault.call, kem.id, b("not an envelope"), b(""));
  value(await vault.stub.recordEvent(vault.call, { operation: "crypto.sign", keyId: null, outcome: "denied", rule: "access_denied", severity: "warning", detail: null }));
  while ((await verify()).checked < CHAIN_LENGTH) value(await vault.stub.encrypt(vault.call, kem.id, b("x"), b("")));
  expect(await verify()).toEqual({ valid: true, checked: CHAIN_LENGTH });
});

describe("the audit chain in storage", () => {
  it("an edit to any field of any single event is reported at that event's seq", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: CHAIN_LENGTH }), fc.constantFrom(...Object.keys(EDITS)), async (seq, field) => {
        const original = await rowAt(seq);
        const edited = EDITS[field]?.(original[field] ?? null) ?? null;
        await sql(vault, `UPDATE audit_events SET ${field} = ? WHERE seq = ?`, edited, seq);
        try {
          expect(await verify()).toMatchObject({ valid: false, first_broken: seq });
        } finally {
          await restore(original);
        }
        expect(await verify()).toEqual({ valid: true, checked: CHAIN_LENGTH });
      }),
      { numRuns: 60 },
    );
  });

  it("deleting any single event, the newest included, is reported at its seq", async () => {
    for (let seq = 1; seq <= CHAIN_LENGTH; seq++) {
      const original = await rowAt(seq);
      await sql(vault, "DELETE FROM audit_events WHERE seq = ?", seq);
      expect({ seq, verdict: await verify() }).toEqual({ seq, verdict: { valid: false, checked: seq - 1, first_broken: seq } });
      await restore(original);
    }
    expect(await verify()).toEqual({ valid: true, checked: CHAIN_LENGTH });
  });

  it("swapping two events' positions is reported at the first of them", async () => {
    const [a, c] = [await rowAt(7), await rowAt(19)];
    await sql(vault, "UPDATE audit_events SET seq = -1 WHERE seq = 7");
    await sql(vault, "UPDATE audit_events SET seq = 7 WHERE seq = 19");
    await sql(vault, "UPDATE audit_events SET seq = 19 WHERE seq = -1");
    expect(await verify()).toMatchObject({ valid: false, first_broken: 7 });
    await restore(a);
    await restore(c);
    expect(await verify()).toEqual({ valid: true, checked: CHAIN_LENGTH });
  });

  it("a deleted newest event stays a gap after later events are appended", async () => {
    const other = await newVault();
    const key = await createKey(other, "ML-KEM-512");
    value(await other.stub.encrypt(other.call, key.id, b("x"), b("")));
    await sql(other, "DELETE FROM audit_events WHERE seq = 2");
    value(await other.stub.encrypt(other.call, key.id, b("x"), b("")));
    expect(value(await other.stub.verifyAudit(other.call, { from: "checkpoint" }))).toMatchObject({ valid: false, checked: 1, first_broken: 2 });
  });

  it("a deleted newest event stays a gap after the vault restarts and appends again", async () => {
    const other = await newVault();
    const key = await createKey(other, "ML-KEM-512");
    value(await other.stub.encrypt(other.call, key.id, b("x"), b("")));
    await sql(other, "DELETE FROM audit_events WHERE seq = 2");
    await evictDurableObject(other.stub);
    value(await other.stub.encrypt(other.call, key.id, b("x"), b("")));
    expect(value(await other.stub.verifyAudit(other.call, { from: "checkpoint" }))).toMatchObject({ valid: false, checked: 1, first_broken: 2 });
  });
});
