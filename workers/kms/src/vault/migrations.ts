/**
 * The TenantVault's own SQLite schema, applied in order inside the DO's constructor (under
 * blockConcurrencyWhile, so no request sees a half-migrated vault). Each step runs once; the
 * applied count is kept in `vault_schema`. Steps are append-only: a vault never re-runs a step it
 * has applied, so a schema change is always a new step, never an edit of an old one. Every table
 * and column is documented in schema/README.md (the storage contract); change both together.
 * A step is SQL, or a function for a change SQL alone cannot say (rebuilding a table from its
 * current definition).
 */

/** What `migrate` uses of the DO's SqlStorage; named structurally so the steps load outside Workers (node:sqlite tests). */
export interface MigrationSql {
  exec(query: string, ...bindings: number[]): { toArray(): Record<string, unknown>[] };
}

/** SQL, or a function for a step that needs to read the schema before changing it; both run in the same place. */
export type VaultMigrationStep = string | ((sql: MigrationSql) => void);

/**
 * HMAC keys (purpose `mac`): SQLite cannot change a CHECK in place, so `keys` is rebuilt from its
 * current definition (whatever columns earlier steps added) with the purpose CHECK widened, its rows
 * copied back, and its indexes made again. Child rows (key_versions, aliases) keep pointing at it:
 * foreign keys are deferred to the end of the migration's transaction, by which point every parent
 * row is back (SQLite §"Deferred foreign key constraints"; a violation would fail the commit).
 */
function widenKeyPurpose(sql: MigrationSql): void {
  rebuildKeys(sql, "CHECK (purpose IN ('encrypt', 'sign'))", "CHECK (purpose IN ('encrypt', 'sign', 'mac'))", "purpose");
}

/**
 * Rebuilds `keys` from its current definition with one CHECK replaced (`narrow` by `wide`), its rows
 * copied back and its indexes made again; `what` names the CHECK in the error if it is not found.
 */
function rebuildKeys(sql: MigrationSql, narrow: string, wide: string, what: string): void {
  const table = String(sql.exec("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'keys'").toArray()[0]?.sql);
  if (!table.includes(narrow)) throw new Error(`vault migration: keys.${what} CHECK is not the expected one`);
  const widened = table.replace(narrow, wide);
  const indexes = sql
    .exec("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'keys' AND sql IS NOT NULL ORDER BY name")
    .toArray()
    .map((row) => String(row.sql));
  sql.exec("PRAGMA defer_foreign_keys = ON");
  sql.exec("CREATE TABLE keys_before_rebuild AS SELECT * FROM keys");
  sql.exec("DROP TABLE keys");
  sql.exec(widened);
  sql.exec("INSERT INTO keys SELECT * FROM keys_before_rebuild");
  sql.exec("DROP TABLE keys_before_rebuild");
  for (const index of indexes) sql.exec(index);
}

/**
 * Key import (architecture §5): keys record their origin, a key created for import waits in
 * `pending_import` (the state CHECK widened by a rebuild, as above), and import jobs keep their
 * KEM key pair, the private key wrapped in its own AAD domain (wrap.ts) until the job is used or
 * expires; then the secret is erased and the row kept as a tombstone.
 */
function keyImport(sql: MigrationSql): void {
  sql.exec("ALTER TABLE keys ADD COLUMN origin TEXT NOT NULL DEFAULT 'generated' CHECK (origin IN ('generated', 'imported'))");
  rebuildKeys(
    sql,
    "CHECK (state IN ('enabled', 'disabled', 'pending_deletion', 'destroyed'))",
    "CHECK (state IN ('enabled', 'disabled', 'pending_deletion', 'destroyed', 'pending_import'))",
    "state",
  );
  sql.exec(`CREATE TABLE import_jobs (
     id TEXT PRIMARY KEY,
     wrapping_algorithm TEXT NOT NULL CHECK (wrapping_algorithm IN ('ML-KEM-768', 'X-Wing')),
     state TEXT NOT NULL CHECK (state IN ('active', 'used', 'expired')),
     public_key BLOB NOT NULL,
     wrapped_secret BLOB,
     kek_id TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     used_at INTEGER,
     key_id TEXT,
     key_version INTEGER,
     destroyed_at INTEGER,
     CHECK ((state = 'active') = (wrapped_secret IS NOT NULL)),
     CHECK ((state = 'used') = (key_id IS NOT NULL))
   )`);
  sql.exec("CREATE INDEX import_jobs_created_idx ON import_jobs (created_at DESC, id DESC)");
  sql.exec("CREATE INDEX import_jobs_expiry_idx ON import_jobs (expires_at) WHERE state = 'active'");
}

export const VAULT_MIGRATIONS: readonly VaultMigrationStep[] = [
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
  // Automatic rotation (architecture §5, rotation-rules.ts): the period as the caller wrote it (ISO
  // 8601), its next due time (ms), and how many versions behind the primary stay decryptable. The
  // alarm finds due keys, and its next time, through the index.
  `ALTER TABLE keys ADD COLUMN rotation_period TEXT;
   ALTER TABLE keys ADD COLUMN next_rotation_at INTEGER;
   ALTER TABLE keys ADD COLUMN keep_decryption_versions INTEGER CHECK (keep_decryption_versions BETWEEN 1 AND 100);
   CREATE INDEX keys_rotation_due_idx ON keys (state, next_rotation_at) WHERE next_rotation_at IS NOT NULL;`,
  widenKeyPurpose,
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
  keyImport,
];

export function migrate(sql: MigrationSql): void {
  sql.exec("CREATE TABLE IF NOT EXISTS vault_schema (id INTEGER PRIMARY KEY CHECK (id = 1), applied INTEGER NOT NULL)");
  const applied = (sql.exec("SELECT applied FROM vault_schema WHERE id = 1").toArray()[0]?.applied as number | undefined) ?? 0;
  for (let step = applied; step < VAULT_MIGRATIONS.length; step++) {
    const migration = VAULT_MIGRATIONS[step] as VaultMigrationStep;
    if (typeof migration === "string") sql.exec(migration);
    else migration(sql);
    sql.exec("INSERT OR REPLACE INTO vault_schema (id, applied) VALUES (1, ?)", step + 1);
  }
}
