/**
 * What the TenantVault's command modules share: its storage, key rows, key material and clock, and
 * the writes every command ends with. The Durable Object builds one `VaultParts` at its edge (with
 * `Date.now` as the clock); the modules never read the clock or the runtime themselves.
 */
import type { AuditOperation } from "../../../shared/operations.ts";
import type { CallContext, KeyView } from "../../../shared/rpc.ts";
import type { CryptoProvider } from "../crypto/provider.ts";
import type { AuditEntry, AuditLog } from "./audit-log.ts";
import type { Checkpoints } from "./checkpoints.ts";
import type { KeyMaterial } from "./key-material.ts";
import type { KeyStore } from "./key-store.ts";
import { enqueue, keyProjection } from "./outbox.ts";
import type { KeyRow } from "./rows.ts";
import { keyView } from "./views.ts";

/** How soon after a change the alarm drains the outbox into D1. */
export const OUTBOX_DELAY_MS = 1_000;

export interface VaultParts {
  readonly storage: Pick<DurableObjectStorage, "sql" | "transactionSync">;
  readonly store: KeyStore;
  readonly material: KeyMaterial;
  readonly provider: CryptoProvider;
  /** The clock (ms since the epoch). */
  readonly now: () => number;
  /** The audit log a call writes to. */
  readonly audit: (call: CallContext) => AuditLog;
  /** Runs mutations one at a time, in arrival order. */
  readonly serialised: <T>(run: () => Promise<T>) => Promise<T>;
  /** Makes the alarm fire no later than `at`. */
  readonly kickAlarm: (at: number) => Promise<void>;
  /** This log's signed checkpoints (checkpoints.ts): the archive asks one for each sealed segment. */
  readonly checkpoints: () => Checkpoints;
}

export function viewOf(parts: VaultParts, key: KeyRow): KeyView {
  return keyView(key, parts.store.versions(key.id));
}

/** Writes a key change, its audit row and its outbox row in one transaction. */
export function commitKeyChange(
  parts: VaultParts,
  call: CallContext,
  keyId: string,
  operation: AuditOperation,
  apply: () => void,
  version: number | null = null,
  detail: string | null = null,
): KeyView {
  return parts.storage.transactionSync(() => {
    apply();
    const key = parts.store.key(keyId) as KeyRow;
    const now = parts.now();
    parts.audit(call).append({ time: now, apiKeyId: call.apiKeyId, requestId: call.requestId, operation, keyId, keyVersion: version, outcome: "allowed", detail });
    enqueue(parts.storage.sql, keyProjection(key, parts.store.versions(keyId)), now);
    return viewOf(parts, key);
  });
}

/** Records one audit event as its own transaction (a refusal: nothing else changed, nothing to project). */
export function record(parts: VaultParts, call: CallContext, entry: Omit<AuditEntry, "time" | "apiKeyId" | "requestId">): void {
  parts.storage.transactionSync(() => {
    parts.audit(call).append({ ...entry, time: parts.now(), apiKeyId: call.apiKeyId, requestId: call.requestId });
  });
}

/** Sets the alarm to drain what a key change queued in the outbox. Only key changes call it. */
export function drainSoon(parts: VaultParts): Promise<void> {
  return parts.kickAlarm(parts.now() + OUTBOX_DELAY_MS);
}
