/**
 * Key lifecycle (DESIGN §5, §8) as pure transitions. A key is `enabled`, `disabled`,
 * `pending_deletion` (a window of 7–30 days, cancellable) or `destroyed` (secret material erased,
 * a tombstone kept). Only an enabled key performs cryptographic operations.
 */
import type { ErrorCode } from "../../../shared/errors.ts";

export type KeyState = "enabled" | "disabled" | "pending_deletion" | "destroyed";
export type LifecycleAction = "disable" | "enable" | "schedule_deletion" | "cancel_deletion" | "rotate";

export const MIN_DELETION_DAYS = 7;
export const MAX_DELETION_DAYS = 30;
export const DAY_MS = 24 * 3600 * 1000;

export type Transition = { ok: true; next: KeyState } | { ok: false; code: ErrorCode; detail: string };

const refuse = (code: ErrorCode, detail: string): Transition => ({ ok: false, code, detail });

export function transition(state: KeyState, action: LifecycleAction): Transition {
  if (state === "destroyed") return refuse("conflict", "The key is destroyed");
  switch (action) {
    case "disable":
      if (state === "pending_deletion") return refuse("conflict", "The key is pending deletion; cancel the deletion first");
      return { ok: true, next: "disabled" };
    case "enable":
      if (state === "pending_deletion") return refuse("conflict", "The key is pending deletion; cancel the deletion first");
      return { ok: true, next: "enabled" };
    case "schedule_deletion":
      if (state === "pending_deletion") return refuse("conflict", "The key is already pending deletion");
      return { ok: true, next: "pending_deletion" };
    case "cancel_deletion":
      // As in AWS KMS, a key whose deletion is cancelled comes back disabled, not enabled.
      if (state !== "pending_deletion") return refuse("conflict", "The key is not pending deletion");
      return { ok: true, next: "disabled" };
    case "rotate":
      if (state !== "enabled") return refuse("key_disabled", "Only an enabled key can be rotated");
      return { ok: true, next: "enabled" };
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
  }
}

export function deletionDate(now: number, days: number): number {
  if (!Number.isInteger(days) || days < MIN_DELETION_DAYS || days > MAX_DELETION_DAYS) {
    throw new RangeError(`deletion window must be ${MIN_DELETION_DAYS}–${MAX_DELETION_DAYS} days`);
  }
  return now + days * DAY_MS;
}
