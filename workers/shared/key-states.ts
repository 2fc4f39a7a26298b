/**
 * Key states and the deletion window (architecture §5, §8): the one list every Worker and the D1 schema
 * share. A key is `enabled`, `disabled`, `pending_deletion` (a window of `DELETION_WINDOW_DAYS`,
 * cancellable), `destroyed` (secret material erased, a tombstone kept), or `pending_import` (created
 * with `origin: "imported"` and waiting for its first imported material, architecture §5).
 */

export const KEY_STATES = ["enabled", "disabled", "pending_deletion", "destroyed", "pending_import"] as const;

/** Where a key's material came from: generated in the vault, or imported (sealed to an import job). */
export const KEY_ORIGINS = ["generated", "imported"] as const;
export type KeyOrigin = (typeof KEY_ORIGINS)[number];
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
