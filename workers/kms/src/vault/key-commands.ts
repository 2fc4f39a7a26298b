/**
 * Key commands of the TenantVault (architecture §5, §8): create, rotate, update and the lifecycle actions,
 * and the reads beside them. Each mutation runs serialised, writes its rows with their audit and
 * outbox rows in one transaction, and sets the alarm that projects them to D1. Callers (the
 * Durable Object) have already admitted the call for this vault's tenant.
 */
import { fail, ok, type Failure, type Result } from "../../../shared/errors.ts";
import type { AuditOperation } from "../../../shared/operations.ts";
import { KEEP_DECRYPTION_VERSIONS, parseRotationPeriod } from "../../../shared/rotation-period.ts";
import type {
  CallContext, CreateKeyInput, KeyView, LifecycleActionName, ListKeysInput, PublicKeyFormatName, PublicKeyView, UpdateKeyInput,
} from "../../../shared/rpc.ts";
import { ALGORITHMS, hasPublicKey, isAlgorithmName, type AlgorithmName } from "../crypto/algorithms.ts";
import { publicKeyFormatResult } from "../crypto/public-key-formats.ts";
import { LIFECYCLE_OPERATIONS, newKeyRow, newVersionRow, requestHash } from "./key-records.ts";
import { deletionDate, transition } from "./lifecycle.ts";
import { afterRotation, isDue, scheduleFrom, type RotationTrigger } from "./rotation-rules.ts";
import type { NewVersion } from "./rows.ts";
import { commitKeyChange, drainSoon, OUTBOX_DELAY_MS, viewOf, type VaultParts } from "./vault-parts.ts";
import { decodeCursor, encodeCursor } from "./views.ts";

export class KeyCommands {
  readonly #parts: VaultParts;

  constructor(parts: VaultParts) {
    this.#parts = parts;
  }

