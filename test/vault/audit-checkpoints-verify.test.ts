/**
 * Verification from the latest checkpoint (architecture §9): its signature is checked, then only
 * the events after it are walked; a forged checkpoint (payload edited, signed by another key,
 * key id swapped, dated outside its key's validity) is a break at its seq. `window` walks every
 * held event from the archived segment's last hash.
 */
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { describe, expect, it } from "vitest";
import { CHECKPOINT_CONTEXT } from "../../workers/shared/audit/archive-format.ts";
import { toBase64 } from "../../workers/shared/base64.ts";
import type { AuditVerdictView } from "../../workers/shared/rpc.ts";
import { b, createKey, newVault, sql, value, type TestVault } from "./helpers.ts";

type Row = Record<string, SqlStorageValue>;

async function vaultWithEvents(n: number): Promise<TestVault & { grow: (k: number) => Promise<void> }> {
  const vault = await newVault();
  const key = await createKey(vault, "ML-KEM-512");
  const grow = async (k: number) => {
    for (let i = 0; i < k; i++) value(await vault.stub.encrypt(vault.call, key.id, b("x"), b("")));
  };
  await grow(n - 1);
  return { ...vault, grow };
}

const verify = async (vault: TestVault, from: "checkpoint" | "window"): Promise<AuditVerdictView> => value(await vault.stub.verifyAudit(vault.call, { from }));

/** Runs `check` with one column of a table's row changed, then puts it back. */
async function withEdit(vault: TestVault, table: string, where: string, column: string, edited: SqlStorageValue, check: () => Promise<void>): Promise<void> {
  const [original] = await sql<Row>(vault, `SELECT ${column} AS v FROM ${table} WHERE ${where}`);
  await sql(vault, `UPDATE ${table} SET ${column} = ? WHERE ${where}`, edited);
  try {
    await check();
  } finally {
    await sql(vault, `UPDATE ${table} SET ${column} = ? WHERE ${where}`, original?.v ?? null);
  }
}

describe("verification from the latest checkpoint", () => {
  it("walks only the events after it; `window` walks every held event", async () => {
    const vault = await vaultWithEvents(5);
    const { checkpoint } = value(await vault.stub.createAuditCheckpoint(vault.call));
    await vault.grow(3);
    expect(await verify(vault, "checkpoint")).toMatchObject({
      valid: true, checked: 3, basis: "checkpoint", from_seq: 6, to_seq: 8, checkpoint: { seq: 5, key_id: checkpoint.key_id },
    });
    expect(await verify(vault, "window")).toMatchObject({ valid: true, checked: 8, basis: "hot_window", from_seq: 1, to_seq: 8 });
    // An edit before the checkpoint is not walked from it; the window finds it.
    await withEdit(vault, "audit_events", "seq = 2", "detail", "edited", async () => {
      expect(await verify(vault, "checkpoint")).toMatchObject({ valid: true, checked: 3 });
      expect(await verify(vault, "window")).toMatchObject({ valid: false, first_broken: 2 });
    });
    // The checkpointed event itself is rehashed; an edit after it breaks the walk there.
    await withEdit(vault, "audit_events", "seq = 5", "detail", "edited", async () => {
      expect(await verify(vault, "checkpoint")).toMatchObject({ valid: false, first_broken: 5 });
    });
    await withEdit(vault, "audit_events", "seq = 7", "detail", "edited", async () => {
      expect(await verify(vault, "checkpoint")).toMatchObject({ valid: false, first_broken: 7 });
    });
    await sql(vault, "DELETE FROM audit_events WHERE seq = 8");
    expect(await verify(vault, "checkpoint")).toMatchObject({ valid: false, first_broken: 8 });
  });

  it("refuses a forged checkpoint and reports the break at its seq", async () => {
    const vault = await vaultWithEvents(4);
    const { checkpoint } = value(await vault.stub.createAuditCheckpoint(vault.call));
    await vault.grow(1);
    const where = `seq = ${checkpoint.seq}`;
    const refused = async (reason: RegExp) => {
      const verdict = await verify(vault, "checkpoint");
      expect(verdict).toMatchObject({ valid: false, first_broken: 4, basis: "checkpoint", checkpoint: { seq: 4 } });
      expect(verdict.note).toMatch(reason);
    };
    const otherKey = ml_dsa65.keygen(crypto.getRandomValues(new Uint8Array(32)));
    const forgedHash = checkpoint.payload.replace(/"hash":"[0-9a-f]{64}"/, `"hash":"${"0".repeat(64)}"`);
    const backdated = checkpoint.payload.replace(/"time":"[^"]+"/, '"time":"2000-01-01T00:00:00.000Z"');
    const otherSignature = toBase64(ml_dsa65.sign(b(checkpoint.payload), otherKey.secretKey, { context: b(CHECKPOINT_CONTEXT) }));

    await withEdit(vault, "audit_checkpoints", where, "payload", forgedHash, () => refused(/signature does not verify/));
    await withEdit(vault, "audit_checkpoints", where, "signature", otherSignature, () => refused(/signature does not verify/));
    await withEdit(vault, "audit_checkpoints", where, "key_id", "an-unpublished-key", () => refused(/key_id differs/));
    await withEdit(vault, "audit_checkpoints", where, "payload", backdated, () => refused(/outside audit key/));
    expect(await verify(vault, "checkpoint")).toMatchObject({ valid: true, checked: 1 });
  });
});

describe("verification of the hot window", () => {
  it("anchors the oldest held event to the archived segment before it, and says what is in the archive", async () => {
    const vault = await vaultWithEvents(6);
    const [third] = await sql<{ hash: string }>(vault, "SELECT hash FROM audit_events WHERE seq = 3");
    await sql(
      vault,
      `INSERT INTO audit_segments (id, first_seq, last_seq, count, first_time, last_time, prev_hash, last_hash, state, sha256, bytes, sealed_at, archived_at)
       VALUES ('seg', 1, 3, 3, 0, 0, ?, ?, 'archived', ?, 1, 0, 0)`,
      "0".repeat(64), third?.hash ?? null, "5e".repeat(32),
    );
    await sql(vault, "DELETE FROM audit_events WHERE seq <= 3");
    const verdict = await verify(vault, "window");
    expect(verdict).toMatchObject({ valid: true, checked: 3, basis: "hot_window", from_seq: 4, to_seq: 6 });
    expect(verdict.note).toContain("events 1–3 are in the archive");
    await withEdit(vault, "audit_segments", "id = 'seg'", "last_hash", "f".repeat(64), async () => {
      expect(await verify(vault, "window")).toMatchObject({ valid: false, first_broken: 4 });
    });
    await sql(vault, "DELETE FROM audit_segments");
    expect(await verify(vault, "window")).toMatchObject({ valid: false, first_broken: 4 });
  });
});
