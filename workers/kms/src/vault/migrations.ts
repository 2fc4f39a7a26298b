/**
 * The TenantVault's own SQLite schema, applied in order inside the DO's constructor (under
 * blockConcurrencyWhile, so no request sees a half-migrated vault). Each step runs once; the
 * applied count is kept in `vault_schema`. Steps are append-only: a vault never re-runs a step it
 * has applied, so a schema change is always a new step, never an edit of an old one. Every table
 * and column is documented in schema/README.md (the storage contract); change both together.
 */

export const VAULT_MIGRATIONS: readonly string[] = [
  `CREATE TABLE vault_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE keys (
     id TEXT PRIMARY KEY,
     algorithm TEXT NOT NULL,
     purpose TEXT NOT NULL CHECK (purpose IN ('encrypt', 'sign')),
     name TEXT,
     description TEXT,
     labels TEXT NOT NULL DEFAULT '{}',
     state TEXT NOT NULL CHECK (state IN ('enabled', 'disabled', 'pending_deletion', 'destroyed')),
     primary_version INTEGER NOT NULL CHECK (primary_version >= 1),
     min_decryption_version INTEGER NOT NULL DEFAULT 1 CHECK (min_decryption_version >= 1),
     deletion_window_days INTEGER NOT NULL CHECK (deletion_window_days BETWEEN 7 AND 30),
     deletion_date INTEGER,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     revision INTEGER NOT NULL DEFAULT 1
   );
   CREATE INDEX keys_created_idx ON keys (created_at DESC, id DESC);
   CREATE TABLE key_versions (
     key_id TEXT NOT NULL REFERENCES keys (id),
     version INTEGER NOT NULL CHECK (version >= 1),
     state TEXT NOT NULL CHECK (state IN ('enabled', 'destroyed')),
     public_key BLOB,
     wrapped_secret BLOB,
     kek_id TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     destroyed_at INTEGER,
     PRIMARY KEY (key_id, version),
     CHECK ((state = 'destroyed') = (wrapped_secret IS NULL))
   );
   CREATE TABLE audit_events (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     time INTEGER NOT NULL,
     api_key_id TEXT,
     request_id TEXT,
     operation TEXT NOT NULL,
     key_id TEXT,
     key_version INTEGER,
     outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied', 'failed')),
     rule TEXT,
     severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
     detail TEXT,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE TABLE outbox (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL CHECK (kind IN ('key', 'audit')),
     payload TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0
   );
   CREATE TABLE idempotency (
     idempotency_key TEXT PRIMARY KEY,
     request_hash TEXT NOT NULL,
     response TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
  // Aliases: a tenant's names for its keys (unique per vault, which is per tenant). Not projected to D1:
  // only the vault resolves them.
  `CREATE TABLE aliases (
     name TEXT PRIMARY KEY,
     key_id TEXT NOT NULL REFERENCES keys (id),
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX aliases_key_idx ON aliases (key_id, name);`,
  // The audit archive (architecture §9). A segment row is written, `sealing`, before its object is
  // put to R2, so a restart re-puts the same range; its events leave the vault only once `archived`.
  // Checkpoints are signed by the platform's audit key, which only the platform's vault holds
  // (`audit_keys`; its seeds wrapped like key versions' secrets, wrap.ts).
  `CREATE TABLE audit_segments (
     id TEXT PRIMARY KEY,
     first_seq INTEGER NOT NULL UNIQUE,
     last_seq INTEGER NOT NULL UNIQUE CHECK (last_seq >= first_seq),
     count INTEGER NOT NULL,
     first_time INTEGER NOT NULL,
     last_time INTEGER NOT NULL,
     prev_hash TEXT NOT NULL,
     last_hash TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('sealing', 'archived')),
     sha256 TEXT,
     bytes INTEGER,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     next_attempt_at INTEGER,
     sealed_at INTEGER NOT NULL,
     archived_at INTEGER,
     checkpoint_seq INTEGER,
     CHECK ((state = 'archived') = (sha256 IS NOT NULL))
   );
   CREATE TABLE audit_checkpoints (
     seq INTEGER PRIMARY KEY,
     segment_id TEXT,
     payload TEXT NOT NULL,
     signature TEXT NOT NULL,
     key_id TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     on_demand INTEGER NOT NULL CHECK (on_demand IN (0, 1)),
     stored INTEGER NOT NULL DEFAULT 0 CHECK (stored IN (0, 1))
   );
   CREATE TABLE audit_keys (
     key_id TEXT PRIMARY KEY,
     version INTEGER NOT NULL UNIQUE CHECK (version >= 1),
     public_key BLOB NOT NULL,
     wrapped_secret BLOB NOT NULL,
     kek_id TEXT NOT NULL,
     valid_from INTEGER NOT NULL,
     valid_until INTEGER
   );`,
  // Per-version control and last use (architecture §5): a version may be disabled or pending
  // destruction on its own, with its destruction date, and records when it was last used (to the
  // minute, crypto-frame.ts). SQLite cannot widen a CHECK in place, so the table is rebuilt; the
  // invariant that exactly the destroyed versions have no secret is kept.
  `CREATE TABLE key_versions_next (
     key_id TEXT NOT NULL REFERENCES keys (id),
     version INTEGER NOT NULL CHECK (version >= 1),
     state TEXT NOT NULL CHECK (state IN ('enabled', 'disabled', 'pending_destruction', 'destroyed')),
     public_key BLOB,
     wrapped_secret BLOB,
     kek_id TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     destroyed_at INTEGER,
     destruction_date INTEGER,
     last_used_at INTEGER,
     PRIMARY KEY (key_id, version),
     CHECK ((state = 'destroyed') = (wrapped_secret IS NULL)),
     CHECK ((state = 'pending_destruction') = (destruction_date IS NOT NULL))
   );
   INSERT INTO key_versions_next (key_id, version, state, public_key, wrapped_secret, kek_id, created_at, destroyed_at)
     SELECT key_id, version, state, public_key, wrapped_secret, kek_id, created_at, destroyed_at FROM key_versions;
   DROP TABLE key_versions;
   ALTER TABLE key_versions_next RENAME TO key_versions;
   CREATE INDEX key_versions_destruction_idx ON key_versions (destruction_date) WHERE destruction_date IS NOT NULL;`,
];

/** What `migrate` uses of the DO's SqlStorage; named structurally so the steps load outside Workers (node:sqlite tests). */
interface MigrationSql {
  exec(query: string, ...bindings: number[]): { toArray(): Record<string, unknown>[] };
}

export function migrate(sql: MigrationSql): void {
  sql.exec("CREATE TABLE IF NOT EXISTS vault_schema (id INTEGER PRIMARY KEY CHECK (id = 1), applied INTEGER NOT NULL)");
  const applied = (sql.exec("SELECT applied FROM vault_schema WHERE id = 1").toArray()[0]?.applied as number | undefined) ?? 0;
  for (let step = applied; step < VAULT_MIGRATIONS.length; step++) {
    sql.exec(VAULT_MIGRATIONS[step] as string);
    sql.exec("INSERT OR REPLACE INTO vault_schema (id, applied) VALUES (1, ?)", step + 1);
  }
}
