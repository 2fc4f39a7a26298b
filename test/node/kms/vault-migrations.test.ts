/**
 * The vault migration that widens `key_versions` (architecture §5, schema/README.md): a vault written
 * before it keeps every version row as it was, gains `destruction_date` and `last_used_at` (null),
 * and its rebuilt table still refuses a row that breaks its invariants. Run in node:sqlite, the
 * same engine as a SQLite Durable Object.
 */
import { DatabaseSync } from "node:sqlite";
import { expect, it } from "vitest";
import { migrate, VAULT_MIGRATIONS } from "../../../workers/kms/src/vault/migrations.ts";

const STEP = VAULT_MIGRATIONS.findIndex((step) => typeof step === "string" && step.includes("CREATE TABLE key_versions_next"));

/** node:sqlite in the shape `migrate` uses, run at once like SqlStorage.exec: a script whole, anything else prepared. */
const adapter = (db: DatabaseSync) => ({
  exec: (query: string, ...bindings: number[]) => {
    if (!/^\s*SELECT/i.test(query) && bindings.length === 0) {
      db.exec(query);
      return { toArray: () => [] };
    }
    const rows = db.prepare(query).all(...bindings);
    return { toArray: () => rows };
  },
});

it("keeps the versions of a vault migrated from before per-version states, and widens only what it should", () => {
  const db = new DatabaseSync(":memory:");
  // A vault as it stood before the step: the earlier steps applied and counted.
  for (const step of VAULT_MIGRATIONS.slice(0, STEP)) {
    if (typeof step === "string") db.exec(step);
    else step(adapter(db));
  }
  db.exec(`CREATE TABLE vault_schema (id INTEGER PRIMARY KEY CHECK (id = 1), applied INTEGER NOT NULL); INSERT INTO vault_schema VALUES (1, ${STEP})`);
  db.exec(`INSERT INTO keys (id, algorithm, purpose, state, primary_version, deletion_window_days, created_at, updated_at)
           VALUES ('k', 'ML-KEM-768', 'encrypt', 'enabled', 2, 30, 1, 1)`);
  db.exec(`INSERT INTO key_versions (key_id, version, state, public_key, wrapped_secret, kek_id, created_at, destroyed_at)
           VALUES ('k', 1, 'destroyed', x'01', NULL, 'kek-1', 1, 5), ('k', 2, 'enabled', x'02', x'03', 'kek-1', 2, NULL)`);
  // A Durable Object runs the whole migration in one implicit transaction (its constructor's
  // blockConcurrencyWhile), which the steps that rebuild `keys` rely on for deferred foreign keys.
  db.exec("BEGIN");
  migrate(adapter(db));
  db.exec("COMMIT");
  expect(db.prepare("SELECT applied FROM vault_schema").get()).toEqual({ applied: VAULT_MIGRATIONS.length });
  // Key import's step: keys made before it are generated; a key may wait in pending_import.
  expect({ ...db.prepare("SELECT origin, state FROM keys").get() }).toEqual({ origin: "generated", state: "enabled" });
  db.exec("UPDATE keys SET state = 'pending_import'");
  expect(() => db.exec("UPDATE keys SET origin = 'found'")).toThrow(/CHECK/);

  const rows = db.prepare("SELECT version, state, hex(wrapped_secret) AS secret, kek_id, destroyed_at, destruction_date, last_used_at FROM key_versions ORDER BY version").all();
  expect(rows.map((r) => ({ ...r }))).toEqual([
    { version: 1, state: "destroyed", secret: "", kek_id: "kek-1", destroyed_at: 5, destruction_date: null, last_used_at: null },
    { version: 2, state: "enabled", secret: "03", kek_id: "kek-1", destroyed_at: null, destruction_date: null, last_used_at: null },
  ]);
  db.exec("UPDATE key_versions SET state = 'pending_destruction', destruction_date = 9 WHERE version = 2");
  db.exec("UPDATE key_versions SET state = 'disabled', destruction_date = NULL WHERE version = 2");
  expect(() => db.exec("UPDATE key_versions SET state = 'pending_destruction' WHERE version = 2")).toThrow(/CHECK/);
  expect(() => db.exec("UPDATE key_versions SET wrapped_secret = NULL WHERE version = 2")).toThrow(/CHECK/);
  expect(() => db.exec("UPDATE key_versions SET state = 'retired' WHERE version = 2")).toThrow(/CHECK/);
});
