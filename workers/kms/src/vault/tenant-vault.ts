/**
 * TenantVault Durable Object: one per tenant (`placedId(VAULT, placement, tenantId)`, shared/placement.ts), SQLite-backed; the source of
 * truth for the tenant's keys (architecture §8). Reached only through the kms Worker's RPC entrypoint.
 * This class is the RPC surface only: it admits each call, then hands it to the module that does
 * the work (key-commands.ts, version-commands.ts, crypto-frame.ts, aliases.ts, alarm.ts,
 * scheduled-rotation.ts). It is the one place that touches the runtime: storage, the alarm, and the
 * clock (`Date.now`, given to the modules).
 *
 * Invariants kept here and in those modules:
 * - Secrets are stored only wrapped (wrap.ts); plaintext seeds and decoded keys live in memory only.
 * - Every key mutation writes its rows, its audit row and its outbox row in one `transactionSync`
 *   (an alias change writes only its audit row: aliases are not projected to D1, only the vault
 *   resolves them). Crypto operations and recorded events write their audit row only: the outbox
 *   carries key metadata, nothing else, so they neither queue for D1 nor touch the alarm.
 * - Every crypto operation reads the key's state from storage, and records its audit row in a
 *   transaction that re-checks that state, before any result is returned.
 * - Mutations are serialised (one at a time) so version numbers and idempotency records are exact.
 * - The vault remembers its tenant and placement and refuses calls for any other (vault-binding.ts).
 * - A transaction that throws is rolled back whole, and the audit chain's head kept in memory is
 *   dropped with it (audit-log.ts), so the next event chains onto what storage holds.
 * - Appends never read or set the alarm per event: the archive's schedule (archive-plan.ts) sets it
 *   once after a restart and once per full segment; the alarm archives to R2 (audit-archive.ts).
 */
import { DurableObject } from "cloudflare:workers";
import { fail, ok, type Failure, type Result } from "../../../shared/errors.ts";
import type { SignedCheckpoint } from "../../../shared/audit/archive-format.ts";
import {
  PLATFORM_AUDIT_TENANT, type AuditCheckpointView, type AuditKeyView, type AuditVerdictView,
} from "../../../shared/rpc.ts";
import type {
  AliasView, BatchRequest, ArchiveStatus, AuditEventView, AuditSegmentView, CallContext, CreateKeyInput, ImportJobView, ImportKeyInput, ImportWrappingAlgorithm,
  KeyView, LifecycleActionName, ListAliasesInput, ListKeysInput,
  PublicKeyFormatName, PublicKeyView, RecordedEvent, SignInputWire, UpdateKeyInput, VaultSummary, VersionActionName,
} from "../../../shared/rpc.ts";
import { NobleProvider } from "../crypto/noble-provider.ts";
import { selectProvider } from "../crypto/select-provider.ts";
import { SlowSigning } from "../signer/slow-signing.ts";
import { runAlarm } from "./alarm.ts";
import { archiveConfig } from "./archive-plan.ts";
import { AliasBook } from "./aliases.ts";
import { AuditLog, type AuditQuery } from "./audit-log.ts";
import type { CheckpointFields } from "./audit-keys.ts";
import { CryptoCommands } from "./crypto-frame.ts";
import { createImportJob, getImportJob, importKey, listImportJobs } from "./import-jobs.ts";
import { KeyCommands } from "./key-commands.ts";
import { KeyMaterial } from "./key-material.ts";
import { KeyStore } from "./key-store.ts";
import { migrate } from "./migrations.ts";
import { SerialQueue } from "./serial-queue.ts";
import { rotateDueKeys } from "./scheduled-rotation.ts";
import { VaultArchive } from "./vault-archive.ts";
import { changeVersionState } from "./version-commands.ts";
import { VaultAudit } from "./vault-audit.ts";
import { VaultBinding } from "./vault-binding.ts";
import type { VaultParts } from "./vault-parts.ts";
import { auditEventView } from "./views.ts";
import { placedId } from "../../../shared/placement.ts";

