/**
 * Per-version control of the TenantVault (architecture §5): disable, enable, schedule or cancel the
 * destruction of one version, while the key's other versions keep working. Each change writes the
 * version row, bumps the key's revision (so the projection carries it to D1), and writes its audit
 * row (naming the version) and outbox row in one transaction. The alarm erases the secret of a
 * version whose destruction window has ended (alarm.ts).
 */
import { fail, ok, type Result } from "../../../shared/errors.ts";
import type { Operation } from "../../../shared/operations.ts";
import type { CallContext, KeyView, VersionActionName } from "../../../shared/rpc.ts";
import { deletionDate } from "./lifecycle.ts";
import { commitKeyChange, OUTBOX_DELAY_MS, type VaultParts } from "./vault-parts.ts";
import { versionTransition } from "./version-lifecycle.ts";

/** The catalog name each version action is audited under. */
export const VERSION_OPERATIONS: Record<VersionActionName, Operation> = {
  disable: "keys.versions.disable",
  enable: "keys.versions.enable",
  schedule_destruction: "keys.versions.schedule-destruction",
  cancel_destruction: "keys.versions.cancel-destruction",
};

export async function changeVersionState(
  parts: VaultParts,
  call: CallContext,
  keyId: string,
  version: number,
  action: VersionActionName,
  days: number | null,
): Promise<Result<KeyView>> {
  const { store } = parts;
  return parts.serialised(async () => {
    const key = store.key(keyId);
    if (!key) return fail("key_not_found");
    const row = store.version(keyId, version);
    if (!row) return fail("key_not_found", `path.version: the key has no version ${version}`);
    const step = versionTransition(key, row, action);
    if (!step.ok) return step;
    const now = parts.now();
    // The same window as the key's own deletion: 7–30 days, default the key's deletion_window_days.
    const date = step.value === "pending_destruction" ? deletionDate(now, days ?? key.deletion_window_days) : null;
    const view = commitKeyChange(parts, call, keyId, VERSION_OPERATIONS[action], () => {
      store.setVersionState(keyId, version, step.value, date);
      store.updateKey(keyId, {}, now);
    }, version);
    await parts.kickAlarm(date === null ? now + OUTBOX_DELAY_MS : Math.min(date, now + OUTBOX_DELAY_MS));
    return ok(view);
  });
}
