/**
 * The TenantVault's alarm (architecture §8): destroy keys whose deletion window has ended, purge old
 * idempotency records, drain the outbox into D1, then set the alarm again for whatever is due next.
 */
import type { CallContext } from "../../../shared/rpc.ts";
import { drain } from "./outbox.ts";
import { commitKeyChange, type VaultParts } from "./vault-parts.ts";

/** How long a create's Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/** One alarm run for `tenantId`'s vault; returns when the alarm should fire next, or null. */
export async function runAlarm(parts: VaultParts, db: D1Database, tenantId: string): Promise<number | null> {
  const { store, material } = parts;
  const system: CallContext = { tenantId, apiKeyId: "system", requestId: `alarm-${parts.now()}` };
  const now = parts.now();
  for (const key of store.dueForDestruction(now)) {
    commitKeyChange(parts, system, key.id, "keys.destroy", () => {
      store.eraseSecrets(key.id, now);
      store.updateKey(key.id, { state: "destroyed" }, now);
    });
    material.forget(key.id);
  }
  store.purgeIdempotencyRecords(now - IDEMPOTENCY_TTL_MS);

  const next = [await drain(parts.storage.sql, db, tenantId, parts.now), store.nextDeletionDate()].filter((at) => at !== null);
  return next.length > 0 ? Math.min(...next) : null;
}
