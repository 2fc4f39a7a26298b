/**
 * One operation vocabulary across versions: events an earlier version stored under other names
 * (`key.disable`, `key.schedule_deletion`, `policy.fail_open.enable`, …) are never rewritten, since
 * the hash chain covers them. A vault holding them still verifies, new events chain onto them, and
 * a filter on the catalog's name finds the old spelling and the new alike.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AuditLog } from "../../workers/kms/src/vault/audit-log.ts";
import { LEGACY_OPERATION_NAMES, type AuditOperation } from "../../workers/shared/operations.ts";
import { createKey, newVault, value, type TestVault } from "./helpers.ts";

/**
 * Appends events as the previous version wrote them: same chain, the old operation names. Then the
 * instance is evicted, as a deploy would replace it: the vault keeps its chain head in memory, and
 * the new version's instance reads it from storage.
 */
async function appendLegacy(vault: TestVault, keyId: string, names: string[]): Promise<void> {
  await runInDurableObject(vault.stub, (_instance, state) => {
    state.storage.transactionSync(() => {
      const log = new AuditLog(state.storage.sql, vault.tenantId);
      for (const name of names) {
        log.append({
          time: Date.now(), apiKeyId: "api-key-0", requestId: "req-0", operation: name as AuditOperation, keyId, keyVersion: null, outcome: "allowed",
        });
      }
    });
  });
  await evictDurableObject(vault.stub);
}

describe("events stored under earlier names", () => {
  it("still verify, and chain with new events", async () => {
    const vault = await newVault();
    const key = await createKey(vault, "ML-DSA-44");
    await appendLegacy(vault, key.id, Object.keys(LEGACY_OPERATION_NAMES));
    value(await vault.stub.changeState(vault.call, key.id, "disable", null));
    value(await vault.stub.changeState(vault.call, key.id, "enable", null));
    const verdict = value(await vault.stub.verifyAudit(vault.call, { from: "checkpoint" }));
    expect(verdict).toMatchObject({ valid: true, checked: 3 + Object.keys(LEGACY_OPERATION_NAMES).length });
  });

  it("are found by a filter on the catalog's name, beside the new spelling", async () => {
    const vault = await newVault();
    const key = await createKey(vault, "ML-DSA-44");
    await appendLegacy(vault, key.id, ["key.disable", "key.schedule_deletion"]);
    value(await vault.stub.changeState(vault.call, key.id, "disable", null));
    const disables = value(await vault.stub.auditEvents(vault.call, { operation: "keys.disable", limit: 10 })).events;
    expect(disables.map((e) => e.operation)).toEqual(["keys.disable", "key.disable"]);
    const scheduled = value(await vault.stub.auditEvents(vault.call, { operation: "keys.schedule-deletion", limit: 10 })).events;
    expect(scheduled.map((e) => e.operation)).toEqual(["key.schedule_deletion"]);
    const creates = value(await vault.stub.auditEvents(vault.call, { operation: "keys.create", limit: 10 })).events;
    expect(creates.map((e) => e.operation)).toEqual(["keys.create"]);
  });
});
