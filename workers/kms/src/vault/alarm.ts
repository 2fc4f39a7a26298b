/**
 * The TenantVault's alarm (architecture §8): destroy keys whose deletion window has ended and key
 * versions whose destruction window has (architecture §5), rotate keys whose rotation is due
 * (scheduled-rotation.ts, architecture §5), destroy expired import jobs' private keys (import-jobs.ts), purge old idempotency records, drain the outbox into D1,
 * archive the audit log and trim its hot window
 * (architecture §9, audit-archive.ts), then set the alarm again for whatever is due next.
 */
import type { Placement } from "../../../shared/placement.ts";
import type { CallContext } from "../../../shared/rpc.ts";
import type { ArchiveSchedule } from "./archive-plan.ts";
import type { AuditArchive } from "./audit-archive.ts";
import { archiveStatus, publishStatus } from "./audit-exports.ts";
import { expireImportJobs } from "./import-jobs.ts";
import { drain } from "./outbox.ts";
import { commitKeyChange, type VaultParts } from "./vault-parts.ts";

/** How long a create's Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/** The vault's audit archive and the in-memory note of when appends must set the alarm for it. */
export interface ArchiveWork {
  archive: AuditArchive;
  schedule: ArchiveSchedule;
}

/**
 * One alarm run for `tenantId`'s vault; returns when the alarm should fire next, or null. `rotate`
 * makes the due rotations and says when the next is due; it runs before the drain, so the rotated
 * keys reach D1 in this run.
 */
export async function runAlarm(
  parts: VaultParts,
  db: D1Database,
  tenantId: string,
  placement: Placement,
  archiving: ArchiveWork | null,
  rotate: () => Promise<number | null>,
): Promise<number | null> {
  const { store, material } = parts;
  const system: CallContext = { tenantId, placement, apiKeyId: "system", requestId: `alarm-${parts.now()}` };
  const now = parts.now();
  for (const key of store.dueForDestruction(now)) {
    commitKeyChange(parts, system, key.id, "keys.destroy", () => {
      store.eraseSecrets(key.id, now);
      // A destroyed key never rotates again: its schedule goes with its material.
      store.updateKey(key.id, { state: "destroyed", rotation_period: null, next_rotation_at: null }, now);
    });
    material.forget(key.id);
  }
  for (const { key_id: keyId, version } of store.versionsDueForDestruction(now)) {
    commitKeyChange(parts, system, keyId, "keys.versions.destroy", () => {
      store.eraseVersionSecret(keyId, version, now);
      store.updateKey(keyId, {}, now);
    }, version);
    material.forgetVersion(keyId, version);
  }
  const jobs = expireImportJobs(parts, system, now);
  const rotation = await rotate();
  store.purgeIdempotencyRecords(now - IDEMPOTENCY_TTL_MS);

  const archived = archiving === null ? null : await archiveRun(parts, db, tenantId, archiving);
  const next = [
    await drain(parts.storage.sql, db, tenantId, parts.now), store.nextDeletionDate(), store.nextVersionDestructionDate(), jobs, rotation, archived,
  ].filter((at) => at !== null);
  return next.length > 0 ? Math.min(...next) : null;
}

/**
 * Archives what is due; after a run that archived or failed, copies the log's lag to D1 (one row
 * write per such run). Returns when the archive needs the alarm again.
 */
async function archiveRun(parts: VaultParts, db: D1Database, tenantId: string, { archive, schedule }: ArchiveWork): Promise<number | null> {
  const run = await archive.run();
  // The caller sets the alarm to at most `run.next`, so appends need not until it has fired.
  schedule.ran(run.unsealed, run.next !== null);
  if (run.archived > 0 || run.error !== null) await publishStatus(db, tenantId, archiveStatus(parts.storage.sql, parts.now()), parts.now());
  return run.next;
}
