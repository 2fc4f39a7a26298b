/**
 * Helpers for tests that reach inside the TenantVault DO (the `vault` project: the kms Worker is
 * the main Worker, so `runInDurableObject` and friends work on its DOs). Vault methods are called
 * over DO RPC exactly as the kms entrypoint calls them; storage is read and altered with SQL.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { Result } from "../../workers/shared/errors.ts";
import type { CallContext, KeyView } from "../../workers/shared/rpc.ts";
import type { TenantVault } from "../../workers/kms/src/vault/tenant-vault.ts";
import { placedId } from "../../workers/shared/placement.ts";

export type VaultStub = DurableObjectStub<TenantVault>;

export interface TestVault {
  tenantId: string;
  stub: VaultStub;
  call: CallContext;
}

/**
 * A vault for a fresh tenant. The tenant also gets its D1 row, as the gateway's admin route would
 * create it: the projection's rows reference it.
 */
export async function newVault(): Promise<TestVault> {
  const tenantId = crypto.randomUUID();
  const now = Date.now();
  await env.DB.prepare("INSERT INTO tenants (id, name, plan, created_at, updated_at) VALUES (?, 'vault-test', 'enterprise', ?, ?)")
    .bind(tenantId, now, now)
    .run();
  return { tenantId, stub: env.VAULT.get(placedId(env.VAULT, "default", tenantId)), call: { tenantId, placement: "default" as const, apiKeyId: "api-key-1", requestId: "req-1" } };
}

/** The value of a successful Result; fails the test with the error otherwise. */
export function value<T>(result: Result<T>): T {
  if (!result.ok) expect.fail(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value;
}

export async function createKey(vault: TestVault, algorithm = "ML-KEM-768"): Promise<KeyView> {
  return value(await vault.stub.createKey(vault.call, { algorithm }, null, 100));
}

/** Runs SQL inside the vault and returns the rows. */
export function sql<T extends Record<string, SqlStorageValue>>(vault: TestVault, query: string, ...bindings: SqlStorageValue[]): Promise<T[]> {
  return runInDurableObject(vault.stub, (_instance, state) => state.storage.sql.exec<T>(query, ...bindings).toArray());
}

export async function count(vault: TestVault, table: string, where = "1 = 1", ...bindings: SqlStorageValue[]): Promise<number> {
  const rows = await sql<{ n: number }>(vault, `SELECT count(*) AS n FROM ${table} WHERE ${where}`, ...bindings);
  return rows[0]?.n ?? 0;
}

/** Every row of the vault's key, version, outbox and idempotency tables: a snapshot to compare. */
export async function snapshot(vault: TestVault): Promise<Record<string, unknown[]>> {
  return runInDurableObject(vault.stub, (_instance, state) => {
    const rows = (q: string) => state.storage.sql.exec(q).toArray().map((row) => JSON.stringify(row, bytesAsHex));
    return {
      keys: rows("SELECT * FROM keys ORDER BY id"),
      key_versions: rows("SELECT * FROM key_versions ORDER BY key_id, version"),
      audit_events: rows("SELECT * FROM audit_events ORDER BY seq"),
      outbox: rows("SELECT seq, kind, payload FROM outbox ORDER BY seq"),
      idempotency: rows("SELECT * FROM idempotency ORDER BY idempotency_key"),
    };
  });
}

function bytesAsHex(_key: string, v: unknown): unknown {
  return v instanceof ArrayBuffer ? [...new Uint8Array(v)].map((b) => b.toString(16).padStart(2, "0")).join("") : v;
}

/**
 * When the audit archive wants the alarm while nothing is sealed yet: the oldest event's time plus
 * AUDIT_SEGMENT_SECONDS (an hour in workers/kms/wrangler.toml; archive-plan.ts).
 */
export async function archiveDue(vault: TestVault): Promise<number> {
  const [oldest] = await sql<{ time: number }>(vault, "SELECT min(time) AS time FROM audit_events");
  return (oldest?.time ?? NaN) + 3_600_000;
}

/** Runs the vault's alarm now, whenever it was scheduled for. */
export async function runAlarmNow(vault: TestVault): Promise<void> {
  await runInDurableObject(vault.stub, async (instance: TenantVault) => {
    await instance.alarm();
  });
}

export const b = (text: string) => new TextEncoder().encode(text);

/**
 * The message a call rejects with. (`expect(stubCall).rejects` leaves the RPC promise's own
 * rejection unobserved, which vitest reports as unhandled; awaiting it here does not.)
 */
export async function rejection(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return expect.fail("expected the call to reject");
}
