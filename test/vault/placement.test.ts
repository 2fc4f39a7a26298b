/**
 * A vault is bound to its tenant and placement on first use (shared/placement.ts, architecture §2):
 * a call naming another placement is refused, and a vault bound before placement was recorded counts
 * as default-placed, where every vault then was.
 */
import { describe, expect, it } from "vitest";
import { count, createKey, newVault, sql, value } from "./helpers.ts";

describe("vault placement", () => {
  it("records the placement at binding and refuses a call naming another", async () => {
    const vault = await newVault();
    await createKey(vault);
    expect(await sql(vault, "SELECT value FROM vault_meta WHERE name = 'placement'")).toEqual([{ value: "default" }]);
    const elsewhere = { ...vault.call, placement: "eu" as const };
    expect(await vault.stub.summary(elsewhere)).toEqual({ ok: false, error: { code: "internal_error", detail: "vault placement mismatch" } });
    expect(value(await vault.stub.summary(vault.call)).keyCount).toBe(1);
  });

  it("a vault bound before placement was recorded (tenant id only) is default-placed", async () => {
    const vault = await newVault();
    // Bound as before: only its tenant id, written before this instance answered any call.
    await sql(vault, "INSERT INTO vault_meta (name, value) VALUES ('tenant_id', ?)", vault.tenantId);
    expect(await count(vault, "vault_meta", "name = 'placement'")).toBe(0);
    expect((await vault.stub.summary({ ...vault.call, placement: "eu" })).ok).toBe(false);
    expect(value(await vault.stub.summary(vault.call)).keyCount).toBe(0);
  });
});
