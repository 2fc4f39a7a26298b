/**
 * The frame every crypto operation of the TenantVault runs in (architecture §5, §9): key and version
 * lookup (one statement), operation-vs-algorithm check, key and version state checks, version choice,
 * the operation, then — in one transaction that re-checks those states — the audit row and, at
 * most once a minute per version, the version's last use. Nothing is returned unless
 * that audit row was written. An operation changes no key metadata, so it queues nothing for D1 and
 * leaves the alarm alone. Callers (the Durable Object) have already admitted the call for this
 * vault's tenant.
 */
import { fail, type Failure, type Result } from "../../../shared/errors.ts";
import type { Operation as ApiOperation } from "../../../shared/operations.ts";
import type { BatchRequest, BatchResults, CallContext, SignInputWire } from "../../../shared/rpc.ts";
import { envelopeKeyId } from "../../../shared/envelope-header.ts";
import { ALGORITHMS, hasPublicKey, type KeyOperation } from "../crypto/algorithms.ts";
import { decodeEnvelope, type Envelope } from "../crypto/envelope.ts";
import type { SlowSigning } from "../signer/slow-signing.ts";
import * as ops from "./crypto-operations.ts";
import { LastUse } from "./last-use.ts";
import { unusableReason } from "./lifecycle.ts";
import type { KeyRow, VersionRow } from "./rows.ts";
import { SLOW_SIGNATURES } from "./slow-signatures.ts";
import { record, type VaultParts } from "./vault-parts.ts";
import { versionUnusableReason } from "./version-lifecycle.ts";
import { auditedFailure, decryptableVersion, namedVersion, primaryVersion, type VersionRule } from "./version-rules.ts";

/** A crypto operation on one chosen version; `load` gives its key when the operation needs it. */
type Run<T> = (ref: ops.VersionRef, load: ops.LoadKey, row: VersionRow) => Promise<Result<T>>;

/**
 * How an operation picks its version: `rule` decides from the key row; `wanted` is the version it
 * will most likely pick (null: the primary), read in the same statement as the key.
 */
interface VersionChoice {
  wanted: number | null;
  rule: VersionRule;
}

const PRIMARY: VersionChoice = { wanted: null, rule: primaryVersion };

/** One batch item, planned: the operation, its key, how it picks its version, and what it runs. */
interface Planned<T> {
  operation: KeyOperation;
  keyId: string;
  choice: VersionChoice;
  run: Run<T>;
}

/** An operation tried outside the recording transaction: refused by a check, or run on a version. */
type Attempt<T> = { name: ApiOperation; keyId: string; keyVersion: number | null } & (
  | { refused: Failure; ran?: undefined }
  | { refused?: undefined; ran: { result: Result<T>; writesBefore: number; keyState: KeyRow["state"]; versionState: VersionRow["state"] } }
);

type EncryptOut = { ciphertext: Uint8Array; key_version: number };
type DecryptOut = { plaintext: Uint8Array; key_version: number };
type SignOut = { signature: Uint8Array; key_version: number };
type MacOut = { mac: Uint8Array; key_version: number };
type ValidOut = { valid: boolean; key_version: number };

/** Last uses a transaction wrote, by `keyId#version`. */
type Touched = Map<string, { keyId: string; version: number; at: number }>;

export class CryptoCommands {
  readonly #parts: VaultParts;
  readonly #slow: SlowSigning;
  readonly #lastUse = new LastUse();

  constructor(parts: VaultParts, slow: SlowSigning) {
    this.#parts = parts;
    this.#slow = slow;
  }

