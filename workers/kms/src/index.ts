/**
 * pqkms kms Worker: internal only. `KmsService` is the RPC entrypoint the gateway calls with an
 * already-authenticated context; every method forwards to the caller's own TenantVault DO, chosen
 * by the tenant id from that context, so one tenant's call can never reach another's vault.
 * Key material exists in plaintext only inside the DO.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Result } from "../../shared/errors.ts";
import type {
  AliasView, BatchRequest, BatchResults, ArchiveStatus, AuditEventView, AuditSegmentView, CallContext, CreateKeyInput, ImportJobView, ImportKeyInput, ImportWrappingAlgorithm,
  KeyView, LifecycleActionName, ListAliasesInput, ListKeysInput,
  PublicKeyFormatName, PublicKeyView, RecordedEvent, SignInputWire, UpdateKeyInput, VaultSummary, VersionActionName,
} from "../../shared/rpc.ts";
import {
  PLATFORM_AUDIT_TENANT, type AuditCheckpointView, type AuditKeyView, type AuditVerdictView,
} from "../../shared/rpc.ts";
import type { AuditQuery } from "./vault/audit-log.ts";
import { configReasons } from "./config.ts";
import { placedId } from "../../shared/placement.ts";

export { TenantVault } from "./vault/tenant-vault.ts";
export { TenantSigner } from "./signer/tenant-signer.ts";

type Bytes = Uint8Array;

export class KmsService extends WorkerEntrypoint<KmsEnv> {
  /** The tenant's vault, in the namespace its placement names (data residency, architecture §2). */
  #vault(call: CallContext) {
    return this.env.VAULT.get(placedId(this.env.VAULT, call.placement, call.tenantId));
  }

  vaultSummary(call: CallContext): Promise<Result<VaultSummary>> {
    return this.#vault(call).summary(call);
  }

  createKey(call: CallContext, input: CreateKeyInput, idempotencyKey: string | null, maxKeys: number): Promise<Result<KeyView>> {
    return this.#vault(call).createKey(call, input, idempotencyKey, maxKeys);
  }

  listKeys(call: CallContext, input: ListKeysInput): Promise<Result<{ keys: KeyView[]; next_cursor: string | null }>> {
    return this.#vault(call).listKeys(call, input);
  }

  getKey(call: CallContext, keyId: string): Promise<Result<KeyView>> {
    return this.#vault(call).getKey(call, keyId);
  }

  updateKey(call: CallContext, keyId: string, input: UpdateKeyInput): Promise<Result<KeyView>> {
    return this.#vault(call).updateKey(call, keyId, input);
  }

  changeState(call: CallContext, keyId: string, action: LifecycleActionName, days: number | null): Promise<Result<KeyView>> {
    return this.#vault(call).changeState(call, keyId, action, days);
  }

  rotateKey(call: CallContext, keyId: string): Promise<Result<KeyView>> {
    return this.#vault(call).rotateKey(call, keyId);
  }

  changeVersionState(call: CallContext, keyId: string, version: number, action: VersionActionName, days: number | null): Promise<Result<KeyView>> {
    return this.#vault(call).changeVersionState(call, keyId, version, action, days);
  }

  publicKey(call: CallContext, keyId: string, version: number | null, format: PublicKeyFormatName): Promise<Result<PublicKeyView>> {
    return this.#vault(call).publicKey(call, keyId, version, format);
  }

  createImportJob(call: CallContext, algorithm: ImportWrappingAlgorithm): Promise<Result<ImportJobView>> {
    return this.#vault(call).createImportJob(call, algorithm);
  }

  getImportJob(call: CallContext, id: string): Promise<Result<ImportJobView>> {
    return this.#vault(call).getImportJob(call, id);
  }

  listImportJobs(call: CallContext, input: { limit: number; cursor?: string }): Promise<Result<{ import_jobs: ImportJobView[]; next_cursor: string | null }>> {
    return this.#vault(call).listImportJobs(call, input);
  }

  importKey(call: CallContext, keyId: string, input: ImportKeyInput): Promise<Result<KeyView>> {
    return this.#vault(call).importKey(call, keyId, input);
  }

  createAlias(call: CallContext, name: string, keyId: string): Promise<Result<AliasView>> {
    return this.#vault(call).createAlias(call, name, keyId);
  }

  listAliases(call: CallContext, input: ListAliasesInput): Promise<Result<{ aliases: AliasView[]; next_cursor: string | null }>> {
    return this.#vault(call).listAliases(call, input);
  }

  getAlias(call: CallContext, name: string): Promise<Result<AliasView>> {
    return this.#vault(call).getAlias(call, name);
  }

  updateAlias(call: CallContext, name: string, keyId: string): Promise<Result<AliasView>> {
    return this.#vault(call).updateAlias(call, name, keyId);
  }

  deleteAlias(call: CallContext, name: string): Promise<Result<AliasView>> {
    return this.#vault(call).deleteAlias(call, name);
  }

  /** The key an alias names (`alias:NAME` in a key path); `alias_not_found` when there is none. */
  resolveAlias(call: CallContext, name: string): Promise<Result<{ keyId: string }>> {
    return this.#vault(call).resolveAlias(call, name);
  }

  encrypt(call: CallContext, keyId: string, plaintext: Bytes, aad: Bytes): Promise<Result<{ ciphertext: Bytes; key_version: number }>> {
    return this.#vault(call).encrypt(call, keyId, plaintext, aad);
  }

  decrypt(call: CallContext, keyId: string, envelope: Bytes, aad: Bytes): Promise<Result<{ plaintext: Bytes; key_version: number }>> {
    return this.#vault(call).decrypt(call, keyId, envelope, aad);
  }

  rewrap(call: CallContext, keyId: string, envelope: Bytes, aad: Bytes): Promise<Result<{ ciphertext: Bytes; key_version: number; source_version: number }>> {
    return this.#vault(call).rewrap(call, keyId, envelope, aad);
  }

  /** Key-less decrypt: the key is the one the envelope names; no key of this tenant → `decrypt_failed`. */
  decryptEnvelope(call: CallContext, envelope: Bytes, aad: Bytes): Promise<Result<{ plaintext: Bytes; key_version: number }>> {
    return this.#vault(call).decryptEnvelope(call, envelope, aad);
  }

  /** Key-less rewrap, under the primary version of the key the envelope names. */
  rewrapEnvelope(call: CallContext, envelope: Bytes, aad: Bytes): Promise<Result<{ ciphertext: Bytes; key_version: number; source_version: number }>> {
    return this.#vault(call).rewrapEnvelope(call, envelope, aad);
  }

  dataKey(call: CallContext, keyId: string, options: { plaintext: boolean; aad: Bytes }): Promise<Result<{ ciphertext: Bytes; key_version: number; plaintext: Bytes | null; algorithm: string }>> {
    return this.#vault(call).dataKey(call, keyId, options);
  }

  encapsulate(call: CallContext, keyId: string): Promise<Result<{ ciphertext: Bytes; shared_secret: Bytes; key_version: number }>> {
    return this.#vault(call).encapsulate(call, keyId);
  }

  decapsulate(call: CallContext, keyId: string, ciphertext: Bytes, version: number | null): Promise<Result<{ shared_secret: Bytes; key_version: number }>> {
    return this.#vault(call).decapsulate(call, keyId, ciphertext, version);
  }

  sign(call: CallContext, keyId: string, input: SignInputWire): Promise<Result<{ signature: Bytes; key_version: number }>> {
    return this.#vault(call).sign(call, keyId, input);
  }

  verify(call: CallContext, keyId: string, input: SignInputWire, signature: Bytes, version: number | null): Promise<Result<{ valid: boolean; key_version: number }>> {
    return this.#vault(call).verify(call, keyId, input, signature, version);
  }

  mac(call: CallContext, keyId: string, message: Bytes): Promise<Result<{ mac: Bytes; key_version: number }>> {
    return this.#vault(call).mac(call, keyId, message);
  }

  verifyMac(call: CallContext, keyId: string, message: Bytes, mac: Bytes, version: number | null): Promise<Result<{ valid: boolean; key_version: number }>> {
    return this.#vault(call).verifyMac(call, keyId, message, mac, version);
  }

  /** A batch of one crypto operation on one key; one outcome per item, in order. */
  batch(call: CallContext, keyId: string, request: BatchRequest): Promise<Result<BatchResults>> {
    return this.#vault(call).batch(call, keyId, request);
  }

  auditEvents(call: CallContext, query: AuditQuery): Promise<Result<{ events: AuditEventView[]; next_cursor: string | null }>> {
    return this.#vault(call).auditEvents(call, query);
  }

  /** The log's hash chain from its latest signed checkpoint (or, `window`, every event the vault holds). */
  verifyAudit(call: CallContext, options: { from: "checkpoint" | "window" }): Promise<Result<AuditVerdictView>> {
    return this.#vault(call).verifyAudit(call, options);
  }

  auditCheckpoints(call: CallContext, input: { limit: number; cursor?: string }): Promise<Result<{ checkpoints: AuditCheckpointView[]; next_cursor: string | null }>> {
    return this.#vault(call).auditCheckpoints(call, input);
  }

  createAuditCheckpoint(call: CallContext): Promise<Result<{ checkpoint: AuditCheckpointView; created: boolean }>> {
    return this.#vault(call).createAuditCheckpoint(call);
  }

  /** The platform's audit keys, every version (public parts only); held by the platform's vault. */
  auditKeys(): Promise<Result<{ keys: AuditKeyView[] }>> {
    return this.env.VAULT.get(this.env.VAULT.idFromName(PLATFORM_AUDIT_TENANT)).auditKeys();
  }

  /** Only the platform's call context reaches the platform's vault, and only that vault rotates. */
  rotateAuditKey(call: CallContext): Promise<Result<AuditKeyView>> {
    return this.#vault(call).rotateAuditKey(call);
  }

  /** The log's archived segments (R2), newest first, and how far the archive is behind. */
  auditSegments(call: CallContext, input: { limit: number; cursor?: string }): Promise<Result<{ segments: AuditSegmentView[]; next_cursor: string | null; status: ArchiveStatus }>> {
    return this.#vault(call).auditSegments(call, input);
  }

  /** One archived segment's gzip bytes; another log's segment id answers `audit_segment_not_found`. */
  auditSegment(call: CallContext, id: string): Promise<Result<{ segment: AuditSegmentView; body: ReadableStream<Uint8Array> }>> {
    return this.#vault(call).auditSegment(call, id);
  }

  archiveStatus(call: CallContext): Promise<Result<ArchiveStatus>> {
    return this.#vault(call).archiveStatus(call);
  }

  /** Records an event decided outside the vault (a gateway or policy denial, a fail-open allowance). */
  recordEvent(call: CallContext, event: RecordedEvent): Promise<Result<{ seq: number }>> {
    return this.#vault(call).recordEvent(call, event);
  }

  async health(): Promise<{ reasons: string[] }> {
    return { reasons: configReasons(this.env) };
  }
}

export default {
  fetch: () => new Response(null, { status: 404 }),
} satisfies ExportedHandler<KmsEnv>;