  /**
   * The step create and rotate share: generate a version's secret, commit the rows `write` makes
   * with it (and the audit and outbox rows), then keep its handle in the cache. A handle whose rows
   * were not committed is zeroed.
   */
  async #addVersion(
    call: CallContext,
    keyId: string,
    version: number,
    algorithm: AlgorithmName,
    operation: AuditOperation,
    write: (row: NewVersion, now: number) => void,
  ): Promise<Result<KeyView>> {
    const { material } = this.#parts;
    const generated = await material.generate(call.tenantId, { keyId, version, algorithm });
    if ("ok" in generated) return generated;
    try {
      const now = this.#parts.now();
      const row = newVersionRow(keyId, version, generated, now);
      const view = commitKeyChange(this.#parts, call, keyId, operation, () => write(row, now), version);
      material.remember(keyId, version, generated.handle);
      await drainSoon(this.#parts);
      return ok(view);
    } catch (error) {
      generated.handle.destroy();
      throw error;
    }
  }

  /**
   * Creates a key. `maxKeys` is the tenant's plan limit, passed by the gateway: the policy engine
   * checks it against the D1 projection (fast, but it lags), and this check, inside the serialised
   * mutation, makes it exact under concurrent creates.
   */
  async create(call: CallContext, input: CreateKeyInput, idempotencyKey: string | null, maxKeys: number): Promise<Result<KeyView>> {
    const { store } = this.#parts;
    if (!this.#parts.material.keyring()) return fail("misconfigured");
    if (!isAlgorithmName(input.algorithm)) return fail("invalid_request", `body.algorithm: unsupported algorithm ${input.algorithm}`);
    const badSchedule = checkSchedule(input) ?? importedSchedule(input.origin === "imported", input);
    if (badSchedule) return badSchedule;
    const algorithm: AlgorithmName = input.algorithm;
    const hash = requestHash(input);

    return this.#parts.serialised(async () => {
      const previous = idempotencyKey === null ? undefined : store.idempotencyRecord(idempotencyKey);
      if (previous) {
        if (previous.requestHash !== hash) return fail("idempotency_conflict", "Idempotency-Key was used with a different request body");
        const key = store.key(previous.keyId);
        return key ? ok(viewOf(this.#parts, key)) : fail("key_not_found");
      }
      if (store.countLiveKeys() >= maxKeys) {
        return fail("plan_restricted", `The tenant has reached its limit of ${maxKeys} keys`);
      }
      const id = crypto.randomUUID();
      if (input.origin === "imported") {
        // No version yet: `pending_import` until POST /v1/keys/{key}/import makes version 1.
        const view = commitKeyChange(this.#parts, call, id, "keys.create", () => {
          const now = this.#parts.now();
          store.insertKey(newKeyRow(id, algorithm, input, now));
          if (idempotencyKey !== null) store.insertIdempotencyRecord(idempotencyKey, hash, id, now);
        });
        await drainSoon(this.#parts);
        return ok(view);
      }
      return this.#addVersion(call, id, 1, algorithm, "keys.create", (version, now) => {
        store.insertKey(newKeyRow(id, algorithm, input, now));
        store.insertVersion(version);
        if (idempotencyKey !== null) store.insertIdempotencyRecord(idempotencyKey, hash, id, now);
      });
    });
  }

  /** A manual rotation: the next version becomes primary, and a schedule restarts from now. */
  async rotate(call: CallContext, keyId: string): Promise<Result<KeyView>> {
    return this.#rotate(call, keyId, "manual");
  }

  /**
   * The alarm's rotation of a due key (scheduled-rotation.ts): the same command, audited the same
   * way under the schedule's call. `ok(null)` when, by its turn in the queue, the key is no longer
   * due (rotated by hand, disabled, or its schedule removed meanwhile).
   */
  async rotateScheduled(call: CallContext, keyId: string): Promise<Result<KeyView | null>> {
    return this.#rotate(call, keyId, "schedule");
  }

  async #rotate(call: CallContext, keyId: string, trigger: "manual"): Promise<Result<KeyView>>;
  async #rotate(call: CallContext, keyId: string, trigger: RotationTrigger): Promise<Result<KeyView | null>>;
  async #rotate(call: CallContext, keyId: string, trigger: RotationTrigger): Promise<Result<KeyView | null>> {
    const { store } = this.#parts;
    if (!this.#parts.material.keyring()) return fail("misconfigured");
    return this.#parts.serialised(async () => {
      const key = store.key(keyId);
      if (!key) return fail("key_not_found");
      if (trigger === "schedule" && !isDue(key, this.#parts.now())) return ok(null);
      // Like AWS KMS, the vault never makes material for an imported key: its versions come only from imports.
      if (key.origin === "imported") return fail("conflict", "An imported key is not rotated by the service: import its next version (POST /v1/keys/{key}/import)");
      const step = transition(key.state, "rotate");
      if (!step.ok) return step;
      const version = key.primary_version + 1;
      return this.#addVersion(call, keyId, version, key.algorithm, "keys.rotate", (row, now) => {
        store.insertVersion(row);
        store.updateKey(keyId, { primary_version: version, ...afterRotation(key, version, trigger, now) }, now);
      });
    });
  }

  async update(call: CallContext, keyId: string, input: UpdateKeyInput): Promise<Result<KeyView>> {
    const { store } = this.#parts;
    return this.#parts.serialised(async () => {
      const key = store.key(keyId);
      if (!key) return fail("key_not_found");
      if (key.state === "destroyed") return fail("conflict", "The key is destroyed");
      const min = input.min_decryption_version;
      if (min !== undefined && min > key.primary_version) {
        return fail("invalid_request", `body.min_decryption_version: must be ≤ the primary version (${key.primary_version})`);
      }
      const badSchedule = checkSchedule(input) ?? importedSchedule(key.origin === "imported", input);
      if (badSchedule) return badSchedule;
      const now = this.#parts.now();
      const view = commitKeyChange(this.#parts, call, keyId, "keys.update", () => {
        store.updateKey(keyId, {
          ...(input.name === undefined ? {} : { name: input.name }),
          ...(input.description === undefined ? {} : { description: input.description }),
          ...(input.labels === undefined ? {} : { labels: JSON.stringify(input.labels) }),
          ...(min === undefined ? {} : { min_decryption_version: min }),
          // A new period starts counting now; null removes the schedule.
          ...(input.rotation_period === undefined ? {} : scheduleFrom(input.rotation_period, now)),
          ...(input.keep_decryption_versions === undefined ? {} : { keep_decryption_versions: input.keep_decryption_versions }),
        }, now);
      });
      // The rename or new minimum version is queued for D1 like any key change: drain it soon.
      await drainSoon(this.#parts);
      return ok(view);
    });
  }

  async changeState(call: CallContext, keyId: string, action: LifecycleActionName, days: number | null): Promise<Result<KeyView>> {
    const { store } = this.#parts;
    return this.#parts.serialised(async () => {
      const key = store.key(keyId);
      if (!key) return fail("key_not_found");
      const step = transition(key.state, action, store.versions(keyId).length > 0);
      if (!step.ok) return step;
      const now = this.#parts.now();
      const date = action === "schedule_deletion" ? deletionDate(now, days ?? key.deletion_window_days) : null;
      const view = commitKeyChange(this.#parts, call, keyId, LIFECYCLE_OPERATIONS[action], () => {
        store.updateKey(keyId, { state: step.value, deletion_date: date }, now);
      });
      await this.#parts.kickAlarm(date === null ? now + OUTBOX_DELAY_MS : Math.min(date, now + OUTBOX_DELAY_MS));
      return ok(view);
    });
  }

  list(input: ListKeysInput): Result<{ keys: KeyView[]; next_cursor: string | null }> {
    const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
    if (after === null) return fail("invalid_request", "query.cursor: not a cursor this API issued");
    const rows = this.#parts.store.list({
      algorithm: input.algorithm, state: input.state, name: input.name, label: input.label, keyIds: input.keyIds, limit: input.limit + 1, after,
    });
    const page = rows.slice(0, input.limit);
    const last = page[page.length - 1];
    return ok({ keys: page.map((k) => viewOf(this.#parts, k)), next_cursor: rows.length > input.limit && last ? encodeCursor(last) : null });
  }

  get(keyId: string): Result<KeyView> {
    const key = this.#parts.store.key(keyId);
    return key ? ok(viewOf(this.#parts, key)) : fail("key_not_found");
  }

  async publicKey(keyId: string, version: number | null, format: PublicKeyFormatName): Promise<Result<PublicKeyView>> {
    const { store } = this.#parts;
    const key = store.key(keyId);
    if (!key) return fail("key_not_found");
    const spec = ALGORITHMS[key.algorithm];
    if (!hasPublicKey(spec)) return fail("unsupported_operation", `${key.algorithm} keys have no public key`);
    const wanted = version ?? key.primary_version;
    const row = store.version(keyId, wanted);
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
}

/** Automatic rotation makes material, which an imported key never gets from the service (409). */
function importedSchedule(imported: boolean, input: { rotation_period?: string | null }): Failure | null {
  return imported && typeof input.rotation_period === "string"
    ? fail("conflict", "body.rotation_period: an imported key is not rotated automatically; import each new version")
    : null;
}

/**
 * The schedule fields of a create or update, checked again here as the gateway checks them: the
 * vault never stores a period or a count it could not honour.
 */
function checkSchedule(input: { rotation_period?: string | null; keep_decryption_versions?: number | null }): Failure | null {
  if (typeof input.rotation_period === "string") {
    const parsed = parseRotationPeriod(input.rotation_period);
    if (!parsed.ok) return fail("invalid_request", `body.rotation_period: ${parsed.error.detail ?? "not a period"}`);
  }
  const keep = input.keep_decryption_versions;
  const { min, max } = KEEP_DECRYPTION_VERSIONS;
  if (typeof keep === "number" && !(Number.isInteger(keep) && keep >= min && keep <= max)) {
    return fail("invalid_request", `body.keep_decryption_versions: a whole number from ${min} to ${max}`);
  }
  return null;
}
