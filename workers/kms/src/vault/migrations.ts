/**
 * The TenantVault's own SQLite schema, applied in order inside the DO's constructor (under
 * blockConcurrencyWhile, so no request sees a half-migrated vault). Each step runs once; the
 * applied count is kept in `vault_meta`. The storage contract is documented in schema/README.md.
 */

export const VAULT_MIGRATIONS: readonly string[] = [
  `CREATE TABLE vault_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE keys (
     id TEXT PRIMARY KEY,
     algorithm TEXT NOT NULL,
     purpose TEXT NOT NULL,
     name TEXT,
     description TEXT,
     labels TEXT NOT NULL DEFAULT '{}',
     state TEXT NOT NULL CHECK (state IN ('enabled', 'disabled', 'pending_deletion', 'destroyed')),
     primary_version INTEGER NOT NULL,
     min_decryption_version INTEGER NOT NULL DEFAULT 1,
     deletion_window_days INTEGER NOT NULL DEFAULT 30,
     deletion_date INTEGER,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     revision INTEGER NOT NULL DEFAULT 1
   );`,
];

export function migrate(sql: SqlStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS vault_schema (id INTEGER PRIMARY KEY CHECK (id = 1), applied INTEGER NOT NULL)");
  const applied = sql.exec<{ applied: number }>("SELECT applied FROM vault_schema WHERE id = 1").toArray()[0]?.applied ?? 0;
  for (let step = applied; step < VAULT_MIGRATIONS.length; step++) {
    sql.exec(VAULT_MIGRATIONS[step] as string);
    sql.exec("INSERT OR REPLACE INTO vault_schema (id, applied) VALUES (1, ?)", step + 1);
  }
}
