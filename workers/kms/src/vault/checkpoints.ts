/**
 * A log's signed checkpoints (architecture §9): one per archived segment (`forSegment`, called by
 * the archive) and, at most once a minute, one on demand at the head (`createOnDemand`). Each is
 * signed by the platform's audit key (audit-keys.ts), which only the platform's vault holds: every
 * other vault asks it through its Durable Object stub (`platformSigner`); the platform's vault signs
 * its own log's checkpoints itself.
 *
 * Each is kept twice: as an `audit_checkpoints` row in this vault, and as `checkpoints/{seq}.json`
 * in R2 (archive-format.ts), for offline verification. The row is written first, `stored = 0`, with
 * the exact signed bytes; the put follows, then `stored = 1`. A put that fails leaves the row
 * unstored: it is neither listed nor used by verification, and the next checkpoint call of this
 * vault puts the same bytes again (no second signature), so R2 never holds a checkpoint the vault
 * does not and the vault never serves one R2 lacks. A row leaves the vault with the events it
 * covers, when the hot window is trimmed (audit-archive.ts), except the newest; its object stays in R2
 * and `list` reads it back from there, so the vault keeps only its window's checkpoints.
 */
import { fail, ok, type Result } from "../../../shared/errors.ts";
import { GENESIS_HASH } from "../../../shared/audit/chain.ts";
import { checkpointObjectKey, parseCheckpointPayload, type ManifestLine, type SignedCheckpoint } from "../../../shared/audit/archive-format.ts";
import { PLATFORM_AUDIT_TENANT, type AuditCheckpointView, type CallContext } from "../../../shared/rpc.ts";
import type { CheckpointFields } from "./audit-keys.ts";
import { SerialQueue } from "./serial-queue.ts";
import type { VaultParts } from "./vault-parts.ts";

/** An on-demand checkpoint is made at most this often per log (the platform key signs for every log). */
export const ON_DEMAND_INTERVAL_MS = 60_000;
/** Unstored rows re-put per call, oldest first. */
const PENDING_BATCH = 8;

export type CheckpointSigner = (fields: CheckpointFields) => Promise<Result<SignedCheckpoint>>;

export interface CheckpointRow extends Record<string, SqlStorageValue> {
  seq: number;
  segment_id: string | null;
  payload: string;
  signature: string;
  key_id: string;
  created_at: number;
  on_demand: number;
  stored: number;
}

/** The platform vault's signature, through its stub; any failure of the call is `audit_unavailable`. */
export function platformSigner(env: Pick<KmsEnv, "VAULT">): CheckpointSigner {
  return async (fields) => {
    try {
      return await env.VAULT.get(env.VAULT.idFromName(PLATFORM_AUDIT_TENANT)).signCheckpoint(fields);
    } catch {
      return fail("audit_unavailable", "the platform audit key did not answer");
    }
  };
}

export function checkpointView(row: CheckpointRow): AuditCheckpointView {
  return { seq: row.seq, payload: row.payload, signature: row.signature, key_id: row.key_id };
}

const unavailable = (detail: string) => fail("audit_unavailable", detail);

/** What checkpoints need of the vault: its storage, clock and audit log (the head). */
export type CheckpointParts = Pick<VaultParts, "storage" | "now" | "audit">;

export class Checkpoints {
  readonly #parts: CheckpointParts;
  readonly #archive: R2Bucket;
  readonly #sign: CheckpointSigner;
  /** Checkpoint writes of this log, one at a time, so a row and its R2 object never hold different signatures. */
  readonly #queue = new SerialQueue();

  constructor(parts: CheckpointParts, archive: R2Bucket, sign: CheckpointSigner) {
    this.#parts = parts;
    this.#archive = archive;
    this.#sign = sign;
  }

