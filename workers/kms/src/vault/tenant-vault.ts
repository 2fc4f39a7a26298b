/**
 * TenantVault Durable Object: one per tenant (`idFromName(tenantId)`), SQLite-backed; the source of
 * truth for the tenant's keys (DESIGN §8). Reached only through the kms Worker's RPC entrypoint.
 *
 * Invariants kept here:
 * - Secrets are stored only wrapped (wrap.ts); plaintext seeds and decoded keys live in memory only.
 * - Every mutation writes its rows, its audit row and its outbox row in one `transactionSync`
 *   (an alias change queues only its audit row: aliases are not projected to D1, only the vault
 *   resolves them).
 * - Every crypto operation re-reads the key's state from storage, and records its audit row in a
 *   transaction that re-checks that state, before any result is returned.
 * - Mutations are serialised (one at a time) so version numbers and idempotency records are exact.
 * - The vault remembers its tenant and refuses calls for any other tenant id.
 */
import { DurableObject } from "cloudflare:workers";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { fail, ok, type Failure, type Result } from "../../../shared/errors.ts";
import type { AuditOperation, Operation as ApiOperation } from "../../../shared/operations.ts";
import { PLATFORM_AUDIT_TENANT } from "../../../shared/rpc.ts";
import type {
  AliasView, AuditEventView, CallContext, CreateKeyInput, KeyView, LifecycleActionName, ListAliasesInput, ListKeysInput,
  PublicKeyFormatName, PublicKeyView, RecordedEvent, SignInputWire, UpdateKeyInput, VaultSummary,
} from "../../../shared/rpc.ts";
import { envelopeKeyId } from "../../../shared/envelope-header.ts";
import { ALGORITHMS, hasPublicKey, isAlgorithmName, type AlgorithmName, type KeyOperation } from "../crypto/algorithms.ts";
import { NobleProvider } from "../crypto/noble-provider.ts";
import type { CryptoProvider } from "../crypto/provider.ts";
import { publicKeyFormatResult } from "../crypto/public-key-formats.ts";
import { verifyChain, type ChainVerdict } from "./audit-chain.ts";
import { AuditLog, type AuditEntry, type AuditQuery } from "./audit-log.ts";
import * as ops from "./crypto-operations.ts";
import { KeyMaterial } from "./key-material.ts";
import { KeyStore, type KeyRow, type VersionRow } from "./key-store.ts";
import { deletionDate, transition, unusableReason } from "./lifecycle.ts";
import { migrate } from "./migrations.ts";
import { auditedFailure, decryptableVersion, namedVersion, primaryVersion, type VersionRule } from "./version-rules.ts";
import { drain, enqueue, keyProjection } from "./outbox.ts";
import { decodeEnvelope } from "../crypto/envelope.ts";
import { AliasBook } from "./aliases.ts";
import { decodeCursor, encodeCursor, keyView, auditEventView } from "./views.ts";

const KEY_CACHE_CAPACITY = 256;
const OUTBOX_DELAY_MS = 1_000;
const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/** Signature algorithms slow enough in pure TypeScript to starve a tenant's other requests. */
const SLOW_SIGNATURES: ReadonlySet<string> = new Set(["SLH-DSA-SHA2-128s"]);
/** At most one slow signature per this many ms per tenant: they take at most about half the vault. */
const SLOW_SIGNATURE_SPACING_MS = 4_000;

/** The catalog name each lifecycle action is audited under (the same name whatever the outcome). */
const LIFECYCLE_OPERATIONS: Record<LifecycleActionName, ApiOperation> = {
  disable: "keys.disable",
  enable: "keys.enable",
  schedule_deletion: "keys.schedule-deletion",
  cancel_deletion: "keys.cancel-deletion",
};

/** A crypto operation on one chosen version; `load` gives its key when the operation needs it. */
type Operation<T> = (ref: ops.VersionRef, load: ops.LoadKey) => Promise<Result<T>>;

export class TenantVault extends DurableObject<KmsEnv> {
  readonly #store: KeyStore;
  readonly #aliases: AliasBook;
  readonly #provider: CryptoProvider = new NobleProvider();
  readonly #material: KeyMaterial;
  #mutations: Promise<unknown> = Promise.resolve();
  #nextSlowSignatureAt = 0;

