/**
 * HMAC keys inside the vault: the migration step that widens `keys.purpose` to 'mac' keeps every
 * existing row, child row and index; an HMAC key version stores its secret wrapped like an AES key's
 * (no public key); tags are made and checked through the vault, and every other operation refused.
 */
import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { migrate, VAULT_MIGRATIONS } from "../../workers/kms/src/vault/migrations.ts";
import { b, createKey, newVault, sql, value } from "./helpers.ts";
import { placedId } from "../../workers/shared/placement.ts";

describe("migration to purpose 'mac'", () => {
  it("rebuilds keys with the wider CHECK, keeping rows, children and indexes", async () => {
    // A scratch SQLite-backed DO (the signer class) holds a vault schema at the step before this one.
    const stub = env.SIGNER.get(placedId(env.SIGNER, "default", crypto.randomUUID()));
    const outcome = await runInDurableObject(stub, (_instance, state) => {
      const db = state.storage.sql;
      // The step that widens `keys.purpose` is the one given as a function.
      const last = VAULT_MIGRATIONS.findIndex((step) => typeof step === "function");
      db.exec("CREATE TABLE vault_schema (id INTEGER PRIMARY KEY CHECK (id = 1), applied INTEGER NOT NULL)");
      for (const step of VAULT_MIGRATIONS.slice(0, last)) db.exec(step as string);
      db.exec("INSERT INTO vault_schema (id, applied) VALUES (1, ?)", last);
      db.exec(`INSERT INTO keys (id, algorithm, purpose, state, primary_version, deletion_window_days, created_at, updated_at)
               VALUES ('k1', 'ML-DSA-65', 'sign', 'enabled', 1, 30, 1, 1)`);
      db.exec("INSERT INTO key_versions (key_id, version, state, wrapped_secret, kek_id, created_at) VALUES ('k1', 1, 'enabled', x'00', 'kek-1', 1)");
      db.exec("INSERT INTO aliases (name, key_id, created_at, updated_at) VALUES ('orders', 'k1', 1, 1)");
      const refusedBefore = (() => {
        try {
          db.exec("UPDATE keys SET purpose = 'mac' WHERE id = 'k1'");
          return false;
        } catch {
          return true;
        }
      })();

      migrate(db);

      db.exec(`INSERT INTO keys (id, algorithm, purpose, state, primary_version, deletion_window_days, created_at, updated_at)
               VALUES ('k2', 'HMAC-SHA-256', 'mac', 'enabled', 1, 30, 2, 2)`);
      let bogusRefused = false;
      try {
        db.exec("UPDATE keys SET purpose = 'bogus' WHERE id = 'k2'");
      } catch {
        bogusRefused = true;
      }
      return {
        refusedBefore,
        bogusRefused,
        applied: db.exec<{ applied: number }>("SELECT applied FROM vault_schema").one().applied,
        keys: db.exec("SELECT id, purpose FROM keys ORDER BY id").toArray(),
        children: db.exec<{ n: number }>("SELECT (SELECT count(*) FROM key_versions) + (SELECT count(*) FROM aliases) AS n").one().n,
        orphans: db.exec("PRAGMA foreign_key_check").toArray().length,
        indexes: db.exec("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'keys' AND sql IS NOT NULL ORDER BY name").toArray(),
        leftovers: db.exec("SELECT name FROM sqlite_master WHERE name = 'keys_before_rebuild'").toArray().length,
      };
    });
    expect(outcome.refusedBefore).toBe(true);
    expect(outcome.bogusRefused).toBe(true);
    expect(outcome.applied).toBe(VAULT_MIGRATIONS.length);
    expect(outcome.keys).toEqual([{ id: "k1", purpose: "sign" }, { id: "k2", purpose: "mac" }]);
    expect(outcome.children).toBe(2);
    expect(outcome.orphans).toBe(0);
    // Every index of the table survives the rebuild, the rotation schedule's partial index included.
    expect(outcome.indexes).toEqual([{ name: "keys_created_idx" }, { name: "keys_rotation_due_idx" }]);
    expect(outcome.leftovers).toBe(0);
  });
});

describe("HMAC key versions", () => {
  it("store the secret wrapped, one hash block long, with no public key", async () => {
    const vault = await newVault();
    const key = await createKey(vault, "HMAC-SHA-512");
    expect(key.purpose).toBe("mac");
    const [row] = await sql<{ public_key: ArrayBuffer | null; wrapped_secret: ArrayBuffer }>(vault, "SELECT public_key, wrapped_secret FROM key_versions WHERE key_id = ?", key.id);
    expect(row?.public_key).toBeNull();
    const aes = await createKey(vault, "AES-256-GCM");
    const [aesRow] = await sql<{ wrapped_secret: ArrayBuffer }>(vault, "SELECT wrapped_secret FROM key_versions WHERE key_id = ?", aes.id);
    // Same layout as an AES key's: only the secret's length differs (128 bytes here, 32 there).
    expect((row?.wrapped_secret.byteLength ?? 0) - (aesRow?.wrapped_secret.byteLength ?? 0)).toBe(128 - 32);
  });

  it("make tags any version checks, and refuse other operations", async () => {
    const vault = await newVault();
    const key = await createKey(vault, "HMAC-SHA-256");
    const message = b("hello");
    const tagged = value(await vault.stub.mac(vault.call, key.id, message));
    expect(tagged.mac.length).toBe(32);
    expect(value(await vault.stub.verifyMac(vault.call, key.id, message, tagged.mac, null))).toEqual({ valid: true, key_version: 1 });
    expect(value(await vault.stub.verifyMac(vault.call, key.id, b("other"), tagged.mac, 1)).valid).toBe(false);
    const refused = await vault.stub.encrypt(vault.call, key.id, message, new Uint8Array(0));
    expect(refused.ok ? null : refused.error.code).toBe("unsupported_operation");
    const signKey = await createKey(vault, "ML-DSA-44");
    const notMac = await vault.stub.mac(vault.call, signKey.id, message);
    expect(notMac.ok ? null : notMac.error.code).toBe("unsupported_operation");
    const audited = await sql<{ operation: string; outcome: string }>(vault, "SELECT operation, outcome FROM audit_events WHERE operation LIKE 'crypto.%' ORDER BY seq");
    expect(audited).toEqual([
      { operation: "crypto.mac", outcome: "allowed" },
      { operation: "crypto.verify-mac", outcome: "allowed" },
      { operation: "crypto.verify-mac", outcome: "allowed" },
      { operation: "crypto.encrypt", outcome: "failed" },
      { operation: "crypto.mac", outcome: "failed" },
    ]);
  });
});
