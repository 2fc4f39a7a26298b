/**
 * Key states and the deletion window (architecture §5, §8): the one list every Worker and the D1 schema
 * share. A key is `enabled`, `disabled`, `pending_deletion` (a window of `DELETION_WINDOW_DAYS`,
 * cancellable) or `destroyed` (secret material erased, a tombstone kept).
 */

export const KEY_STATES = ["enabled", "disabled", "pending_deletion", "destroyed"] as const;
export type KeyState = (typeof KEY_STATES)[number];

/** Days between scheduling a key's deletion and its destruction: bounds, and the default. */
export const DELETION_WINDOW_DAYS = { min: 7, max: 30, default: 30 } as const;

/**
 * A key version's own state (architecture §5): `enabled`, `disabled` (refuses every crypto
 * operation), `pending_destruction` (disabled, and its secret erased at `destruction_date`) or
 * `destroyed` (secret erased). Only a version other than the primary can leave `enabled`.
 */
export const VERSION_STATES = ["enabled", "disabled", "pending_destruction", "destroyed"] as const;
export type VersionState = (typeof VERSION_STATES)[number];
