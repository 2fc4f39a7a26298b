/**
 * The archive, the platform's audit key and verification together, as a vault runs them (architecture
 * §9): the real R2 binding, checkpoints signed by the platform's vault, and a clock the test moves.
 * Once the hot window has moved past archived segments, verification from the latest checkpoint and
 * over the window both hold, and every checkpoint is still listed (older ones read back from R2); an
 * edit after the checkpoint, or of the checkpoint, is reported.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { checkpointObjectKey, type SignedCheckpoint } from "../../workers/shared/audit/archive-format.ts";
import type { ArchiveConfig } from "../../workers/kms/src/vault/archive-plan.ts";
import { AuditArchive } from "../../workers/kms/src/vault/audit-archive.ts";
import { AuditLog } from "../../workers/kms/src/vault/audit-log.ts";
import { Checkpoints, platformSigner } from "../../workers/kms/src/vault/checkpoints.ts";
import type { CallContext } from "../../workers/shared/rpc.ts";
import { nobleCheck } from "./audit-support.ts";
import { count, newVault, sql, value, type TestVault } from "./helpers.ts";

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;
const SMALL: ArchiveConfig = { segmentEvents: 50, segmentAgeMs: MINUTE, hotAgeMs: 30 * MINUTE, hotEvents: 120 };

/** `rounds` rounds of `perRound` appends, each followed by an archive run one minute later. */
async function drive(vault: TestVault, rounds: number, perRound: number): Promise<void> {
  let now = T0;
  for (let round = 0; round < rounds; round++) {
    const at = now;
    now += MINUTE + 1;
    await runInDurableObject(vault.stub, async (_instance, state) => {
      const clock = () => now;
      const audit = (call: CallContext) => new AuditLog(state.storage.sql, call.tenantId);
      const checkpoints = new Checkpoints({ storage: state.storage, now: clock, audit }, env.AUDIT_ARCHIVE, platformSigner(env));
      const archive = new AuditArchive({ storage: state.storage, bucket: env.AUDIT_ARCHIVE, tenant: vault.tenantId, config: SMALL, now: clock, checkpointer: checkpoints });
      state.storage.transactionSync(() => {
        const log = audit(vault.call);
        for (let i = 0; i < perRound; i++) {
          log.append({ time: at, apiKeyId: "api-key-1", requestId: `req-${round}-${i}`, operation: "crypto.sign", keyId: null, keyVersion: null, outcome: "allowed" });
        }
      });
      await archive.run();
    });
  }
}

describe("archive, checkpoints and verification together", () => {
  it("trims archived events and still verifies, from the checkpoint and over the window", async () => {
    const vault = await newVault();
    await drive(vault, 12, 40);
    const total = 12 * 40;
    // Events 1.. have left the vault; what is left is one contiguous range ending at the head.
    const held = await sql<{ lo: number; hi: number; n: number }>(vault, "SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM audit_events");
    expect(held[0]?.hi).toBe(total);
    expect(held[0]?.lo).toBeGreaterThan(1);
    expect(held[0]?.n).toBe(total - (held[0]?.lo ?? 0) + 1);
    expect(held[0]?.n).toBeLessThanOrEqual(SMALL.hotEvents + SMALL.segmentEvents);

    const fromCheckpoint = value(await vault.stub.verifyAudit(vault.call, { from: "checkpoint" }));
    expect(fromCheckpoint).toMatchObject({ valid: true, basis: "checkpoint", to_seq: total });
    const latest = value(await vault.stub.auditCheckpoints(vault.call, { limit: 1 })).checkpoints[0];
    expect(fromCheckpoint.checkpoint?.seq).toBe(latest?.seq);
    // Only the events after the checkpoint were walked: the cost does not grow with the log.
    expect(fromCheckpoint.checked).toBe(total - (latest?.seq ?? 0));
    const overWindow = value(await vault.stub.verifyAudit(vault.call, { from: "window" }));
    expect(overWindow).toMatchObject({ valid: true, basis: "hot_window", from_seq: held[0]?.lo, to_seq: total });

    // The checkpoint in R2 is the one the vault lists, and it checks out independently.
    const object = await env.AUDIT_ARCHIVE.get(checkpointObjectKey(vault.tenantId, latest?.seq ?? 0));
    const stored = (await object?.json()) as SignedCheckpoint;
    expect(stored).toEqual({ payload: latest?.payload, signature: latest?.signature, key_id: latest?.key_id });
    expect(await nobleCheck(stored, vault.tenantId)).toMatchObject({ ok: true, payload: { seq: latest?.seq } });

    // Checkpoint rows left with their events; listing still pages through every segment's, the older
    // ones read back from R2, and each checks out.
    const segments = await sql<{ checkpoint_seq: number }>(vault, "SELECT checkpoint_seq FROM audit_segments ORDER BY last_seq DESC");
    expect(await count(vault, "audit_checkpoints")).toBeLessThan(segments.length);
    const listed: number[] = [];
    let cursor: string | undefined;
    do {
      const page = value(await vault.stub.auditCheckpoints(vault.call, { limit: 3, ...(cursor === undefined ? {} : { cursor }) }));
      for (const checkpoint of page.checkpoints) {
        expect(await nobleCheck(checkpoint, vault.tenantId)).toMatchObject({ ok: true, payload: { seq: checkpoint.seq } });
        listed.push(checkpoint.seq);
      }
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    expect(listed).toEqual(segments.map((s) => s.checkpoint_seq));
  });

  it("reports an edited event after the checkpoint, and a checkpoint whose payload was edited", async () => {
    const vault = await newVault();
    await drive(vault, 4, 40);
    // Five events after the last segment: in the vault only, after the latest checkpoint.
    for (let i = 0; i < 5; i++) {
      value(await vault.stub.recordEvent(vault.call, { operation: "crypto.sign", keyId: null, outcome: "denied", rule: "r", severity: "warning", detail: null }));
    }
    const latest = value(await vault.stub.auditCheckpoints(vault.call, { limit: 1 })).checkpoints[0];
    const head = 4 * 40 + 5;
    expect(latest?.seq).toBe(4 * 40);

    await sql(vault, "UPDATE audit_events SET detail = 'edited' WHERE seq = ?", head - 1);
    expect(value(await vault.stub.verifyAudit(vault.call, { from: "checkpoint" }))).toMatchObject({ valid: false, first_broken: head - 1 });
    await sql(vault, "UPDATE audit_events SET detail = NULL WHERE seq = ?", head - 1);
    expect(value(await vault.stub.verifyAudit(vault.call, { from: "checkpoint" }))).toMatchObject({ valid: true });

    // A checkpoint moved to a later seq no longer verifies under the platform's signature.
    await sql(vault, "UPDATE audit_checkpoints SET payload = replace(payload, ?, ?) WHERE seq = ?", `"seq":${latest?.seq}`, `"seq":${head}`, latest?.seq ?? 0);
    expect(value(await vault.stub.verifyAudit(vault.call, { from: "checkpoint" }))).toMatchObject({ valid: false, first_broken: latest?.seq });
    expect(await count(vault, "audit_checkpoints")).toBeGreaterThan(0);
  });
});
