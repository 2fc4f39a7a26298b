/**
 * Shared by the audit-key and checkpoint tests: the platform's vault, an independent check of a
 * checkpoint (noble's ML-DSA-65, not the vault's provider), and `Checkpoints` run inside a vault
 * with a clock the test sets.
 */
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { checkCheckpoint, type CheckpointCheck, type SignedCheckpoint } from "../../workers/shared/audit/archive-format.ts";
import { PLATFORM_AUDIT_TENANT, type CallContext } from "../../workers/shared/rpc.ts";
import { AuditLog } from "../../workers/kms/src/vault/audit-log.ts";
import { Checkpoints, platformSigner, type CheckpointSigner } from "../../workers/kms/src/vault/checkpoints.ts";
import { value, type TestVault, type VaultStub } from "./helpers.ts";

export const platform: VaultStub = env.VAULT.get(env.VAULT.idFromName(PLATFORM_AUDIT_TENANT));
export const platformCall: CallContext = { tenantId: PLATFORM_AUDIT_TENANT, placement: "default", apiKeyId: "platform-admin", requestId: "req-audit-keys" };

/** `checkCheckpoint` against the published keys, with noble's ML-DSA-65 verify. */
export async function nobleCheck(signed: SignedCheckpoint, tenant?: string): Promise<CheckpointCheck> {
  const { keys } = value(await platform.auditKeys());
  return checkCheckpoint(signed, keys, (pk, msg, sig, context) => ml_dsa65.verify(sig, msg, pk, { context }), tenant);
}

/** Runs `use` with a `Checkpoints` over the vault's own storage, clock `now`, bucket `archive`. */
export function withCheckpoints<T>(
  vault: TestVault,
  now: () => number,
  use: (checkpoints: Checkpoints) => Promise<T>,
  archive: R2Bucket = env.AUDIT_ARCHIVE,
  signer: CheckpointSigner = platformSigner(env),
): Promise<T> {
  return runInDurableObject(vault.stub, (_instance, state) => {
    const parts = { storage: state.storage, now, audit: (call: CallContext) => new AuditLog(state.storage.sql, call.tenantId) };
    return use(new Checkpoints(parts, archive, signer));
  });
}

/** A bucket whose every write fails, as R2 does when it is unreachable. */
export const unreachableBucket = {
  put: () => Promise.reject(new Error("R2 unreachable")),
} as unknown as R2Bucket;