const KEY_CACHE_CAPACITY = 256;

export class TenantVault extends DurableObject<KmsEnv> {
  readonly #parts: VaultParts;
  readonly #keys: KeyCommands;
  readonly #crypto: CryptoCommands;
  readonly #aliases: AliasBook;
  readonly #vaultAudit: VaultAudit;
  /** Whether this is the platform's vault (`idFromName("platform")`): the only one holding the audit key. */
  readonly #isPlatform: boolean;
  /** Set when CRYPTO_PROVIDER names no provider: every call answers it (503 `misconfigured`). */
  readonly #misconfigured: Failure | null;
  /** Mutations, one at a time in arrival order (version numbers and idempotency records stay exact). */
  readonly #mutations = new SerialQueue();
  /** Alarm kicks in arrival order (#kickAlarm). */
  readonly #kicks = new SerialQueue();
  /** The tenant and placement this vault is bound to (vault-binding.ts). */
  readonly #binding: VaultBinding;
  #auditLog: AuditLog | undefined;
  readonly #archive: VaultArchive;

  constructor(ctx: DurableObjectState, env: KmsEnv, now: () => number = Date.now) {
    super(ctx, env);
    // An unknown CRYPTO_PROVIDER refuses every call (#admitted); the pure-TypeScript provider only
    // fills the slot then and is never reached.
    const selected = selectProvider(env);
    const archive = archiveConfig(env);
    this.#misconfigured = !selected.ok ? selected : !archive.ok ? archive : null;
    const provider = selected.ok ? selected.value : new NobleProvider();
    this.#binding = new VaultBinding(ctx.storage.sql);
    const store = new KeyStore(ctx.storage.sql);
    const storage: VaultParts["storage"] = {
      sql: ctx.storage.sql,
      transactionSync: (run) => {
        try {
          return ctx.storage.transactionSync(run);
        } catch (error) {
          this.#auditLog?.forget();
          throw error;
        }
      },
    };
    this.#parts = {
      storage,
      store,
      provider,
      material: new KeyMaterial(provider, env, KEY_CACHE_CAPACITY),
      now,
      audit: (call) => this.#audit(call),
      serialised: (run) => this.#serialised(run),
      kickAlarm: (at) => this.#kickAlarm(at),
      checkpoints: () => this.#vaultAudit.checkpoints,
    };
    // Each archived segment gets its checkpoint, signed by the platform's audit key (checkpoints.ts).
    this.#archive = new VaultArchive(storage, env.AUDIT_ARCHIVE, archive.ok ? archive.value : null, now, this.#parts.kickAlarm, {
      forSegment: (tenant, line) => this.#vaultAudit.checkpoints.forSegment(tenant, line),
    });
    this.#keys = new KeyCommands(this.#parts);
    this.#crypto = new CryptoCommands(this.#parts, new SlowSigning((call) => env.SIGNER.get(placedId(env.SIGNER, call.placement, call.tenantId)), now));
    this.#aliases = new AliasBook(storage, store, this.#parts.audit, now);
    this.#isPlatform = ctx.id.equals(env.VAULT.idFromName(PLATFORM_AUDIT_TENANT));
    this.#vaultAudit = new VaultAudit(this.#parts, env, this.#isPlatform);
    void ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql));
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** The one audit log of this vault's tenant (admitted calls only name that tenant). */
  #audit(call: CallContext): AuditLog {
    if (this.#auditLog?.tenantId !== call.tenantId) {
      this.#auditLog = new AuditLog(this.ctx.storage.sql, call.tenantId, (event) => this.#archive.appended(call.tenantId, event));
    }
    return this.#auditLog;
  }

  /** Every RPC method runs through here: the call is admitted for this vault's tenant, or refused. */
  async #admitted<T>(call: CallContext, run: () => Promise<Result<T>> | Result<T>): Promise<Result<T>> {
    return this.#misconfigured ?? this.#binding.admit(call) ?? run();
  }

  #serialised<T>(run: () => Promise<T>): Promise<T> {
    return this.#mutations.run(run);
  }

  /**
   * Makes the alarm fire no later than `at`. Kicks run one after another: two that both read "no
   * alarm" before either set one would otherwise leave whichever set last, possibly the later time
   * (an archive's "in an hour" over an outbox's "in a second").
   */
  #kickAlarm(at: number): Promise<void> {
    return this.#kicks.run(async () => {
      const current = await this.ctx.storage.getAlarm();
      if (current === null || current > at) await this.ctx.storage.setAlarm(at);
    });
  }

  // ---- keys -----------------------------------------------------------------------------------

  async summary(call: CallContext): Promise<Result<VaultSummary>> {
    return this.#admitted(call, () => ok({ tenantId: call.tenantId, keyCount: this.#parts.store.countLiveKeys() }));
  }

  /** Creates a key; `maxKeys` is the tenant's plan limit, made exact here (key-commands.ts). */
  async createKey(call: CallContext, input: CreateKeyInput, idempotencyKey: string | null, maxKeys: number): Promise<Result<KeyView>> {
    return this.#admitted(call, () => this.#keys.create(call, input, idempotencyKey, maxKeys));
  }

  async listKeys(call: CallContext, input: ListKeysInput): Promise<Result<{ keys: KeyView[]; next_cursor: string | null }>> {
    return this.#admitted(call, () => this.#keys.list(input));
  }

  async getKey(call: CallContext, keyId: string): Promise<Result<KeyView>> {
    return this.#admitted(call, () => this.#keys.get(keyId));
  }

  async updateKey(call: CallContext, keyId: string, input: UpdateKeyInput): Promise<Result<KeyView>> {
    return this.#admitted(call, () => this.#keys.update(call, keyId, input));
  }

  async changeState(call: CallContext, keyId: string, action: LifecycleActionName, days: number | null): Promise<Result<KeyView>> {
    return this.#admitted(call, () => this.#keys.changeState(call, keyId, action, days));
  }

  async rotateKey(call: CallContext, keyId: string): Promise<Result<KeyView>> {
    return this.#admitted(call, () => this.#keys.rotate(call, keyId));
  }

  /** Disables, enables, or schedules or cancels the destruction of one version (version-commands.ts). */
  async changeVersionState(call: CallContext, keyId: string, version: number, action: VersionActionName, days: number | null): Promise<Result<KeyView>> {
    return this.#admitted(call, () => changeVersionState(this.#parts, call, keyId, version, action, days));
  }

  async publicKey(call: CallContext, keyId: string, version: number | null, format: PublicKeyFormatName): Promise<Result<PublicKeyView>> {
    return this.#admitted(call, () => this.#keys.publicKey(keyId, version, format));
  }

  // ---- key import (import-jobs.ts) ------------------------------------------------------------

  async createImportJob(call: CallContext, algorithm: ImportWrappingAlgorithm): Promise<Result<ImportJobView>> {
    return this.#admitted(call, () => createImportJob(this.#parts, call, algorithm));
  }

  async getImportJob(call: CallContext, id: string): Promise<Result<ImportJobView>> {
    return this.#admitted(call, () => getImportJob(this.#parts, id));
  }

  async listImportJobs(call: CallContext, input: { limit: number; cursor?: string }): Promise<Result<{ import_jobs: ImportJobView[]; next_cursor: string | null }>> {
    return this.#admitted(call, () => listImportJobs(this.#parts, input));
  }

  /** Makes the key's next version from material sealed to an import job (serialised with every key mutation). */
  async importKey(call: CallContext, keyId: string, input: ImportKeyInput): Promise<Result<KeyView>> {
    return this.#admitted(call, () => importKey(this.#parts, call, keyId, input));
  }

  // ---- aliases --------------------------------------------------------------------------------

  /** An alias change: admitted and serialised with every other mutation. It queues nothing for D1. */
  async #aliasChange(call: CallContext, change: () => Result<AliasView>): Promise<Result<AliasView>> {
    return this.#admitted(call, () => this.#serialised(async () => change()));
  }

  async createAlias(call: CallContext, name: string, keyId: string): Promise<Result<AliasView>> {
    return this.#aliasChange(call, () => this.#aliases.create(call, name, keyId));
  }

  async updateAlias(call: CallContext, name: string, keyId: string): Promise<Result<AliasView>> {
    return this.#aliasChange(call, () => this.#aliases.repoint(call, name, keyId));
  }

  async deleteAlias(call: CallContext, name: string): Promise<Result<AliasView>> {
    return this.#aliasChange(call, () => this.#aliases.delete(call, name));
  }

  async listAliases(call: CallContext, input: ListAliasesInput): Promise<Result<{ aliases: AliasView[]; next_cursor: string | null }>> {
    return this.#admitted(call, () => this.#aliases.list(input));
  }

  async getAlias(call: CallContext, name: string): Promise<Result<AliasView>> {
    return this.#admitted(call, () => this.#aliases.get(name));
  }

  /** The key an alias names, for `alias:NAME` in a key path. */
  async resolveAlias(call: CallContext, name: string): Promise<Result<{ keyId: string }>> {
    return this.#admitted(call, () => this.#aliases.resolve(name));
  }

  // ---- cryptographic operations (crypto-frame.ts) ---------------------------------------------

  async encrypt(call: CallContext, keyId: string, plaintext: Uint8Array, aad: Uint8Array) {
    return this.#admitted(call, () => this.#crypto.encrypt(call, keyId, plaintext, aad));
  }

  async decrypt(call: CallContext, keyId: string, envelope: Uint8Array, aad: Uint8Array) {
    return this.#admitted(call, () => this.#crypto.decrypt(call, keyId, envelope, aad));
  }

  async rewrap(call: CallContext, keyId: string, envelope: Uint8Array, aad: Uint8Array) {
    return this.#admitted(call, () => this.#crypto.rewrap(call, keyId, envelope, aad));
  }

  async decryptEnvelope(call: CallContext, envelope: Uint8Array, aad: Uint8Array) {
    return this.#admitted(call, () => this.#crypto.decryptEnvelope(call, envelope, aad));
  }

  async rewrapEnvelope(call: CallContext, envelope: Uint8Array, aad: Uint8Array) {
    return this.#admitted(call, () => this.#crypto.rewrapEnvelope(call, envelope, aad));
  }

  async dataKey(call: CallContext, keyId: string, options: { plaintext: boolean; aad: Uint8Array }) {
    return this.#admitted(call, () => this.#crypto.dataKey(call, keyId, options));
  }

  async encapsulate(call: CallContext, keyId: string) {
    return this.#admitted(call, () => this.#crypto.encapsulate(call, keyId));
  }

  async decapsulate(call: CallContext, keyId: string, ciphertext: Uint8Array, version: number | null) {
    return this.#admitted(call, () => this.#crypto.decapsulate(call, keyId, ciphertext, version));
  }

  async sign(call: CallContext, keyId: string, input: SignInputWire) {
    return this.#admitted(call, () => this.#crypto.sign(call, keyId, input));
  }

  async verify(call: CallContext, keyId: string, input: SignInputWire, signature: Uint8Array, version: number | null) {
    return this.#admitted(call, () => this.#crypto.verify(call, keyId, input, signature, version));
  }

  async mac(call: CallContext, keyId: string, message: Uint8Array) {
    return this.#admitted(call, () => this.#crypto.mac(call, keyId, message));
  }

  async verifyMac(call: CallContext, keyId: string, message: Uint8Array, tag: Uint8Array, version: number | null) {
    return this.#admitted(call, () => this.#crypto.verifyMac(call, keyId, message, tag, version));
  }

  /** A batch of one operation on one key: one call, its items' audit rows in one transaction. */
  async batch(call: CallContext, keyId: string, request: BatchRequest) {
    return this.#admitted(call, async () => ok(await this.#crypto.runBatch(call, keyId, request)));
  }

  // ---- audit ----------------------------------------------------------------------------------

  async auditEvents(call: CallContext, query: AuditQuery): Promise<Result<{ events: AuditEventView[]; next_cursor: string | null }>> {
    return this.#admitted(call, () => {
      const rows = this.#parts.audit(call).query({ ...query, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return ok({ events: page.map(auditEventView), next_cursor: rows.length > query.limit && last ? String(last.seq) : null });
    });
  }

  async recordEvent(call: CallContext, event: RecordedEvent): Promise<Result<{ seq: number }>> {
    return this.#admitted(call, () => {
      const appended = this.#parts.storage.transactionSync(() =>
        this.#parts.audit(call).append({
          time: this.#parts.now(), apiKeyId: call.apiKeyId, requestId: call.requestId, operation: event.operation, keyId: event.keyId,
          keyVersion: null, outcome: event.outcome, rule: event.rule, severity: event.severity, detail: event.detail,
        }),
      );
      return ok({ seq: appended.seq });
    });
  }

  async verifyAudit(call: CallContext, options: { from: "checkpoint" | "window" }): Promise<Result<AuditVerdictView>> {
    return this.#admitted(call, () => this.#vaultAudit.verify(call, options.from));
  }

  async auditCheckpoints(call: CallContext, input: { limit: number; cursor?: string }): Promise<Result<{ checkpoints: AuditCheckpointView[]; next_cursor: string | null }>> {
    return this.#admitted(call, () => this.#vaultAudit.listCheckpoints(call.tenantId, input));
  }

  async createAuditCheckpoint(call: CallContext): Promise<Result<{ checkpoint: AuditCheckpointView; created: boolean }>> {
    return this.#admitted(call, () => this.#vaultAudit.createCheckpoint(call));
  }

  // ---- the platform's audit key (platform vault only; vault-audit.ts) -------------------------

  /** Runs only in the platform's vault, admitted for the platform; every other vault refuses. */
  async #platformOnly<T>(call: CallContext, run: () => Promise<Result<T>>): Promise<Result<T>> {
    if (!this.#isPlatform) return fail("internal_error", "only the platform vault holds the audit key");
    return this.#admitted(call, run);
  }

  /** Signs another log's checkpoint (checkpoints.ts). Reached only by the kms Worker's own code, through a stub. */
  async signCheckpoint(fields: CheckpointFields): Promise<Result<SignedCheckpoint>> {
    return this.#platformOnly(this.#vaultAudit.system(), () => this.#vaultAudit.signCheckpoint(fields));
  }

  /** Every version of the audit key, public parts only; the first is made on first need. */
  async auditKeys(): Promise<Result<{ keys: AuditKeyView[] }>> {
    return this.#platformOnly(this.#vaultAudit.system(), () => this.#vaultAudit.keys());
  }

  async rotateAuditKey(call: CallContext): Promise<Result<AuditKeyView>> {
    return this.#platformOnly(call, () => this.#vaultAudit.rotateKey(call));
  }

  /** Archived segments, newest first, with how far the archive is behind (vault-archive.ts). */
  async auditSegments(call: CallContext, input: { limit: number; cursor?: string }): Promise<Result<{ segments: AuditSegmentView[]; next_cursor: string | null; status: ArchiveStatus }>> {
    return this.#admitted(call, () => this.#archive.segments(input));
  }

  async auditSegment(call: CallContext, id: string): Promise<Result<{ segment: AuditSegmentView; body: ReadableStream<Uint8Array> }>> {
    return this.#admitted(call, () => this.#archive.segment(call.tenantId, id));
  }

  async archiveStatus(call: CallContext): Promise<Result<ArchiveStatus>> {
    return this.#admitted(call, () => ok(this.#archive.status()));
  }

  // ---- alarm (alarm.ts) -----------------------------------------------------------------------

  override async alarm(): Promise<void> {
    const tenantId = this.#binding.owner();
    if (tenantId === undefined) return;
    const placement = this.#binding.placement();
    const rotate = () => rotateDueKeys(this.#parts, this.#keys, tenantId, placement);
    const next = await runAlarm(this.#parts, this.env.DB, tenantId, placement, this.#archive.work(tenantId), rotate);
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
}