  async #use<T>(call: CallContext, operation: KeyOperation, keyId: string, choice: VersionChoice, run: Run<T>): Promise<Result<T>> {
    const attempt = await this.#attempt(call, operation, keyId, choice, run);
    const touched: Touched = new Map();
    const answer = this.#parts.storage.transactionSync(() => this.#settle(call, attempt, touched));
    this.#noteWritten(touched);
    return answer;
  }

  /**
   * A batch (architecture §5): each item runs through the same checks and operation as a single
   * call, in order; then every item's outcome is recorded in one transaction, one audit row per
   * item, so the batch's rows are written together or not at all.
   */
  async #batch<T>(call: CallContext, items: readonly Planned<T>[]): Promise<Result<T>[]> {
    const attempts: Attempt<T>[] = [];
    for (const item of items) attempts.push(await this.#attempt(call, item.operation, item.keyId, item.choice, item.run));
    const touched: Touched = new Map();
    const answers = this.#parts.storage.transactionSync(() => attempts.map((attempt) => this.#settle(call, attempt, touched)));
    this.#noteWritten(touched);
    return answers;
  }

  /** The checks and the operation, outside any transaction; nothing is recorded yet. */
  async #attempt<T>(call: CallContext, operation: KeyOperation, keyId: string, choice: VersionChoice, run: Run<T>): Promise<Attempt<T>> {
    const { store } = this.#parts;
    const name: ApiOperation = `crypto.${operation}`;
    const refuse = (failure: Failure, keyVersion: number | null): Attempt<T> => ({ name, keyId, refused: failure, keyVersion });
    const found = store.keyAndVersion(keyId, choice.wanted);
    if (!found) return refuse(fail("key_not_found"), null);
    const { key } = found;
    const spec = ALGORITHMS[key.algorithm];
    if (!(spec.operations as readonly string[]).includes(operation)) {
      return refuse(fail("unsupported_operation", `${key.algorithm} keys do not support ${operation}`), null);
    }
    const reason = unusableReason(key.state);
    if (reason) return refuse(fail("key_disabled", reason), null);
    const version = choice.rule(key);
    if (typeof version !== "number") return refuse(version, null);
    const row = found.version?.version === version ? found.version : store.version(keyId, version);
    if (!row || row.state === "destroyed" || (row.public_key === null && hasPublicKey(spec))) {
      return refuse(fail("decrypt_failed"), version);
    }
    const versionReason = versionUnusableReason(version, row.state);
    if (versionReason) return refuse(fail("key_disabled", versionReason), version);
    const { ref, load } = this.#bind(call, key, row);
    const writesBefore = store.writes;
    const result = await run(ref, load, row);
    return { name, keyId, keyVersion: version, ran: { result, writesBefore, keyState: key.state, versionState: row.state } };
  }

  /** Last uses written in a transaction, noted once it has committed. */
  #noteWritten(touched: Touched): void {
    for (const { keyId, version, at } of touched.values()) this.#lastUse.written(keyId, version, at);
  }

  /** Records one attempt's outcome; runs inside the caller's transaction. */
  #settle<T>(call: CallContext, attempt: Attempt<T>, touched: Touched): Result<T> {
    const { store } = this.#parts;
    const now = this.#parts.now();
    const { name, keyId, keyVersion } = attempt;
    const entry = { time: now, apiKeyId: call.apiKeyId, requestId: call.requestId, operation: name, keyId, keyVersion };
    if (attempt.refused !== undefined) {
      this.#parts.audit(call).append({ ...entry, ...auditedFailure(attempt.refused) });
      return attempt.refused;
    }
    const { result, writesBefore, keyState, versionState: readState } = attempt.ran;
    const version = keyVersion as number;
    // DESIGN §8: a key change (disable, schedule deletion, destroy, or the same for this version)
    // may have committed while the operation ran. The states read above still hold if no key or
    // version row was written since; otherwise they are read again here, inside the transaction
    // that records the outcome.
    const changed = store.writes !== writesBefore;
    const state = changed ? store.state(keyId) : keyState;
    const versionState = changed ? store.version(keyId, version)?.state : readState;
    const outcome =
      state === undefined || unusableReason(state) !== null
        ? fail("key_disabled", "The key was disabled during the operation")
        : versionState !== "enabled"
          ? fail("key_disabled", `Key version ${version} was disabled during the operation`)
          : result;
    // Last use (architecture §5): only an operation the version performed counts, written at most
    // once a minute per version, in this transaction, so it costs no transaction of its own.
    const id = `${keyId}#${version}`;
    if (outcome.ok && !touched.has(id) && this.#lastUse.due(keyId, version, now)) {
      store.touchVersion(keyId, version, now);
      touched.set(id, { keyId, version, at: now });
    }
    this.#parts.audit(call).append({ ...entry, ...(outcome.ok ? { outcome: "allowed" } : auditedFailure(outcome)) });
    return outcome;
  }

  /** A version's public reference and a loader for its secret, for the operation frame. */
  #bind(call: CallContext, key: KeyRow, row: VersionRow): { ref: ops.VersionRef; load: ops.LoadKey } {
    const ref = { keyId: key.id, algorithm: key.algorithm, version: row.version, publicKey: row.public_key === null ? null : new Uint8Array(row.public_key) };
    const stored = { keyId: key.id, version: row.version, algorithm: key.algorithm, wrapped: row.wrapped_secret, kekId: row.kek_id };
    return { ref, load: () => this.#parts.material.load(call.tenantId, stored) };
  }

  /**
   * Decodes an envelope once, for both the version choice and the opening. The version is the one
   * the envelope names, if it names this key; a different key than the path's, or bytes that do not
   * decode, are refused the same way as any other bad envelope: no detail of which check failed.
   */
  #withEnvelope<T>(keyId: string, bytes: Uint8Array, open: (envelope: Envelope) => Run<T>): { pick: VersionChoice; run: Run<T> } {
    const decoded = decodeEnvelope(bytes);
    const envelope = decoded.ok && decoded.value.keyId === keyId.toLowerCase() && decoded.value.keyVersion !== 0 ? decoded.value : null;
    if (envelope === null) return { pick: { wanted: null, rule: () => fail("decrypt_failed") }, run: async () => fail("decrypt_failed") };
    return { pick: { wanted: envelope.keyVersion, rule: decryptableVersion(envelope.keyVersion) }, run: open(envelope) };
  }

  encrypt(call: CallContext, keyId: string, plaintext: Uint8Array, aad: Uint8Array) {
    return this.#one(call, this.#encryptPlan(keyId, plaintext, aad));
  }

  decrypt(call: CallContext, keyId: string, bytes: Uint8Array, aad: Uint8Array) {
    return this.#one(call, this.#decryptPlan(keyId, bytes, aad));
  }

  rewrap(call: CallContext, keyId: string, bytes: Uint8Array, aad: Uint8Array) {
    const { store, provider } = this.#parts;
    const { pick, run } = this.#withEnvelope(keyId, bytes, (envelope) => async (ref, load) => {
      const target = store.keyAndVersion(keyId, null);
      const primary = target?.version;
      if (!target || !primary || primary.state !== "enabled") return fail("key_disabled", "The primary version is not usable");
      return ops.rewrap(provider, { ref, load }, this.#bind(call, target.key, primary), envelope, aad);
    });
    return this.#use(call, "rewrap", keyId, pick, run);
  }

  /**
   * Key-less decrypt and rewrap: the key is the one the envelope names. An envelope that names no
   * key of this tenant (unreadable, or another tenant's key) is refused like a tampered envelope,
   * 400 `decrypt_failed`, audited, so the answer never tells whether a key id exists elsewhere.
   */
  async #keyless<T>(call: CallContext, operation: "decrypt" | "rewrap", envelope: Uint8Array, run: (keyId: string) => Promise<Result<T>>): Promise<Result<T>> {
    const keyId = envelopeKeyId(envelope);
    if (keyId !== null && this.#parts.store.key(keyId)) return run(keyId);
    const failure = fail("decrypt_failed");
    record(this.#parts, call, { operation: `crypto.${operation}`, keyId, keyVersion: null, ...auditedFailure(failure) });
    return failure;
  }

  decryptEnvelope(call: CallContext, envelope: Uint8Array, aad: Uint8Array) {
    return this.#keyless(call, "decrypt", envelope, (keyId) => this.decrypt(call, keyId, envelope, aad));
  }

  rewrapEnvelope(call: CallContext, envelope: Uint8Array, aad: Uint8Array) {
    return this.#keyless(call, "rewrap", envelope, (keyId) => this.rewrap(call, keyId, envelope, aad));
  }

  dataKey(call: CallContext, keyId: string, options: { plaintext: boolean; aad: Uint8Array }) {
    return this.#use(call, "datakey", keyId, PRIMARY, (ref, load) => ops.dataKey(this.#parts.provider, ref, load, options));
  }

  encapsulate(call: CallContext, keyId: string) {
    return this.#use(call, "encapsulate", keyId, PRIMARY, (ref) => ops.encapsulate(this.#parts.provider, ref));
  }

  decapsulate(call: CallContext, keyId: string, ciphertext: Uint8Array, version: number | null) {
    const pick = { wanted: version, rule: namedVersion(version, { decrypting: true }) };
    return this.#use(call, "decapsulate", keyId, pick, (ref, load) => ops.decapsulate(this.#parts.provider, ref, load, ciphertext));
  }

  sign(call: CallContext, keyId: string, input: SignInputWire) {
    return this.#one(call, this.#signPlan(call, keyId, input));
  }

  verify(call: CallContext, keyId: string, input: SignInputWire, signature: Uint8Array, version: number | null) {
    return this.#one(call, this.#verifyPlan(keyId, { input, signature, version }));
  }

  mac(call: CallContext, keyId: string, message: Uint8Array) {
    return this.#one(call, this.#macPlan(keyId, message));
  }

  /** Any version not destroyed may check a tag, like `verify` (architecture §5); default the primary. */
  verifyMac(call: CallContext, keyId: string, message: Uint8Array, tag: Uint8Array, version: number | null) {
    return this.#one(call, this.#verifyMacPlan(keyId, { message, mac: tag, version }));
  }

  /** A batch of one operation on one key (architecture §5): each item as its single call would run it. */
  runBatch(call: CallContext, keyId: string, request: BatchRequest): Promise<BatchResults> {
    switch (request.operation) {
      case "encrypt":
        return this.#batch(call, request.items.map((item) => this.#encryptPlan(keyId, item.plaintext, item.aad)));
      case "decrypt":
        return this.#batch(call, request.items.map((item) => this.#decryptPlan(keyId, item.ciphertext, item.aad)));
      case "sign":
        return this.#batch(call, request.items.map((item) => this.#signPlan(call, keyId, item)));
      case "verify":
        return this.#batch(call, request.items.map((item) => this.#verifyPlan(keyId, item)));
      case "mac":
        return this.#batch(call, request.items.map((item) => this.#macPlan(keyId, item.message)));
      case "verify-mac":
        return this.#batch(call, request.items.map((item) => this.#verifyMacPlan(keyId, item)));
    }
  }

  #one<T>(call: CallContext, plan: Planned<T>): Promise<Result<T>> {
    return this.#use(call, plan.operation, plan.keyId, plan.choice, plan.run);
  }

  #encryptPlan(keyId: string, plaintext: Uint8Array, aad: Uint8Array): Planned<EncryptOut> {
    return { operation: "encrypt", keyId, choice: PRIMARY, run: (ref, load) => ops.encrypt(this.#parts.provider, ref, load, plaintext, aad) };
  }

  #decryptPlan(keyId: string, bytes: Uint8Array, aad: Uint8Array): Planned<DecryptOut> {
    const { pick, run } = this.#withEnvelope(keyId, bytes, (envelope) => (ref, load) => ops.decrypt(this.#parts.provider, ref, load, envelope, aad));
    return { operation: "decrypt", keyId, choice: pick, run };
  }

  #signPlan(call: CallContext, keyId: string, input: SignInputWire): Planned<SignOut> {
    return {
      operation: "sign",
      keyId,
      choice: PRIMARY,
      run: (ref, load, row) =>
        // Slow signatures are made by the tenant's signer object, off the vault (signer/slow-signing.ts).
        SLOW_SIGNATURES.has(ref.algorithm)
          ? this.#slow.sign(call, { ...ref, wrapped: row.wrapped_secret, kekId: row.kek_id }, input)
          : ops.sign(this.#parts.provider, ref, load, input),
    };
  }

  #verifyPlan(keyId: string, item: { input: SignInputWire; signature: Uint8Array; version: number | null }): Planned<ValidOut> {
    const choice = { wanted: item.version, rule: namedVersion(item.version, { decrypting: false }) };
    return { operation: "verify", keyId, choice, run: (ref) => ops.verify(this.#parts.provider, ref, item.input, item.signature) };
  }

  #macPlan(keyId: string, message: Uint8Array): Planned<MacOut> {
    return { operation: "mac", keyId, choice: PRIMARY, run: (ref, load) => ops.mac(this.#parts.provider, ref, load, message) };
  }

  #verifyMacPlan(keyId: string, item: { message: Uint8Array; mac: Uint8Array; version: number | null }): Planned<ValidOut> {
    const choice = { wanted: item.version, rule: namedVersion(item.version, { decrypting: false }) };
    return { operation: "verify-mac", keyId, choice, run: (ref, load) => ops.verifyMac(this.#parts.provider, ref, load, item.message, item.mac) };
  }
}