  constructor(ctx: DurableObjectState, env: KmsEnv) {
    super(ctx, env);
    this.#store = new KeyStore(ctx.storage.sql);
    this.#aliases = new AliasBook(ctx.storage, this.#store, (call) => this.#audit(call));
    this.#material = new KeyMaterial(this.#provider, env, KEY_CACHE_CAPACITY);
    ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql));
  }

  // ---- plumbing -------------------------------------------------------------------------------

  #owner(): string | undefined {
    return this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM vault_meta WHERE name = 'tenant_id'").toArray()[0]?.value;
  }

  /** Binds this vault to its tenant on first use; afterwards only that tenant id is accepted. */
  #admit(call: CallContext): Failure | null {
    const owner = this.#owner();
    if (owner === undefined) {
      this.ctx.storage.sql.exec("INSERT INTO vault_meta (name, value) VALUES ('tenant_id', ?)", call.tenantId);
      return null;
    }
    return owner === call.tenantId ? null : fail("internal_error", "vault tenant mismatch");
  }

  #audit(call: CallContext): AuditLog {
    // The platform's own log (fail-open switches) has no tenant row in D1 for its projected rows to
    // reference, so queueing them would leave the outbox failing forever; it is read from here only.
    return new AuditLog(this.ctx.storage.sql, call.tenantId, call.tenantId !== PLATFORM_AUDIT_TENANT);
  }

  /** Runs mutations one at a time, in arrival order. */
  #serialised<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#mutations.then(run, run);
    this.#mutations = next.catch(() => undefined);
    return next;
  }

  async #kickAlarm(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** Records one audit event (with its outbox row) as its own transaction. */
  #record(call: CallContext, entry: Omit<AuditEntry, "time" | "apiKeyId" | "requestId">): void {
    this.ctx.storage.transactionSync(() => {
      this.#audit(call).append({ ...entry, time: Date.now(), apiKeyId: call.apiKeyId, requestId: call.requestId });
    });
  }

  #view(key: KeyRow): KeyView {
    return keyView(key, this.#store.versions(key.id));
  }

  /** Writes a key change, its audit row and its outbox row in one transaction. */
  #commitKeyChange(call: CallContext, keyId: string, operation: AuditOperation, apply: () => void, version: number | null = null): KeyView {
    return this.ctx.storage.transactionSync(() => {
      apply();
      const key = this.#store.key(keyId) as KeyRow;
      const now = Date.now();
      this.#audit(call).append({ time: now, apiKeyId: call.apiKeyId, requestId: call.requestId, operation, keyId, keyVersion: version, outcome: "allowed" });
      enqueue(this.ctx.storage.sql, "key", keyProjection(key, this.#store.versions(keyId)), now);
      return this.#view(key);
    });
  }

  // ---- metadata and lifecycle -----------------------------------------------------------------

  async summary(call: CallContext): Promise<Result<VaultSummary>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    return ok({ tenantId: call.tenantId, keyCount: this.#store.countLiveKeys() });
  }

  /**
   * Creates a key. `maxKeys` is the tenant's plan limit, passed by the gateway: the policy engine
   * checks it against the D1 projection (fast, but it lags), and this check, inside the serialised
   * mutation, makes it exact under concurrent creates.
   */
  async createKey(call: CallContext, input: CreateKeyInput, idempotencyKey: string | null, maxKeys: number): Promise<Result<KeyView>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    if (!this.#material.keyring()) return fail("misconfigured");
    if (!isAlgorithmName(input.algorithm)) return fail("invalid_request", `body.algorithm: unsupported algorithm ${input.algorithm}`);
    const algorithm: AlgorithmName = input.algorithm;
    const requestHash = bytesToHex(sha256(utf8ToBytes(JSON.stringify(input))));

    return this.#serialised(async () => {
      const previous = idempotencyKey === null ? undefined : this.#store.idempotencyRecord(idempotencyKey);
      if (previous) {
        if (previous.requestHash !== requestHash) return fail("idempotency_conflict", "Idempotency-Key was used with a different request body");
        const key = this.#store.key(previous.keyId);
        return key ? ok(this.#view(key)) : fail("key_not_found");
      }
      if (this.#store.countLiveKeys() >= maxKeys) {
        return fail("plan_restricted", `The tenant has reached its limit of ${maxKeys} keys`);
      }
      const id = crypto.randomUUID();
      const material = await this.#material.generate(call.tenantId, { keyId: id, version: 1, algorithm });
      if ("ok" in material) return material;
      const now = Date.now();
      const spec = ALGORITHMS[algorithm];
      try {
        const view = this.#commitKeyChange(call, id, "keys.create", () => {
          this.#store.insertKey({
            id, algorithm, purpose: spec.purpose, name: input.name ?? null, description: input.description ?? null,
            labels: JSON.stringify(input.labels ?? {}), state: "enabled", primary_version: 1, min_decryption_version: 1,
            deletion_window_days: input.deletion_window_days ?? 30, deletion_date: null, created_at: now, updated_at: now, revision: 1,
          });
          this.#store.insertVersion({
            key_id: id, version: 1, state: "enabled", public_key: material.publicKey, wrapped_secret: material.wrapped,
            kek_id: material.kekId, created_at: now, destroyed_at: null,
          });
          if (idempotencyKey !== null) this.#store.insertIdempotencyRecord(idempotencyKey, requestHash, id, now);
        }, 1);
        this.#material.remember(id, 1, material.handle);
        await this.#kickAlarm(now + OUTBOX_DELAY_MS);
        return ok(view);
      } catch (error) {
        material.handle.destroy();
        throw error;
      }
    });
  }

  async listKeys(call: CallContext, input: ListKeysInput): Promise<Result<{ keys: KeyView[]; next_cursor: string | null }>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
    if (after === null) return fail("invalid_request", "query.cursor: not a cursor this API issued");
    const rows = this.#store.list({
      algorithm: input.algorithm, state: input.state, name: input.name, label: input.label, keyIds: input.keyIds, limit: input.limit + 1, after,
    });
    const page = rows.slice(0, input.limit);
    const last = page[page.length - 1];
    return ok({ keys: page.map((k) => this.#view(k)), next_cursor: rows.length > input.limit && last ? encodeCursor(last) : null });
  }

  async getKey(call: CallContext, keyId: string): Promise<Result<KeyView>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    const key = this.#store.key(keyId);
    return key ? ok(this.#view(key)) : fail("key_not_found");
  }

  async updateKey(call: CallContext, keyId: string, input: UpdateKeyInput): Promise<Result<KeyView>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    return this.#serialised(async () => {
      const key = this.#store.key(keyId);
      if (!key) return fail("key_not_found");
      if (key.state === "destroyed") return fail("conflict", "The key is destroyed");
      const min = input.min_decryption_version;
      if (min !== undefined && min > key.primary_version) {
        return fail("invalid_request", `body.min_decryption_version: must be ≤ the primary version (${key.primary_version})`);
      }
      return ok(this.#commitKeyChange(call, keyId, "keys.update", () => {
        this.#store.updateKey(keyId, {
          ...(input.name === undefined ? {} : { name: input.name }),
          ...(input.description === undefined ? {} : { description: input.description }),
          ...(input.labels === undefined ? {} : { labels: JSON.stringify(input.labels) }),
          ...(min === undefined ? {} : { min_decryption_version: min }),
        }, Date.now());
      }));
    });
  }

  async changeState(call: CallContext, keyId: string, action: LifecycleActionName, days: number | null): Promise<Result<KeyView>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    return this.#serialised(async () => {
      const key = this.#store.key(keyId);
      if (!key) return fail("key_not_found");
      const step = transition(key.state, action);
      if (!step.ok) return fail(step.code, step.detail);
      const now = Date.now();
      const date = action === "schedule_deletion" ? deletionDate(now, days ?? key.deletion_window_days) : null;
      const view = this.#commitKeyChange(call, keyId, LIFECYCLE_OPERATIONS[action], () => {
        this.#store.updateKey(keyId, { state: step.next, deletion_date: date }, now);
      });
      if (date !== null) await this.#kickAlarm(Math.min(date, now + OUTBOX_DELAY_MS));
      else await this.#kickAlarm(now + OUTBOX_DELAY_MS);
      return ok(view);
    });
  }

  async rotateKey(call: CallContext, keyId: string): Promise<Result<KeyView>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    if (!this.#material.keyring()) return fail("misconfigured");
    return this.#serialised(async () => {
      const key = this.#store.key(keyId);
      if (!key) return fail("key_not_found");
      const step = transition(key.state, "rotate");
      if (!step.ok) return fail(step.code, step.detail);
      const version = key.primary_version + 1;
      const material = await this.#material.generate(call.tenantId, { keyId, version, algorithm: key.algorithm as AlgorithmName });
      if ("ok" in material) return material;
      try {
        const now = Date.now();
        const view = this.#commitKeyChange(call, keyId, "keys.rotate", () => {
          this.#store.insertVersion({
            key_id: keyId, version, state: "enabled", public_key: material.publicKey, wrapped_secret: material.wrapped,
            kek_id: material.kekId, created_at: now, destroyed_at: null,
          });
          this.#store.updateKey(keyId, { primary_version: version }, now);
        }, version);
        this.#material.remember(keyId, version, material.handle);
        await this.#kickAlarm(now + OUTBOX_DELAY_MS);
        return ok(view);
      } catch (error) {
        material.handle.destroy();
        throw error;
      }
    });
  }

  async publicKey(call: CallContext, keyId: string, version: number | null, format: PublicKeyFormatName): Promise<Result<PublicKeyView>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    const key = this.#store.key(keyId);
    if (!key) return fail("key_not_found");
    const spec = isAlgorithmName(key.algorithm) ? ALGORITHMS[key.algorithm] : undefined;
    if (!spec || !hasPublicKey(spec)) return fail("unsupported_operation", `${key.algorithm} keys have no public key`);
    const wanted = version ?? key.primary_version;
    const row = this.#store.version(keyId, wanted);
    if (!row || row.public_key === null) return fail("invalid_request", `query.version: key has no version ${wanted}`);
    const encoded = await publicKeyFormatResult(spec.name, new Uint8Array(row.public_key), format);
    if (!encoded.ok) return encoded;
    return ok({
      key_id: keyId,
      version: wanted,
      algorithm: key.algorithm,
      format,
      public_key: typeof encoded.value === "string" ? encoded.value : { ...encoded.value },
    });
  }

  // ---- aliases --------------------------------------------------------------------------------

  /** An alias change: admitted, serialised with every other mutation, and the alarm set to drain its audit row. */
  async #aliasChange(call: CallContext, change: () => Result<AliasView>): Promise<Result<AliasView>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    return this.#serialised(async () => {
      const result = change();
      if (result.ok) await this.#kickAlarm(Date.now() + OUTBOX_DELAY_MS);
      return result;
    });
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
    return this.#admit(call) ?? this.#aliases.list(input);
  }

  async getAlias(call: CallContext, name: string): Promise<Result<AliasView>> {
    return this.#admit(call) ?? this.#aliases.get(name);
  }

  /** The key an alias names, for `alias:NAME` in a key path. */
  async resolveAlias(call: CallContext, name: string): Promise<Result<{ keyId: string }>> {
    return this.#admit(call) ?? this.#aliases.resolve(name);
  }

  // ---- cryptographic operations ---------------------------------------------------------------

  /**
   * The frame every crypto operation runs in: key lookup, operation-vs-algorithm check, state
   * check, version choice, the operation, then — in one transaction that re-reads the state —
   * the audit row. Nothing is returned unless that audit row was written.
   */
  async #use<T>(call: CallContext, operation: KeyOperation, keyId: string, pickVersion: VersionRule, run: Operation<T>): Promise<Result<T>> {
    const result = await this.#attempt(call, operation, keyId, pickVersion, run);
    // Allowed or refused, the operation left an audit row in the outbox.
    await this.#kickAlarm(Date.now() + OUTBOX_DELAY_MS);
    return result;
  }

  async #attempt<T>(call: CallContext, operation: KeyOperation, keyId: string, pickVersion: VersionRule, run: Operation<T>): Promise<Result<T>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    const name: ApiOperation = `crypto.${operation}`;
    const refuse = (failure: Failure, keyVersion: number | null): Failure => {
      this.#record(call, { operation: name, keyId, keyVersion, ...auditedFailure(failure) });
      return failure;
    };
    const key = this.#store.key(keyId);
    if (!key) return refuse(fail("key_not_found"), null);
    const spec = isAlgorithmName(key.algorithm) ? ALGORITHMS[key.algorithm] : undefined;
    if (!spec || !(spec.operations as readonly string[]).includes(operation)) {
      return refuse(fail("unsupported_operation", `${key.algorithm} keys do not support ${operation}`), null);
    }
    const reason = unusableReason(key.state);
    if (reason) return refuse(fail("key_disabled", reason), null);
    const version = pickVersion(key);
    if (typeof version !== "number") return refuse(version, null);
    const row = this.#store.version(keyId, version);
    if (!row || row.state !== "enabled" || (row.public_key === null && hasPublicKey(spec))) {
      return refuse(fail("decrypt_failed"), version);
    }
    const { ref, load } = this.#bind(call, key, row);
    const result = await run(ref, load);

    return this.ctx.storage.transactionSync(() => {
      const now = this.#store.key(keyId);
      const stillUsable = now !== undefined && unusableReason(now.state) === null;
      const answer = stillUsable ? result : fail("key_disabled", "The key was disabled during the operation");
      this.#audit(call).append({
        time: Date.now(), apiKeyId: call.apiKeyId, requestId: call.requestId, operation: name, keyId, keyVersion: version,
        ...(answer.ok ? { outcome: "allowed" } : auditedFailure(answer)),
      });
      return answer;
    });
  }

  /** A version's public reference and a loader for its secret, for the operation frame. */
  #bind(call: CallContext, key: KeyRow, row: VersionRow): { ref: ops.VersionRef; load: ops.LoadKey } {
    const ref = { keyId: key.id, algorithm: key.algorithm, version: row.version, publicKey: row.public_key === null ? null : new Uint8Array(row.public_key) };
    const stored = { keyId: key.id, version: row.version, algorithm: key.algorithm, wrapped: row.wrapped_secret, kekId: row.kek_id };
    return { ref, load: () => this.#material.load(call.tenantId, stored) };
  }

  /**
   * The version an envelope names, if it names this key. A different key than the path's is refused
   * the same way as any other bad envelope: no detail of which check failed.
   */
  #envelopeVersion(keyId: string, envelope: Uint8Array): VersionRule {
    const decoded = decodeEnvelope(envelope);
    const version = decoded.ok && decoded.value.keyId === keyId.toLowerCase() ? decoded.value.keyVersion : 0;
    return version === 0 ? () => fail("decrypt_failed") : decryptableVersion(version);
  }

  async encrypt(call: CallContext, keyId: string, plaintext: Uint8Array, aad: Uint8Array) {
    return this.#use(call, "encrypt", keyId, primaryVersion, (ref, load) => ops.encrypt(this.#provider, ref, load, plaintext, aad));
  }

  async decrypt(call: CallContext, keyId: string, envelope: Uint8Array, aad: Uint8Array) {
    const pick = this.#envelopeVersion(keyId, envelope);
    return this.#use(call, "decrypt", keyId, pick, (ref, load) => ops.decrypt(this.#provider, ref, load, envelope, aad));
  }

  async rewrap(call: CallContext, keyId: string, envelope: Uint8Array, aad: Uint8Array) {
    const pick = this.#envelopeVersion(keyId, envelope);
    return this.#use(call, "rewrap", keyId, pick, async (ref, load) => {
      const key = this.#store.key(keyId);
      const primary = key && this.#store.version(keyId, key.primary_version);
      if (!key || !primary || primary.state !== "enabled") return fail("key_disabled", "The primary version is not usable");
      return ops.rewrap(this.#provider, { ref, load }, this.#bind(call, key, primary), envelope, aad);
    });
  }

  /**
   * Key-less decrypt and rewrap: the key is the one the envelope names. An envelope that names no
   * key of this tenant (unreadable, or another tenant's key) is refused like a tampered envelope,
   * 400 `decrypt_failed`, audited, so the answer never tells whether a key id exists elsewhere.
   */
  async #keyless<T>(call: CallContext, operation: "decrypt" | "rewrap", envelope: Uint8Array, run: (keyId: string) => Promise<Result<T>>): Promise<Result<T>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    const keyId = envelopeKeyId(envelope);
    if (keyId !== null && this.#store.key(keyId)) return run(keyId);
    const failure = fail("decrypt_failed");
    this.#record(call, { operation: `crypto.${operation}`, keyId, keyVersion: null, ...auditedFailure(failure) });
    await this.#kickAlarm(Date.now() + OUTBOX_DELAY_MS);
    return failure;
  }

  async decryptEnvelope(call: CallContext, envelope: Uint8Array, aad: Uint8Array) {
    return this.#keyless(call, "decrypt", envelope, (keyId) => this.decrypt(call, keyId, envelope, aad));
  }

  async rewrapEnvelope(call: CallContext, envelope: Uint8Array, aad: Uint8Array) {
    return this.#keyless(call, "rewrap", envelope, (keyId) => this.rewrap(call, keyId, envelope, aad));
  }

  async dataKey(call: CallContext, keyId: string, options: { plaintext: boolean; aad: Uint8Array }) {
    return this.#use(call, "datakey", keyId, primaryVersion, (ref, load) => ops.dataKey(this.#provider, ref, load, options));
  }

  async encapsulate(call: CallContext, keyId: string) {
    return this.#use(call, "encapsulate", keyId, primaryVersion, (ref) => ops.encapsulate(this.#provider, ref));
  }

  async decapsulate(call: CallContext, keyId: string, ciphertext: Uint8Array, version: number | null) {
    const pick = namedVersion(version, { decrypting: true });
    return this.#use(call, "decapsulate", keyId, pick, (ref, load) => ops.decapsulate(this.#provider, ref, load, ciphertext));
  }

  async sign(call: CallContext, keyId: string, input: SignInputWire) {
    return this.#use(call, "sign", keyId, primaryVersion, async (ref, load) => {
      // A slow signature (SLH-DSA-SHA2-128s: 2–4 s of CPU in pure TypeScript) holds this vault, and
      // so every request of this tenant, for its whole duration. Spacing them out caps the share of
      // the vault's time they can take; the caller is told when to retry.
      const now = Date.now();
      if (SLOW_SIGNATURES.has(ref.algorithm)) {
        const wait = this.#nextSlowSignatureAt - now;
        if (wait > 0) return fail("rate_limited", `${ref.algorithm} signatures are spaced out per tenant; retry in ${Math.ceil(wait / 1000)} s`);
        this.#nextSlowSignatureAt = now + SLOW_SIGNATURE_SPACING_MS;
      }
      return ops.sign(this.#provider, ref, load, input);
    });
  }

  async verify(call: CallContext, keyId: string, input: SignInputWire, signature: Uint8Array, version: number | null) {
    const pick = namedVersion(version, { decrypting: false });
    return this.#use(call, "verify", keyId, pick, (ref) => ops.verify(this.#provider, ref, input, signature));
  }

  // ---- audit ----------------------------------------------------------------------------------

  async auditEvents(call: CallContext, query: AuditQuery): Promise<Result<{ events: AuditEventView[]; next_cursor: string | null }>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    const rows = this.#audit(call).query({ ...query, limit: query.limit + 1 });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return ok({ events: page.map(auditEventView), next_cursor: rows.length > query.limit && last ? String(last.seq) : null });
  }

  async recordEvent(call: CallContext, event: RecordedEvent): Promise<Result<{ seq: number }>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    const appended = this.ctx.storage.transactionSync(() =>
      this.#audit(call).append({
        time: Date.now(), apiKeyId: call.apiKeyId, requestId: call.requestId, operation: event.operation, keyId: event.keyId,
        keyVersion: null, outcome: event.outcome, rule: event.rule, severity: event.severity, detail: event.detail,
      }),
    );
    await this.#kickAlarm(Date.now() + OUTBOX_DELAY_MS);
    return ok({ seq: appended.seq });
  }

  async verifyAudit(call: CallContext): Promise<Result<ChainVerdict>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    const log = this.#audit(call);
    return ok(verifyChain(log.all(), log.head()));
  }

  // ---- alarm: destroy due keys, drain the outbox, purge old idempotency records ---------------

  override async alarm(): Promise<void> {
    const tenantId = this.#owner();
    if (tenantId === undefined) return;
    const system: CallContext = { tenantId, apiKeyId: "system", requestId: `alarm-${Date.now()}` };
    const now = Date.now();
    for (const key of this.#store.dueForDestruction(now)) {
      this.#commitKeyChange(system, key.id, "keys.destroy", () => {
        this.#store.eraseSecrets(key.id, now);
        this.#store.updateKey(key.id, { state: "destroyed" }, now);
      });
      this.#material.forget(key.id);
    }
    this.#store.purgeIdempotencyRecords(now - IDEMPOTENCY_TTL_MS);

    const next = [await drain(this.ctx.storage.sql, this.env.DB, tenantId, Date.now), this.#store.nextDeletionDate()].filter((at) => at !== null);
    if (next.length > 0) await this.ctx.storage.setAlarm(Math.min(...next));
  }
}
