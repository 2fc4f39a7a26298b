/**
 * The D1 migrations (schema/migrations) applied to a database that already holds data, as `npm
 * run deploy` and `npm start` apply them to an existing one: each migration in one transaction with
 * foreign keys enforced, as D1 runs it (D1 ignores PRAGMA foreign_keys). The tests' own D1 starts
 * empty, where a migration that drops a referenced table still passes; here a tenant, a key and its
 * version exist before every migration after the first, and must come through all of them intact.
 */
import { DatabaseSync } from "node:sqlite";
import path from "node:path";
import { readD1Migrations } from "@cloudflare/vitest-plugin";
import { describe, expect, it } from "vitest";

const DIR = path.resolve(import.meta.dirname, "../../../schema/migrations");

function apply(db: DatabaseSync, queries: string[]): void {
  db.exec("BEGIN");
  try {
    for (const query of queries) db.exec(query);
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

describe("D1 migrations over existing rows", () => {
  it("each applies in one transaction with foreign keys on, and keeps the tenant, key and version", async () => {
    const migrations = await readD1Migrations(DIR);
    expect(migrations.map((m) => m.name)[0]).toBe("0000_init.sql");
    const db = new DatabaseSync(":memory:");
    db.exec("PRAGMA foreign_keys = ON");
    apply(db, migrations[0]!.queries);
    db.exec(`INSERT INTO tenants (id, name, plan, created_at, updated_at) VALUES ('t1', 'acme', 'pro', 1, 1)`);
    db.exec(
      `INSERT INTO keys (tenant_id, id, name, algorithm, purpose, state, primary_version, min_decryption_version, created_at, updated_at, projected_seq)
       VALUES ('t1', 'k1', 'orders', 'ML-KEM-768', 'encrypt', 'enabled', 1, 1, 1, 1, 1)`,
    );
    db.exec(`INSERT INTO key_versions (tenant_id, key_id, version, state, created_at, projected_seq) VALUES ('t1', 'k1', 1, 'enabled', 1, 1)`);

    for (const migration of migrations.slice(1)) {
      expect(() => apply(db, migration.queries), migration.name).not.toThrow();
    }

    expect(db.prepare("SELECT id, name, plan, placement FROM tenants").all()).toEqual([{ id: "t1", name: "acme", plan: "pro", placement: "default" }]);
    expect(db.prepare("SELECT id, name, state, origin FROM keys").all()).toEqual([{ id: "k1", name: "orders", state: "enabled", origin: "generated" }]);
    expect(db.prepare("SELECT key_id, version, state FROM key_versions").all()).toEqual([{ key_id: "k1", version: 1, state: "enabled" }]);
    expect(db.prepare("PRAGMA foreign_key_check").all()).toEqual([]);
    // The widened and added CHECKs hold after the migrations.
    expect(() => db.exec(`UPDATE tenants SET placement = 'mars'`)).toThrow(/CHECK/);
    expect(() => db.exec(`UPDATE keys SET origin = 'found'`)).toThrow(/CHECK/);
    db.exec(`UPDATE keys SET state = 'pending_import'`);
    db.close();
  });
});
