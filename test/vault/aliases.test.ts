/**
 * Aliases inside the vault: the `aliases` table comes from its own append-only migration step; an
 * alias change and its audit row are one transaction (no outbox row: aliases are not projected to
 * D1, nor is the audit log); a destroyed key is never a target, though an alias whose key is destroyed
 * later still resolves (and every operation through it answers what the key answers).
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { VAULT_MIGRATIONS } from "../../workers/kms/src/vault/migrations.ts";
import { b, count, createKey, newVault, rejection, snapshot, sql, value, type TestVault } from "./helpers.ts";

const aliasRows = (vault: TestVault) => sql<{ name: string; key_id: string }>(vault, "SELECT name, key_id FROM aliases ORDER BY name");

describe("storage", () => {
  it("applies the aliases table as a migration step of its own", async () => {
    const vault = await newVault();
    await createKey(vault);
    const [schema] = await sql<{ applied: number }>(vault, "SELECT applied FROM vault_schema WHERE id = 1");
    expect(schema?.applied).toBe(VAULT_MIGRATIONS.length);
    expect(VAULT_MIGRATIONS[1]).toMatch(/CREATE TABLE aliases/);
    const columns = await sql<{ name: string }>(vault, "SELECT name FROM pragma_table_info('aliases') ORDER BY cid");
    expect(columns.map((c) => c.name)).toEqual(["name", "key_id", "created_at", "updated_at"]);
  });

  it("writes each change with exactly one audit row and no outbox row", async () => {
    const vault = await newVault();
    const one = await createKey(vault);
    const two = await createKey(vault, "X-Wing");
    const outboxBefore = await count(vault, "outbox");
    const auditBefore = await count(vault, "audit_events");

    value(await vault.stub.createAlias(vault.call, "orders", one.id));
    value(await vault.stub.updateAlias(vault.call, "orders", two.id));
    value(await vault.stub.deleteAlias(vault.call, "orders"));
    expect(await aliasRows(vault)).toEqual([]);
    expect(await count(vault, "audit_events") - auditBefore).toBe(3);
    expect(await count(vault, "outbox")).toBe(outboxBefore);
    const operations = await sql<{ operation: string }>(vault, "SELECT operation FROM audit_events ORDER BY seq DESC LIMIT 3");
    expect(operations.map((o) => o.operation)).toEqual(["aliases.delete", "aliases.update", "aliases.create"]);
  });

  it("changes nothing when its audit row cannot be written", async () => {
    const vault = await newVault();
    const one = await createKey(vault);
    const two = await createKey(vault);
    value(await vault.stub.createAlias(vault.call, "orders", one.id));
    const before = { ...(await snapshot(vault)), aliases: await aliasRows(vault) };
    await sql(vault, "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END");
    expect(await rejection(vault.stub.createAlias(vault.call, "billing", one.id))).toMatch(/audit unavailable/);
    expect(await rejection(vault.stub.updateAlias(vault.call, "orders", two.id))).toMatch(/audit unavailable/);
    expect(await rejection(vault.stub.deleteAlias(vault.call, "orders"))).toMatch(/audit unavailable/);
    expect({ ...(await snapshot(vault)), aliases: await aliasRows(vault) }).toEqual(before);
  });
});

describe("targets", () => {
  it("never points a new or re-pointed alias to a destroyed key; an alias of a key destroyed later answers key_disabled", async () => {
    const vault = await newVault();
    const doomed = await createKey(vault);
    const live = await createKey(vault);
    value(await vault.stub.createAlias(vault.call, "orders", doomed.id));
    value(await vault.stub.createAlias(vault.call, "billing", live.id));
    value(await vault.stub.changeState(vault.call, doomed.id, "schedule_deletion", 7));
    await sql(vault, "UPDATE keys SET deletion_date = ? WHERE id = ?", Date.now() - 1, doomed.id);
    expect(await runDurableObjectAlarm(vault.stub)).toBe(true);
    expect(value(await vault.stub.getKey(vault.call, doomed.id)).state).toBe("destroyed");

    for (const attempt of [vault.stub.createAlias(vault.call, "ghost", doomed.id), vault.stub.updateAlias(vault.call, "billing", doomed.id)]) {
      const result = await attempt;
      expect(result.ok ? null : result.error).toMatchObject({ code: "conflict", detail: expect.stringContaining("destroyed") });
    }
    expect(value(await vault.stub.resolveAlias(vault.call, "orders"))).toEqual({ keyId: doomed.id });
    const used = await vault.stub.encrypt(vault.call, doomed.id, b("x"), b(""));
    expect(used.ok ? null : used.error.code).toBe("key_disabled");
    // It can still be moved to a live key, or deleted.
    expect(value(await vault.stub.updateAlias(vault.call, "orders", live.id))).toMatchObject({ key_id: live.id });
  });

  it("resolves only its own tenant's aliases", async () => {
    const vault = await newVault();
    const key = await createKey(vault);
    value(await vault.stub.createAlias(vault.call, "orders", key.id));
    expect(await vault.stub.resolveAlias(vault.call, "missing")).toEqual({ ok: false, error: { code: "alias_not_found" } });
    const stranger = { ...vault.call, tenantId: crypto.randomUUID() };
    const refused = await vault.stub.resolveAlias(stranger, "orders");
    expect(refused.ok ? null : refused.error.code).toBe("internal_error");
  });
});
