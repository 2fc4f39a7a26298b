/**
 * The outbox: key changes to project into D1, written in the same transaction as the change itself,
 * drained later by the vault's alarm. D1 is a read model only (architecture §8): upserts are idempotent
 * and version-guarded (`projected_seq` = the key's revision), so events delivered twice or out of
 * order converge to the same D1 state.
 *
 * Only key metadata is projected. The audit chain stays in the vault (architecture §9): a crypto
 * operation writes no outbox row, so no tenant's traffic becomes a write to the one shared D1.
 * Vaults written before that may still hold `audit` rows; the drain discards them unprojected.
 */
import type { KeyRow, VersionRow } from "./key-store.ts";

export interface KeyProjection {
  key: Omit<KeyRow, "labels" | "description" | "deletion_window_days" | "rotation_period" | "next_rotation_at" | "keep_decryption_versions">;
  versions: Pick<VersionRow, "version" | "state" | "created_at">[];
}

/** What an outbox row holds. `audit` rows are only ever read, never written: see the module doc. */
export type OutboxKind = "key" | "audit";

export function enqueue(sql: SqlStorage, payload: KeyProjection, now: number): void {
  sql.exec("INSERT INTO outbox (kind, payload, created_at) VALUES ('key', ?, ?)", JSON.stringify(payload), now);
}

export function keyProjection(key: KeyRow, versions: VersionRow[]): KeyProjection {
  // The rotation schedule stays in the vault: no D1 query filters on it (schema/README.md).
  const {
    labels: _labels, description: _description, deletion_window_days: _window,
    rotation_period: _period, next_rotation_at: _next, keep_decryption_versions: _keep, ...rest
  } = key;
  return { key: rest, versions: versions.map((v) => ({ version: v.version, state: v.state, created_at: v.created_at })) };
}

/**
 * D1 statements that project one outbox entry. Pure apart from preparing statements. A legacy
 * `audit` entry projects to nothing: D1 has no audit table (schema/migrations/0001).
 */
export function projectionStatements(db: D1Database, tenantId: string, kind: OutboxKind, payload: string): D1PreparedStatement[] {
  if (kind !== "key") return [];
  const { key: k, versions } = JSON.parse(payload) as KeyProjection;
  const statements = [
    db
      .prepare(
        `INSERT INTO keys (tenant_id, id, name, algorithm, purpose, state, origin, primary_version, min_decryption_version,
           created_at, updated_at, deletion_date, projected_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, state = excluded.state,
           primary_version = excluded.primary_version, min_decryption_version = excluded.min_decryption_version,
           updated_at = excluded.updated_at, deletion_date = excluded.deletion_date, projected_seq = excluded.projected_seq
         WHERE excluded.projected_seq > keys.projected_seq`,
      )
      // An outbox row written before keys had an origin was a generated key's.
      .bind(tenantId, k.id, k.name, k.algorithm, k.purpose, k.state, k.origin ?? "generated", k.primary_version, k.min_decryption_version,
        k.created_at, k.updated_at, k.deletion_date, k.revision),
  ];
  for (const v of versions) {
    statements.push(
      db
        .prepare(
          `INSERT INTO key_versions (tenant_id, key_id, version, state, created_at, projected_seq) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (tenant_id, key_id, version) DO UPDATE SET state = excluded.state, projected_seq = excluded.projected_seq
           WHERE excluded.projected_seq > key_versions.projected_seq`,
        )
        .bind(tenantId, k.id, v.version, v.state, v.created_at, k.revision),
    );
  }
  return statements;
}

export const DRAIN_BATCH = 50;

/**
 * Projects up to DRAIN_BATCH entries in one D1 batch (one D1 transaction), then deletes them from
 * the outbox. Returns how many remain. A D1 failure leaves the outbox as it was, with the
 * attempt counted, and is rethrown for the alarm to back off.
 */
export async function drainOnce(sql: SqlStorage, db: D1Database, tenantId: string): Promise<number> {
  const rows = sql
    .exec<{ seq: number; kind: OutboxKind; payload: string }>("SELECT seq, kind, payload FROM outbox ORDER BY seq LIMIT ?", DRAIN_BATCH)
    .toArray();
  if (rows.length > 0) {
    const last = (rows[rows.length - 1] as { seq: number }).seq;
    const statements = rows.flatMap((row) => projectionStatements(db, tenantId, row.kind, row.payload));
    try {
      // A batch of legacy audit rows only projects nothing; D1 refuses an empty batch, so skip it.
      if (statements.length > 0) await db.batch(statements);
    } catch (error) {
      sql.exec("UPDATE outbox SET attempts = attempts + 1 WHERE seq <= ?", last);
      throw error;
    }
    sql.exec("DELETE FROM outbox WHERE seq <= ?", last);
  }
  return sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
}

const DRAIN_BATCHES_PER_RUN = 20;
const MAX_BACKOFF_MS = 5 * 60_000;

/** Exponential backoff after a failed drain: 1 s · 2^attempts, at most 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));
}

/**
 * Drains the outbox, a bounded number of batches per run. Returns when it needs draining again:
 * null once empty, at once if batches remain, after a backoff if D1 failed (the entries stay).
 */
export async function drain(sql: SqlStorage, db: D1Database, tenantId: string, now: () => number): Promise<number | null> {
  try {
    for (let batch = 0; batch < DRAIN_BATCHES_PER_RUN; batch++) {
      if ((await drainOnce(sql, db, tenantId)) === 0) return null;
    }
    return now();
  } catch {
    const attempts = sql.exec<{ a: number | null }>("SELECT max(attempts) AS a FROM outbox").one().a ?? 0;
    return now() + backoffMs(attempts);
  }
}
