/**
 * Per-version control (architecture §5) as pure transitions: a version other than the primary can be
 * disabled, enabled, scheduled for destruction (its secret erased at the end of a 7–30 day window)
 * or have that cancelled (back to disabled, as for keys). The primary version always stays enabled:
 * retiring it means rotating first, so encrypt and sign always have a version to use.
 */
import { fail, ok, type Result } from "../../../shared/errors.ts";
import type { VersionState } from "../../../shared/key-states.ts";
import type { VersionActionName } from "../../../shared/rpc.ts";
import type { KeyRow, VersionRow } from "./rows.ts";

export type SettableVersionState = Exclude<VersionState, "destroyed">;

/** The state `action` leads `version` of `key` to, or why it is refused (409 `conflict`). */
export function versionTransition(key: KeyRow, version: VersionRow, action: VersionActionName): Result<SettableVersionState> {
  const n = version.version;
  if (key.state === "destroyed") return fail("conflict", "The key is destroyed");
  if (version.state === "destroyed") return fail("conflict", `Key version ${n} is destroyed`);
  const primary = n === key.primary_version;
  switch (action) {
    case "disable":
      if (primary) return fail("conflict", `Key version ${n} is the primary version; rotate the key first`);
      if (version.state === "pending_destruction") return fail("conflict", `Key version ${n} is pending destruction; cancel the destruction first`);
      return ok("disabled");
    case "enable":
      if (version.state === "pending_destruction") return fail("conflict", `Key version ${n} is pending destruction; cancel the destruction first`);
      return ok("enabled");
    case "schedule_destruction":
      if (primary) return fail("conflict", `Key version ${n} is the primary version; rotate the key first`);
      if (version.state === "pending_destruction") return fail("conflict", `Key version ${n} is already pending destruction`);
      return ok("pending_destruction");
    case "cancel_destruction":
      if (version.state !== "pending_destruction") return fail("conflict", `Key version ${n} is not pending destruction`);
      return ok("disabled");
  }
}

/** Why a version in `state` cannot perform a cryptographic operation, or null when it can. */
export function versionUnusableReason(version: number, state: VersionState): string | null {
  switch (state) {
    case "enabled":
      return null;
    case "disabled":
      return `Key version ${version} is disabled`;
    case "pending_destruction":
      return `Key version ${version} is pending destruction`;
    case "destroyed":
      return `Key version ${version} is destroyed`;
  }
}
