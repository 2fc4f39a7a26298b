/**
 * What a rotation and a schedule change do to a key's rotation columns (architecture §5, automatic
 * rotation). Pure: the key row and the time are passed in; the vault's commands write the result.
 *
 * - A manual rotation restarts the schedule: next due `now + period`.
 * - A scheduled rotation moves it to the first due time after now on the same schedule, so periods
 *   missed while the alarm did not run give one rotation, not one per period (rotation-period.ts).
 * - After either, `keep_decryption_versions` N raises min_decryption_version to `primary − N` (the
 *   primary and the N versions before it still decrypt); it never lowers a minimum set by hand.
 */
import { addPeriod, nextDueAfter, parseRotationPeriod, type RotationPeriod } from "../../../shared/rotation-period.ts";
import type { KeyRow } from "./rows.ts";

export type RotationTrigger = "manual" | "schedule";

/** The stored period, checked on read like the algorithm: a row this vault did not write fails the call (500). */
export function storedPeriod(key: Pick<KeyRow, "id" | "rotation_period">): RotationPeriod | null {
  if (key.rotation_period === null) return null;
  const parsed = parseRotationPeriod(key.rotation_period);
  if (!parsed.ok) throw new Error(`key ${key.id} has a rotation_period this vault would not accept`);
  return parsed.value;
}

/** Whether the alarm should rotate this key at `now`: enabled, on a schedule, and due. */
export function isDue(key: Pick<KeyRow, "state" | "next_rotation_at">, now: number): boolean {
  return key.state === "enabled" && key.next_rotation_at !== null && key.next_rotation_at <= now;
}

/** The rotation columns after `key` gains version `primary` (its new primary) at `now`. */
export function afterRotation(
  key: KeyRow,
  primary: number,
  trigger: RotationTrigger,
  now: number,
): Pick<KeyRow, "next_rotation_at" | "min_decryption_version"> {
  const period = storedPeriod(key);
  let next: number | null = null;
  if (period !== null) {
    next = trigger === "schedule" && key.next_rotation_at !== null ? nextDueAfter(key.next_rotation_at, period, now) : addPeriod(now, period);
  }
  const keep = key.keep_decryption_versions;
  const min = keep === null ? key.min_decryption_version : Math.max(key.min_decryption_version, primary - keep);
  return { next_rotation_at: next, min_decryption_version: min };
}

/** The schedule a create or PATCH sets: `rotation_period` from `now`, or none. */
export function scheduleFrom(period: string | null, now: number): Pick<KeyRow, "rotation_period" | "next_rotation_at"> {
  if (period === null) return { rotation_period: null, next_rotation_at: null };
  const parsed = parseRotationPeriod(period);
  if (!parsed.ok) throw new Error("scheduleFrom: the period was not checked first");
  return { rotation_period: period, next_rotation_at: addPeriod(now, parsed.value) };
}
