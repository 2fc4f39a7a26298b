/**
 * Key lifecycle (architecture §5, §8) as pure transitions over the states of shared/key-states.ts. Only an
 * enabled key performs cryptographic operations.
 */
import { DELETION_WINDOW_DAYS, type KeyState } from "../../../shared/key-states.ts";
import { fail, ok, type Result } from "../../../shared/errors.ts";

export type { KeyState };
export type LifecycleAction = "disable" | "enable" | "schedule_deletion" | "cancel_deletion" | "rotate";

export const MIN_DELETION_DAYS = DELETION_WINDOW_DAYS.min;
export const MAX_DELETION_DAYS = DELETION_WINDOW_DAYS.max;
export const DAY_MS = 24 * 3600 * 1000;

const AWAITS_IMPORT = "The key has no material yet: import it first (POST /v1/keys/{key}/import)";

/**
 * The state `action` leads to from `state`, or why it is refused (`conflict` / `key_disabled`).
 * `hasMaterial` false: the key has no version yet (created for import), so a cancelled deletion
 * returns it to `pending_import`, not `disabled`, which `enable` would turn into a key with nothing to use.
 */
export function transition(state: KeyState, action: LifecycleAction, hasMaterial = true): Result<KeyState> {
  if (state === "destroyed") return fail("conflict", "The key is destroyed");
  if (state === "pending_import" && (action === "disable" || action === "enable")) return fail("conflict", AWAITS_IMPORT);
  if (state === "pending_deletion" && action === "cancel_deletion" && !hasMaterial) return ok("pending_import");
  switch (action) {
    case "disable":
      if (state === "pending_deletion") return fail("conflict", "The key is pending deletion; cancel the deletion first");
      return ok("disabled");
    case "enable":
      if (state === "pending_deletion") return fail("conflict", "The key is pending deletion; cancel the deletion first");
      return ok("enabled");
    case "schedule_deletion":
      if (state === "pending_deletion") return fail("conflict", "The key is already pending deletion");
      return ok("pending_deletion");
    case "cancel_deletion":
      // As in AWS KMS, a key whose deletion is cancelled comes back disabled, not enabled.
      if (state !== "pending_deletion") return fail("conflict", "The key is not pending deletion");
      return ok("disabled");
    case "rotate":
      if (state !== "enabled") return fail("key_disabled", "Only an enabled key can be rotated");
      return ok("enabled");
  }
}

/** Why a key in `state` cannot perform a cryptographic operation, or null when it can. */
export function unusableReason(state: KeyState): string | null {
  switch (state) {
    case "enabled":
      return null;
    case "disabled":
      return "The key is disabled";
    case "pending_deletion":
      return "The key is pending deletion";
    case "destroyed":
      return "The key is destroyed";
    case "pending_import":
      return AWAITS_IMPORT;
  }
}

export function deletionDate(now: number, days: number): number {
  if (!Number.isInteger(days) || days < MIN_DELETION_DAYS || days > MAX_DELETION_DAYS) {
    throw new RangeError(`deletion window must be ${MIN_DELETION_DAYS}–${MAX_DELETION_DAYS} days`);
  }
  return now + days * DAY_MS;
}
