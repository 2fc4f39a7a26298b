/**
 * TenantVault Durable Object: one per tenant (`idFromName(tenantId)`), SQLite-backed; the source of
 * truth for the tenant's keys (DESIGN §8). Reached only through the kms Worker's RPC entrypoint.
 *
 * Invariants kept here:
 * - Secrets are stored only wrapped (wrap.ts); plaintext seeds and decoded keys live in memory only.
 * - Every mutation writes its rows, its audit row and its outbox row in one `transactionSync`.
 * - Every crypto operation re-reads the key's state from storage, and records its audit row in a
 *   transaction that re-checks that state, before any result is returned.
 * - Mutations are serialised (one at a time) so version numbers and idempotency records are exact.
 * - The vault remembers its tenant and refuses calls for any other tenant id.
 */
import { DurableObject } from "cloudflare:workers";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import { fail, ok, type Failure, type Result } from "../../../shared/errors.ts";
import type {
  AuditEventView, CallContext, CreateKeyInput, KeyView, LifecycleActionName, ListKeysInput, PublicKeyFormatName,
  PublicKeyView, RecordedEvent, SignInputWire, UpdateKeyInput, VaultSummary,
} from "../../../shared/rpc.ts";
import { ALGORITHMS, isAlgorithmName, type AlgorithmName, type KeyOperation } from "../crypto/algorithms.ts";
import { wipe } from "../crypto/bytes.ts";
import { parseKeyring, type Keyring } from "../crypto/kek.ts";
import { NobleProvider } from "../crypto/noble-provider.ts";
import type { CryptoProvider, PrivateKeyHandle } from "../crypto/provider.ts";
import { formatPublicKey } from "../crypto/public-key-formats.ts";
import { unwrapSecret, wrapSecret, WrappingKey } from "../crypto/wrap.ts";
import { verifyChain, type ChainVerdict } from "./audit-chain.ts";
import { AuditLog, type AuditEntry, type AuditQuery } from "./audit-log.ts";
import * as ops from "./crypto-operations.ts";
import { KeyCache } from "./key-cache.ts";
import { KeyStore, type KeyRow, type VersionRow } from "./key-store.ts";
import { deletionDate, transition, unusableReason } from "./lifecycle.ts";
import { migrate } from "./migrations.ts";
import { drainOnce, enqueue, keyProjection } from "./outbox.ts";
import { decodeEnvelope } from "../crypto/envelope.ts";
import { decodeCursor, encodeCursor, keyView, auditEventView } from "./views.ts";

const KEY_CACHE_CAPACITY = 256;
const OUTBOX_DELAY_MS = 1_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
const DRAIN_BATCHES_PER_ALARM = 20;

