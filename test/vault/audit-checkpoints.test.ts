/**
 * A log's signed checkpoints (architecture §9): one per archived segment and one on demand, each
 * kept as a vault row and as an R2 object whose signature checks with noble's ML-DSA-65 against the
 * published keys; an R2 failure leaves nothing served and is put again, same bytes, on the next
 * call; on demand, a new one at most once a minute and only when the head has moved.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { checkpointObjectKey, parseCheckpointPayload, SEGMENT_FORMAT, segmentId, type ManifestLine, type SignedCheckpoint } from "../../workers/shared/audit/archive-format.ts";
import { GENESIS_HASH, type ChainHead } from "../../workers/shared/audit/chain.ts";
import { PLATFORM_AUDIT_TENANT } from "../../workers/shared/rpc.ts";
import { nobleCheck, platform, platformCall, unreachableBucket, withCheckpoints } from "./audit-support.ts";
import { b, createKey, newVault, sql, value, type TestVault } from "./helpers.ts";

async function vaultWithEvents(n: number): Promise<TestVault> {
  const vault = await newVault();
  const key = await createKey(vault, "ML-KEM-512");
  for (let i = 1; i < n; i++) value(await vault.stub.encrypt(vault.call, key.id, b("x"), b("")));
  return vault;
}

async function head(vault: TestVault): Promise<ChainHead> {
  const [row] = await sql<{ value: string }>(vault, "SELECT value FROM vault_meta WHERE name = 'audit_head'");
  return JSON.parse(row?.value ?? expect.fail("no head")) as ChainHead;
}

function manifestLine(tenant: string, last: ChainHead): ManifestLine {
  return {
    format: SEGMENT_FORMAT, tenant, segment: segmentId(1, last.seq), first_seq: 1, last_seq: last.seq, count: last.seq,
    first_time: 1, last_time: 2, prev_hash: GENESIS_HASH, last_hash: last.hash, sha256: "5e".repeat(32), bytes: 100,
  };
}

async function stored(tenant: string, seq: number): Promise<SignedCheckpoint | null> {
  const object = await env.AUDIT_ARCHIVE.get(checkpointObjectKey(tenant, seq));
  return object === null ? null : ((await object.json()) as SignedCheckpoint);
}

describe("a segment's checkpoint", () => {
  it("signs the segment's last event and bytes, is kept in the vault and in R2, and checks independently", async () => {
    const vault = await vaultWithEvents(3);
    const line = manifestLine(vault.tenantId, await head(vault));
    expect(value(await withCheckpoints(vault, Date.now, (c) => c.forSegment(vault.tenantId, line)))).toEqual({ seq: 3 });
    const signed = await stored(vault.tenantId, 3);
    const listed = value(await vault.stub.auditCheckpoints(vault.call, { limit: 10 })).checkpoints;
    expect(listed).toEqual([{ seq: 3, ...signed }]);
    const check = await nobleCheck(signed ?? expect.fail("not in R2"), vault.tenantId);
    expect(check).toMatchObject({ ok: true, payload: { tenant: vault.tenantId, seq: 3, hash: line.last_hash, segment: line.segment, segment_sha256: line.sha256 } });
    // Asked again (a retried archive run), it signs nothing new.
    value(await withCheckpoints(vault, Date.now, (c) => c.forSegment(vault.tenantId, line)));
    expect(await stored(vault.tenantId, 3)).toEqual(signed);
  });

  it("whose R2 put fails answers audit_unavailable, is not served, and is put again with the same bytes", async () => {
    const vault = await vaultWithEvents(2);
    const line = manifestLine(vault.tenantId, await head(vault));
    const failed = await withCheckpoints(vault, Date.now, (c) => c.forSegment(vault.tenantId, line), unreachableBucket);
    expect(failed).toMatchObject({ ok: false, error: { code: "audit_unavailable" } });
    const [pending] = await sql<{ payload: string; stored: number }>(vault, "SELECT payload, stored FROM audit_checkpoints");
    expect(pending?.stored).toBe(0);
    expect(await stored(vault.tenantId, 2)).toBeNull();
    expect(value(await vault.stub.auditCheckpoints(vault.call, { limit: 10 })).checkpoints).toEqual([]);
    expect(value(await vault.stub.verifyAudit(vault.call, { from: "checkpoint" })).basis).toBe("genesis");

    value(await withCheckpoints(vault, Date.now, (c) => c.forSegment(vault.tenantId, line)));
    expect((await stored(vault.tenantId, 2))?.payload).toBe(pending?.payload);
  });

  it("fails closed when the platform cannot sign: no row, no object", async () => {
    const vault = await vaultWithEvents(2);
    const line = manifestLine(vault.tenantId, await head(vault));
    const refusing = () => Promise.resolve({ ok: false as const, error: { code: "internal_error" as const } });
    const failed = await withCheckpoints(vault, Date.now, (c) => c.forSegment(vault.tenantId, line), env.AUDIT_ARCHIVE, refusing);
    expect(failed).toMatchObject({ ok: false, error: { code: "audit_unavailable" } });
    expect(await sql(vault, "SELECT * FROM audit_checkpoints")).toEqual([]);
    expect(await stored(vault.tenantId, 2)).toBeNull();
  });
});

describe("an on-demand checkpoint", () => {
  it("signs the head; not again until the head moves and a minute has passed", async () => {
    const vault = await vaultWithEvents(2);
    let now = Date.now();
    const create = () => withCheckpoints(vault, () => now, (c) => c.createOnDemand(vault.call));
    const first = value(await create());
    expect(first.created).toBe(true);
    expect(parseCheckpointPayload(first.checkpoint.payload)).toMatchObject({ seq: 2, segment: null, segment_sha256: null });
    expect(await nobleCheck(first.checkpoint, vault.tenantId)).toMatchObject({ ok: true });

    now += 120_000;
    expect(value(await create())).toEqual({ checkpoint: first.checkpoint, created: false }); // head unmoved

    value(await vault.stub.recordEvent(vault.call, { operation: "crypto.sign", keyId: null, outcome: "denied", rule: "access_denied", severity: "warning", detail: null }));
    now = Date.now() + 59_000;
    expect(value(await create())).toEqual({ checkpoint: first.checkpoint, created: false }); // under a minute since the last
    now += 60_000;
    const second = value(await create());
    expect(second.created).toBe(true);
    expect(second.checkpoint.seq).toBe(3);

    const page = value(await vault.stub.auditCheckpoints(vault.call, { limit: 1 }));
    expect(page).toEqual({ checkpoints: [second.checkpoint], next_cursor: "3" });
    expect(value(await vault.stub.auditCheckpoints(vault.call, { limit: 1, cursor: "3" }))).toEqual({ checkpoints: [first.checkpoint], next_cursor: null });
  });

  it("is made through the vault's RPC too", async () => {
    const vault = await vaultWithEvents(2);
    const made = value(await vault.stub.createAuditCheckpoint(vault.call));
    expect(made.created).toBe(true);
    expect(await stored(vault.tenantId, made.checkpoint.seq)).toEqual({ payload: made.checkpoint.payload, signature: made.checkpoint.signature, key_id: made.checkpoint.key_id });
  });

  it("of the platform's own log is signed by the platform's vault itself, and verification starts from it", async () => {
    value(await platform.recordEvent(platformCall, { operation: "policy.fail-open.enable", keyId: null, outcome: "allowed", rule: null, severity: "critical", detail: null }));
    const made = value(await platform.createAuditCheckpoint(platformCall));
    expect(await nobleCheck(made.checkpoint, PLATFORM_AUDIT_TENANT)).toMatchObject({ ok: true });
    expect(value(await platform.verifyAudit(platformCall, { from: "checkpoint" }))).toMatchObject({ valid: true, basis: "checkpoint" });
  });
});
