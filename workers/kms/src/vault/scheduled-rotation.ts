/**
 * The alarm's rotation pass (architecture §5, §8): rotates the enabled keys whose `next_rotation_at`
 * has come, each through the same command as a manual rotation (so audited as `keys.rotate`, in the
 * transaction that adds the version), under the schedule's own call: api_key_id `schedule`.
 * Disabled and pending-deletion keys are skipped and keep their due time: a key enabled again after
 * it passed rotates at the next alarm. At most `ROTATIONS_PER_RUN` keys per run keep one alarm
 * bounded; the rest are still due, so the alarm is set for now and the next run takes them.
 */
import type { Placement } from "../../../shared/placement.ts";
import type { CallContext } from "../../../shared/rpc.ts";
import type { KeyCommands } from "./key-commands.ts";
import type { VaultParts } from "./vault-parts.ts";

/** Rotations one alarm run makes at most (each generates a version's key material). */
export const ROTATIONS_PER_RUN = 20;
/** After a rotation that failed (no keyring, storage error), when the alarm tries again. */
export const ROTATION_RETRY_MS = 5 * 60_000;

/** The call a scheduled rotation is made and audited under. */
export function scheduleCall(tenantId: string, placement: Placement, now: number): CallContext {
  return { tenantId, placement, apiKeyId: "schedule", requestId: `alarm-${now}` };
}

/** Rotates what is due; returns when the alarm is next needed for a rotation, or null. */
export async function rotateDueKeys(parts: VaultParts, keys: KeyCommands, tenantId: string, placement: Placement): Promise<number | null> {
  const now = parts.now();
  const call = scheduleCall(tenantId, placement, now);
  let failed = false;
  for (const keyId of parts.store.dueForRotation(now, ROTATIONS_PER_RUN)) {
    try {
      const rotated = await keys.rotateScheduled(call, keyId);
      if (!rotated.ok) {
        failed = true;
        console.error(JSON.stringify({ event: "scheduled_rotation_failed", tenantId, keyId, code: rotated.error.code }));
      }
    } catch (error) {
      // One key's failure must not stop the rest of the alarm (destruction, projection, archive).
      failed = true;
      console.error(JSON.stringify({ event: "scheduled_rotation_failed", tenantId, keyId, error: error instanceof Error ? error.message : "unknown" }));
    }
  }
  // A failed key is still due: try again after a pause rather than in a loop.
  return failed ? now + ROTATION_RETRY_MS : parts.store.nextRotationAt();
}
