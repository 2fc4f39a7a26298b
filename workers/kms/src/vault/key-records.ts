/**
 * The rows and names a key command writes, built from its input. Pure: ids, material and the time
 * are passed in, so the shapes are tested without a vault.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { DELETION_WINDOW_DAYS } from "../../../shared/key-states.ts";
import type { Operation } from "../../../shared/operations.ts";
import type { CreateKeyInput, LifecycleActionName } from "../../../shared/rpc.ts";
import { ALGORITHMS, type AlgorithmName } from "../crypto/algorithms.ts";
import { scheduleFrom } from "./rotation-rules.ts";
import type { KeyRow, NewVersion } from "./rows.ts";

/** The catalog name each lifecycle action is audited under (the same name whatever the outcome). */
export const LIFECYCLE_OPERATIONS: Record<LifecycleActionName, Operation> = {
  disable: "keys.disable",
  enable: "keys.enable",
  schedule_deletion: "keys.schedule-deletion",
  cancel_deletion: "keys.cancel-deletion",
};

/** What an Idempotency-Key is checked against: the hash of the create request's body. */
export function requestHash(input: CreateKeyInput): string {
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify(input))));
}

/**
 * The row of a new key: enabled, version 1 primary and the lowest decryptable; a `rotation_period`
 * (already checked) is first due one period after creation. A key created for import waits in
 * `pending_import` with no version until its first import makes version 1 (import-jobs.ts).
 */
export function newKeyRow(id: string, algorithm: AlgorithmName, input: CreateKeyInput, now: number): KeyRow {
  return {
    id, algorithm, purpose: ALGORITHMS[algorithm].purpose, name: input.name ?? null, description: input.description ?? null,
    labels: JSON.stringify(input.labels ?? {}), state: input.origin === "imported" ? "pending_import" : "enabled",
    origin: input.origin ?? "generated", primary_version: 1, min_decryption_version: 1,
    deletion_window_days: input.deletion_window_days ?? DELETION_WINDOW_DAYS.default, deletion_date: null,
    ...scheduleFrom(input.rotation_period ?? null, now), keep_decryption_versions: input.keep_decryption_versions ?? null,
    created_at: now, updated_at: now, revision: 1,
  };
}

/** The row of a new key version, from its freshly generated (already wrapped) material. */
export function newVersionRow(
  keyId: string,
  version: number,
  material: { publicKey: Uint8Array | null; wrapped: Uint8Array; kekId: string },
  now: number,
): NewVersion {
  return {
    key_id: keyId, version, state: "enabled", public_key: material.publicKey, wrapped_secret: material.wrapped,
    kek_id: material.kekId, created_at: now, destroyed_at: null,
  };
}