export class TenantVault extends DurableObject<KmsEnv> {
  readonly #store: KeyStore;
  readonly #cache = new KeyCache(KEY_CACHE_CAPACITY);
  readonly #provider: CryptoProvider = new NobleProvider();
  #keyring: Keyring | undefined;
  readonly #wrappingKeys = new Map<string, Promise<WrappingKey>>();
  #mutations: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: KmsEnv) {
    super(ctx, env);
    this.#store = new KeyStore(ctx.storage.sql);
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
    return new AuditLog(this.ctx.storage.sql, call.tenantId);
  }

  #loadKeyring(): Keyring | null {
    if (!this.#keyring) {
      const parsed = parseKeyring(this.env);
      if (!parsed.ok) return null;
      this.#keyring = parsed.value;
    }
    return this.#keyring;
  }

  #wrappingKey(tenantId: string, keyring: Keyring, kekId: string): Promise<WrappingKey> {
    let key = this.#wrappingKeys.get(kekId);
    if (!key) {
      key = WrappingKey.derive(keyring, tenantId, kekId);
      key.catch(() => this.#wrappingKeys.delete(kekId));
      this.#wrappingKeys.set(kekId, key);
    }
    return key;
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
  #commitKeyChange(call: CallContext, keyId: string, operation: string, apply: () => void, version: number | null = null): KeyView {
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

  async createKey(call: CallContext, input: CreateKeyInput, idempotencyKey: string | null): Promise<Result<KeyView>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    const keyring = this.#loadKeyring();
    if (!keyring) return fail("misconfigured");
    if (!isAlgorithmName(input.algorithm)) return fail("invalid_request", `body.algorithm: unsupported algorithm ${input.algorithm}`);
    const algorithm: AlgorithmName = input.algorithm;
    const requestHash = bytesToHex(sha256(utf8ToBytes(JSON.stringify(input))));

    return this.#serialised(async () => {
      if (idempotencyKey !== null) {
        const previous = this.ctx.storage.sql
          .exec<{ request_hash: string; response: string }>("SELECT request_hash, response FROM idempotency WHERE idempotency_key = ?", idempotencyKey)
          .toArray()[0];
        if (previous) {
          if (previous.request_hash !== requestHash) return fail("idempotency_conflict", "Idempotency-Key was used with a different request body");
          const key = this.#store.key((JSON.parse(previous.response) as { id: string }).id);
          return key ? ok(this.#view(key)) : fail("key_not_found");
        }
      }
      const id = crypto.randomUUID();
      const now = Date.now();
      const spec = ALGORITHMS[algorithm];
      const seed = this.#provider.generateSeed(algorithm);
      try {
        const pair = await this.#provider.deriveKeyPair(algorithm, seed);
        const wrapped = await wrapSecret(await this.#wrappingKey(call.tenantId, keyring, keyring.activeId), seed, { keyId: id, version: 1, algorithm });
        const view = this.#commitKeyChange(call, id, "key.create", () => {
          this.#store.insertKey({
            id, algorithm, purpose: spec.purpose, name: input.name ?? null, description: input.description ?? null,
            labels: JSON.stringify(input.labels ?? {}), state: "enabled", primary_version: 1, min_decryption_version: 1,
            deletion_window_days: input.deletion_window_days ?? 30, deletion_date: null, created_at: now, updated_at: now, revision: 1,
          });
          this.#store.insertVersion({
            key_id: id, version: 1, state: "enabled", public_key: pair.publicKey, wrapped_secret: wrapped,
            kek_id: keyring.activeId, created_at: now, destroyed_at: null,
          });
          if (idempotencyKey !== null) {
            this.ctx.storage.sql.exec(
              "INSERT INTO idempotency (idempotency_key, request_hash, response, created_at) VALUES (?, ?, ?, ?)",
              idempotencyKey, requestHash, JSON.stringify({ id }), now,
            );
          }
        }, 1);
        this.#cache.set(id, 1, pair.privateKey);
        await this.#kickAlarm(now + OUTBOX_DELAY_MS);
        return ok(view);
      } finally {
        wipe(seed);
      }
    });
  }

  async listKeys(call: CallContext, input: ListKeysInput): Promise<Result<{ keys: KeyView[]; next_cursor: string | null }>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
    if (after === null) return fail("invalid_request", "query.cursor: not a cursor this API issued");
    const rows = this.#store.list({ algorithm: input.algorithm, state: input.state, limit: input.limit + 1, after });
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
      return ok(this.#commitKeyChange(call, keyId, "key.update", () => {
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
      const view = this.#commitKeyChange(call, keyId, `key.${action}`, () => {
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
    const keyring = this.#loadKeyring();
    if (!keyring) return fail("misconfigured");
    return this.#serialised(async () => {
      const key = this.#store.key(keyId);
      if (!key) return fail("key_not_found");
      const step = transition(key.state, "rotate");
      if (!step.ok) return fail(step.code, step.detail);
      const algorithm = key.algorithm as AlgorithmName;
      const version = key.primary_version + 1;
      const seed = this.#provider.generateSeed(algorithm);
      try {
        const pair = await this.#provider.deriveKeyPair(algorithm, seed);
        const wrapped = await wrapSecret(await this.#wrappingKey(call.tenantId, keyring, keyring.activeId), seed, { keyId, version, algorithm });
        const now = Date.now();
        const view = this.#commitKeyChange(call, keyId, "key.rotate", () => {
          this.#store.insertVersion({
            key_id: keyId, version, state: "enabled", public_key: pair.publicKey, wrapped_secret: wrapped,
            kek_id: keyring.activeId, created_at: now, destroyed_at: null,
          });
          this.#store.updateKey(keyId, { primary_version: version }, now);
        }, version);
        this.#cache.set(keyId, version, pair.privateKey);
        await this.#kickAlarm(now + OUTBOX_DELAY_MS);
        return ok(view);
      } finally {
        wipe(seed);
      }
    });
  }

  async publicKey(call: CallContext, keyId: string, version: number | null, format: PublicKeyFormatName): Promise<Result<PublicKeyView>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    const key = this.#store.key(keyId);
    if (!key) return fail("key_not_found");
    const wanted = version ?? key.primary_version;
    const row = this.#store.version(keyId, wanted);
    if (!row || row.public_key === null) return fail("invalid_request", `query.version: key has no version ${wanted}`);
    const encoded = await formatPublicKey(key.algorithm as AlgorithmName, new Uint8Array(row.public_key), format);
    return ok({
      key_id: keyId,
      version: wanted,
      algorithm: key.algorithm,
      format,
      public_key: typeof encoded === "string" ? encoded : { ...encoded },
    });
  }

  // ---- cryptographic operations ---------------------------------------------------------------

  async #handle(tenantId: string, key: KeyRow, row: VersionRow): Promise<PrivateKeyHandle | Failure> {
    const cached = this.#cache.get(key.id, row.version);
    if (cached) return cached;
    const keyring = this.#loadKeyring();
    if (!keyring) return fail("misconfigured");
    if (row.wrapped_secret === null || !keyring.keys.has(row.kek_id)) return fail("internal_error", "key material unavailable");
    const binding = { keyId: key.id, version: row.version, algorithm: key.algorithm };
    const seed = await unwrapSecret(await this.#wrappingKey(tenantId, keyring, row.kek_id), new Uint8Array(row.wrapped_secret), binding);
    // A blob that does not unwrap under its own binding was moved or altered: never use it.
    if (!seed.ok) return fail("internal_error", "key material failed integrity check");
    try {
      const pair = await this.#provider.deriveKeyPair(key.algorithm as AlgorithmName, seed.value);
      this.#cache.set(key.id, row.version, pair.privateKey);
      return pair.privateKey;
    } finally {
      wipe(seed.value);
    }
  }

  /**
   * The frame every crypto operation runs in: key lookup, operation-vs-algorithm check, state
   * check, version choice, the operation, then — in one transaction that re-reads the state —
   * the audit row. Nothing is returned unless that audit row was written.
   */
  async #use<T>(
    call: CallContext,
    operation: KeyOperation,
    keyId: string,
    pickVersion: (key: KeyRow) => number | Failure,
    run: (ref: ops.VersionRef, handle: () => Promise<PrivateKeyHandle | Failure>) => Promise<Result<T>>,
  ): Promise<Result<T>> {
    const denied = this.#admit(call);
    if (denied) return denied;
    const name = `crypto.${operation}`;
    const refuse = (failure: Failure, keyVersion: number | null, outcome: "denied" | "failed"): Failure => {
      this.#record(call, { operation: name, keyId, keyVersion, outcome, rule: failure.error.code, detail: failure.error.detail ?? null });
      return failure;
    };
    const key = this.#store.key(keyId);
    if (!key) return refuse(fail("key_not_found"), null, "denied");
    const spec = isAlgorithmName(key.algorithm) ? ALGORITHMS[key.algorithm] : undefined;
    if (!spec || !(spec.operations as readonly string[]).includes(operation)) {
      return refuse(fail("unsupported_operation", `${key.algorithm} keys do not support ${operation}`), null, "failed");
    }
    const reason = unusableReason(key.state);
    if (reason) return refuse(fail("key_disabled", reason), null, "denied");
    const version = pickVersion(key);
    if (typeof version !== "number") return refuse(version, null, "failed");
    const row = this.#store.version(keyId, version);
    if (!row || row.state !== "enabled" || row.public_key === null) {
      return refuse(fail("decrypt_failed"), version, "failed");
    }
    const ref = { keyId, algorithm: key.algorithm, version, publicKey: new Uint8Array(row.public_key) };
    const result = await run(ref, () => this.#handle(call.tenantId, key, row));

    return this.ctx.storage.transactionSync(() => {
      const now = this.#store.key(keyId);
      const stillUsable = now !== undefined && unusableReason(now.state) === null;
      const outcome = !stillUsable ? "denied" : result.ok ? "allowed" : "failed";
      this.#audit(call).append({
        time: Date.now(), apiKeyId: call.apiKeyId, requestId: call.requestId, operation: name, keyId, keyVersion: version,
        outcome, rule: result.ok ? null : result.error.code, detail: stillUsable ? null : "key state changed during the operation",
      });
      return stillUsable ? result : fail("key_disabled", "The key was disabled during the operation");
    });
  }

  /** Decrypting versions must be enabled and ≥ min_decryption_version (DESIGN §5). */
  #decryptable(version: number) {
    return (key: KeyRow): number | Failure => {
      if (version > key.primary_version || version < 1) return fail("decrypt_failed");
      if (version < key.min_decryption_version) {
        return fail("key_disabled", `Key version ${version} is below min_decryption_version ${key.min_decryption_version}`);
      }
      return version;
    };
  }

  async encrypt(call: CallContext, keyId: string, plaintext: Uint8Array, aad: Uint8Array) {
    const result = await this.#use(call, "encrypt", keyId, (k) => k.primary_version, (ref) => ops.encrypt(this.#provider, ref, plaintext, aad));
    await this.#kickAlarm(Date.now() + OUTBOX_DELAY_MS);
    return result;
  }

  async decrypt(call: CallContext, keyId: string, envelope: Uint8Array, aad: Uint8Array) {
    const decoded = decodeEnvelope(envelope);
    // The envelope names its key and version; a different key than the path's is refused the same
    // way as any other bad envelope: no detail of which check failed.
    const version = decoded.ok && decoded.value.keyId === keyId.toLowerCase() ? decoded.value.keyVersion : 0;
    const result = await this.#use(call, "decrypt", keyId, version === 0 ? () => fail("decrypt_failed") : this.#decryptable(version), async (ref, handle) => {
      const h = await handle();
      return "ok" in h ? h : ops.decrypt(this.#provider, ref, h, envelope, aad);
    });
    await this.#kickAlarm(Date.now() + OUTBOX_DELAY_MS);
    return result;
  }

  async encapsulate(call: CallContext, keyId: string) {
    const result = await this.#use(call, "encapsulate", keyId, (k) => k.primary_version, (ref) => ops.encapsulate(this.#provider, ref));
    await this.#kickAlarm(Date.now() + OUTBOX_DELAY_MS);
    return result;
  }

  async decapsulate(call: CallContext, keyId: string, ciphertext: Uint8Array, version: number | null) {
    const pick = (k: KeyRow) => this.#decryptable(version ?? k.primary_version)(k);
    const result = await this.#use(call, "decapsulate", keyId, pick, async (ref, handle) => {
      const h = await handle();
      return "ok" in h ? h : ops.decapsulate(this.#provider, ref, h, ciphertext);
    });
    await this.#kickAlarm(Date.now() + OUTBOX_DELAY_MS);
    return result;
  }

  async sign(call: CallContext, keyId: string, input: SignInputWire) {
    const result = await this.#use(call, "sign", keyId, (k) => k.primary_version, async (ref, handle) => {
      const h = await handle();
      return "ok" in h ? h : ops.sign(this.#provider, ref, h, input);
    });
    await this.#kickAlarm(Date.now() + OUTBOX_DELAY_MS);
    return result;
  }

  async verify(call: CallContext, keyId: string, input: SignInputWire, signature: Uint8Array, version: number | null) {
    const pick = (k: KeyRow): number | Failure => {
      const wanted = version ?? k.primary_version;
      return wanted >= 1 && wanted <= k.primary_version ? wanted : fail("invalid_request", `body.key_version: key has no version ${wanted}`);
    };
    const result = await this.#use(call, "verify", keyId, pick, (ref) => ops.verify(this.#provider, ref, input, signature));
    await this.#kickAlarm(Date.now() + OUTBOX_DELAY_MS);
    return result;
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
    return ok(verifyChain(this.#audit(call).all()));
  }

  // ---- alarm: destroy due keys, drain the outbox, purge old idempotency records ---------------

  override async alarm(): Promise<void> {
    const tenantId = this.#owner();
    if (tenantId === undefined) return;
    const system: CallContext = { tenantId, apiKeyId: "system", requestId: `alarm-${Date.now()}` };
    const now = Date.now();
    for (const key of this.#store.dueForDestruction(now)) {
      this.#commitKeyChange(system, key.id, "key.destroy", () => {
        this.#store.eraseSecrets(key.id, now);
        this.#store.updateKey(key.id, { state: "destroyed" }, now);
      });
      this.#cache.evictKey(key.id);
    }
    this.ctx.storage.sql.exec("DELETE FROM idempotency WHERE created_at < ?", now - IDEMPOTENCY_TTL_MS);

    let remaining = 0;
    let failed = false;
    try {
      for (let batch = 0; batch < DRAIN_BATCHES_PER_ALARM; batch++) {
        remaining = await drainOnce(this.ctx.storage.sql, this.env.DB, tenantId);
        if (remaining === 0) break;
      }
    } catch {
      failed = true;
      remaining = 1;
    }
    const next: number[] = [];
    if (remaining > 0) {
      const attempts = this.ctx.storage.sql.exec<{ a: number | null }>("SELECT max(attempts) AS a FROM outbox").one().a ?? 0;
      next.push(Date.now() + (failed ? Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20)) : 0));
    }
    const deletion = this.#store.nextDeletionDate();
    if (deletion !== null) next.push(deletion);
    if (next.length > 0) await this.ctx.storage.setAlarm(Math.min(...next));
  }
}