  #row(seq: number): CheckpointRow | undefined {
    return this.#parts.storage.sql.exec<CheckpointRow>("SELECT * FROM audit_checkpoints WHERE seq = ?", seq).toArray()[0];
  }

  /** The newest checkpoint both signed and in R2: where verification starts. */
  latest(): CheckpointRow | undefined {
    return this.#parts.storage.sql.exec<CheckpointRow>("SELECT * FROM audit_checkpoints WHERE stored = 1 ORDER BY seq DESC LIMIT 1").toArray()[0];
  }

  /** Signs the end of an archived segment and keeps it (row, then R2). Idempotent per segment. */
  forSegment(tenant: string, line: ManifestLine): Promise<Result<{ seq: number }>> {
    return this.#queue.run(() => this.#forSegment(tenant, line));
  }

  async #forSegment(tenant: string, line: ManifestLine): Promise<Result<{ seq: number }>> {
    await this.#storePending(tenant);
    const existing = this.#row(line.last_seq);
    if (existing?.segment_id === line.segment) {
      const stored = existing.stored === 1 ? ok(existing) : await this.#store(tenant, existing);
      return stored.ok ? ok({ seq: line.last_seq }) : stored;
    }
    const fields = { tenant, seq: line.last_seq, hash: line.last_hash, segment: line.segment, segment_sha256: line.sha256 };
    // An on-demand checkpoint at the same seq is replaced: this one also commits to the segment's bytes.
    const made = await this.#signAndStore(tenant, fields, false);
    return made.ok ? ok({ seq: line.last_seq }) : made;
  }

  /**
   * Newest first; `cursor` is a seq (exclusive), as `next_cursor` gives it. The rows this vault still
   * holds come first; below them, where the hot window's trim removed the rows (audit-archive.ts),
   * each archived segment's checkpoint is read back from R2, where it stays.
   */
  async list(tenant: string, input: { limit: number; cursor?: string }): Promise<Result<{ checkpoints: AuditCheckpointView[]; next_cursor: string | null }>> {
    if (input.cursor !== undefined && !/^\d{1,16}$/.test(input.cursor)) return fail("invalid_request", "query.cursor: not a cursor this API issued");
    const sql = this.#parts.storage.sql;
    const before = input.cursor === undefined ? Number.MAX_SAFE_INTEGER : Number(input.cursor);
    const views = sql
      .exec<CheckpointRow>("SELECT * FROM audit_checkpoints WHERE stored = 1 AND seq < ? ORDER BY seq DESC LIMIT ?", before, input.limit + 1)
      .toArray()
      .map(checkpointView);
    if (views.length <= input.limit) {
      const held = sql.exec<{ s: number | null }>("SELECT min(seq) AS s FROM audit_checkpoints WHERE stored = 1").one().s;
      const below = Math.min(before, held ?? before);
      const older = sql
        .exec<{ seq: number }>(
          "SELECT checkpoint_seq AS seq FROM audit_segments WHERE checkpoint_seq IS NOT NULL AND checkpoint_seq < ? ORDER BY checkpoint_seq DESC LIMIT ?",
          below, input.limit + 1 - views.length,
        )
        .toArray();
      for (const { seq } of older) {
        const archived = await this.#archived(tenant, seq);
        if (!archived.ok) return archived;
        views.push(archived.value);
      }
    }
    const page = views.slice(0, input.limit);
    const last = page[page.length - 1];
    return ok({ checkpoints: page, next_cursor: views.length > input.limit && last ? String(last.seq) : null });
  }

  /** A segment's checkpoint as kept in R2, once its row has left the vault with the segment's events. */
  async #archived(tenant: string, seq: number): Promise<Result<AuditCheckpointView>> {
    let signed: SignedCheckpoint;
    try {
      const object = await this.#archive.get(checkpointObjectKey(tenant, seq));
      if (object === null) return unavailable(`checkpoint ${seq} is missing from the audit archive`);
      signed = await object.json<SignedCheckpoint>();
    } catch {
      return unavailable("the audit archive did not answer");
    }
    return ok({ seq, payload: signed.payload, signature: signed.signature, key_id: signed.key_id });
  }

  /**
   * A checkpoint at the head now, unless the head has not moved since the latest one or the last
   * on-demand one is under a minute old: then the latest, `created: false`.
   */
  createOnDemand(call: CallContext): Promise<Result<{ checkpoint: AuditCheckpointView; created: boolean }>> {
    return this.#queue.run(() => this.#createOnDemand(call));
  }

  async #createOnDemand(call: CallContext): Promise<Result<{ checkpoint: AuditCheckpointView; created: boolean }>> {
    await this.#storePending(call.tenantId);
    const head = this.#parts.audit(call).head() ?? { seq: 0, hash: GENESIS_HASH };
    const latest = this.latest();
    const lastOnDemand = this.#parts.storage.sql.exec<{ at: number | null }>("SELECT max(created_at) AS at FROM audit_checkpoints WHERE on_demand = 1").one().at;
    const recent = lastOnDemand !== null && this.#parts.now() - lastOnDemand < ON_DEMAND_INTERVAL_MS;
    if (latest !== undefined && (latest.seq >= head.seq || recent)) return ok({ checkpoint: checkpointView(latest), created: false });
    const made = await this.#signAndStore(call.tenantId, { tenant: call.tenantId, seq: head.seq, hash: head.hash, segment: null, segment_sha256: null }, true);
    return made.ok ? ok({ checkpoint: checkpointView(made.value), created: true }) : made;
  }

  async #signAndStore(tenant: string, fields: CheckpointFields, onDemand: boolean): Promise<Result<CheckpointRow>> {
    const signed = await this.#sign(fields);
    if (!signed.ok) return unavailable("the platform audit key cannot sign");
    // The platform signs what it was asked; a payload naming anything else is not kept.
    const payload = parseCheckpointPayload(signed.value.payload);
    if (payload?.tenant !== tenant || payload.seq !== fields.seq || payload.hash !== fields.hash || payload.segment !== fields.segment) {
      return unavailable("the platform signed a different checkpoint");
    }
    const row: CheckpointRow = {
      seq: fields.seq, segment_id: fields.segment, payload: signed.value.payload, signature: signed.value.signature, key_id: signed.value.key_id,
      created_at: this.#parts.now(), on_demand: onDemand ? 1 : 0, stored: 0,
    };
    this.#parts.storage.sql.exec(
      `INSERT OR REPLACE INTO audit_checkpoints (seq, segment_id, payload, signature, key_id, created_at, on_demand, stored)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
      row.seq, row.segment_id, row.payload, row.signature, row.key_id, row.created_at, row.on_demand,
    );
    return this.#store(tenant, row);
  }

  /** Puts a row's signed checkpoint to R2, then marks it stored. */
  async #store(tenant: string, row: CheckpointRow): Promise<Result<CheckpointRow>> {
    const signed: SignedCheckpoint = { payload: row.payload, signature: row.signature, key_id: row.key_id };
    try {
      await this.#archive.put(checkpointObjectKey(tenant, row.seq), JSON.stringify(signed), { httpMetadata: { contentType: "application/json" } });
    } catch {
      return unavailable("the audit archive refused the checkpoint");
    }
    this.#parts.storage.sql.exec("UPDATE audit_checkpoints SET stored = 1 WHERE seq = ? AND payload = ?", row.seq, row.payload);
    return ok({ ...row, stored: 1 });
  }

  /** Re-puts checkpoints whose earlier put failed; failures are left for the next call. */
  async #storePending(tenant: string): Promise<void> {
    const pending = this.#parts.storage.sql.exec<CheckpointRow>("SELECT * FROM audit_checkpoints WHERE stored = 0 ORDER BY seq LIMIT ?", PENDING_BATCH).toArray();
    for (const row of pending) {
      if (!(await this.#store(tenant, row)).ok) return;
    }
  }
}
