/**
 * Row access for the TenantVault's SQLite tables. Synchronous (DO SQLite), so callers compose
 * several writes inside one `transactionSync`. No crypto here: secrets arrive already wrapped.
 */
import type { KeyState } from "../../../shared/key-states.ts";
import { isAlgorithmName } from "../crypto/algorithms.ts";
import type { KeyRow, NewVersion, VersionRow } from "./rows.ts";

export type { KeyRow, NewVersion, VersionRow };

/**
 * A key row as read: its algorithm must be one of the catalog's. A row that names another was
 * written by something other than this vault; using it would be a guess, so the call fails (500).
 */
function checked(row: KeyRow): KeyRow {
  if (!isAlgorithmName(row.algorithm)) throw new Error(`key ${row.id} has an algorithm outside the catalog`);
  return row;
}

const blob = (bytes: Uint8Array | null): ArrayBuffer | null => (bytes === null ? null : bytes.slice().buffer);

export interface ListFilter {
  algorithm?: string;
  /** Exact name. */
  name?: string;
  /** One label that must be present with this value. */
  label?: { key: string; value: string };
  /** Only these keys (an API key's key restriction). */
  keyIds?: string[];
  state?: KeyState;
  limit: number;
  /** Exclusive: keys strictly after this (created_at, id) in newest-first order. */
  after?: { createdAt: number; id: string };
}

export type KeyChanges = Partial<Pick<KeyRow, "name" | "description" | "labels" | "state" | "primary_version" | "min_decryption_version" | "deletion_date"
  | "rotation_period" | "next_rotation_at" | "keep_decryption_versions">>;

const KEY_COLUMNS = [
  "name",
  "description",
  "labels",
  "state",
  "primary_version",
  "min_decryption_version",
  "deletion_date",
  "rotation_period",
  "next_rotation_at",
  "keep_decryption_versions",
] as const;

/** The version columns of `keyAndVersion`'s join, prefixed so they do not collide with the key's. */
type JoinedVersion = { [C in keyof VersionRow as `v_${C}`]: VersionRow[C] | null };

const JOINED_VERSION_COLUMNS = [
  "key_id", "version", "state", "public_key", "wrapped_secret", "kek_id", "created_at", "destroyed_at", "destruction_date", "last_used_at",
] as const;

export class KeyStore {
  readonly #sql: SqlStorage;
  #writes = 0;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /**
   * How many key or version writes this store has made (whether or not their transaction then
   * committed). Only this store writes those rows, so a crypto operation that sees the same count
   * at its commit as at its start knows the key's state cannot have changed meanwhile.
   */
  get writes(): number {
    return this.#writes;
  }

  key(id: string): KeyRow | undefined {
    const row = this.#sql.exec<KeyRow>("SELECT * FROM keys WHERE id = ?", id).toArray()[0];
    return row && checked(row);
  }

  /** A key's state, or undefined when there is no such key. */
  state(id: string): KeyState | undefined {
    return this.#sql.exec<{ state: KeyState }>("SELECT state FROM keys WHERE id = ?", id).toArray()[0]?.state;
  }

  /**
   * A key and one of its versions (`null`: the primary) in one statement: what a crypto operation
   * needs before it runs. `version` is undefined when the key has no such version.
   */
  keyAndVersion(id: string, version: number | null): { key: KeyRow; version: VersionRow | undefined } | undefined {
    const row = this.#sql
      .exec<KeyRow & JoinedVersion>(
        `SELECT k.*, ${JOINED_VERSION_COLUMNS.map((c) => `v.${c} AS v_${c}`).join(", ")}
         FROM keys k LEFT JOIN key_versions v ON v.key_id = k.id AND v.version = coalesce(?, k.primary_version)
         WHERE k.id = ?`,
        version,
        id,
      )
      .toArray()[0];
    if (!row) return undefined;
    const { v_key_id, v_version, v_state, v_public_key, v_wrapped_secret, v_kek_id, v_created_at, v_destroyed_at, v_destruction_date, v_last_used_at, ...key } = row;
    const found =
      v_key_id === null || v_version === null || v_state === null || v_kek_id === null || v_created_at === null
        ? undefined
        : {
            key_id: v_key_id, version: v_version, state: v_state, public_key: v_public_key, wrapped_secret: v_wrapped_secret, kek_id: v_kek_id,
            created_at: v_created_at, destroyed_at: v_destroyed_at, destruction_date: v_destruction_date, last_used_at: v_last_used_at,
          };
    return { key: checked(key), version: found };
  }

  versions(keyId: string): VersionRow[] {
    return this.#sql.exec<VersionRow>("SELECT * FROM key_versions WHERE key_id = ? ORDER BY version", keyId).toArray();
  }

  version(keyId: string, version: number): VersionRow | undefined {
    return this.#sql.exec<VersionRow>("SELECT * FROM key_versions WHERE key_id = ? AND version = ?", keyId, version).toArray()[0];
  }

  list(filter: ListFilter): KeyRow[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (filter.algorithm !== undefined) {
      where.push("algorithm = ?");
      args.push(filter.algorithm);
    }
    if (filter.state !== undefined) {
      where.push("state = ?");
      args.push(filter.state);
    }
    if (filter.name !== undefined) {
      where.push("name = ?");
      args.push(filter.name);
    }
    if (filter.label !== undefined) {
      // labels is a JSON object; the path quotes the key (`$."my-label"`) since keys may hold '-'.
      where.push("json_extract(labels, ?) = ?");
      args.push(`$.${JSON.stringify(filter.label.key)}`, filter.label.value);
    }
    if (filter.keyIds !== undefined) {
      where.push(filter.keyIds.length === 0 ? "0" : `id IN (${filter.keyIds.map(() => "?").join(", ")})`);
      args.push(...filter.keyIds);
    }
    if (filter.after !== undefined) {
      where.push("(created_at < ? OR (created_at = ? AND id < ?))");
      args.push(filter.after.createdAt, filter.after.createdAt, filter.after.id);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    return this.#sql
      .exec<KeyRow>(`SELECT * FROM keys ${clause} ORDER BY created_at DESC, id DESC LIMIT ?`, ...args, filter.limit)
      .toArray()
      .map(checked);
  }

  countLiveKeys(): number {
    return this.#sql.exec<{ n: number }>("SELECT count(*) AS n FROM keys WHERE state != 'destroyed'").one().n;
  }

  insertKey(row: KeyRow): void {
    this.#writes++;
    this.#sql.exec(
      `INSERT INTO keys (id, algorithm, purpose, name, description, labels, state, origin, primary_version,
         min_decryption_version, deletion_window_days, deletion_date, rotation_period, next_rotation_at, keep_decryption_versions,
         created_at, updated_at, revision)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.id, row.algorithm, row.purpose, row.name, row.description, row.labels, row.state, row.origin, row.primary_version,
      row.min_decryption_version, row.deletion_window_days, row.deletion_date, row.rotation_period, row.next_rotation_at,
      row.keep_decryption_versions, row.created_at, row.updated_at, row.revision,
    );
  }

  insertVersion(row: NewVersion): void {
    this.#writes++;
    this.#sql.exec(
      `INSERT INTO key_versions (key_id, version, state, public_key, wrapped_secret, kek_id, created_at, destroyed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      row.key_id, row.version, row.state, blob(row.public_key), blob(row.wrapped_secret), row.kek_id, row.created_at, row.destroyed_at,
    );
  }

  /** Applies `changes`, bumps `revision` (the projection's version guard) and `updated_at`. */
  updateKey(id: string, changes: KeyChanges, now: number): KeyRow {
    this.#writes++;
    const sets = ["updated_at = ?", "revision = revision + 1"];
    const args: (string | number | null)[] = [now];
    for (const column of KEY_COLUMNS) {
      if (changes[column] !== undefined) {
        sets.push(`${column} = ?`);
        args.push(changes[column]);
      }
    }
    this.#sql.exec(`UPDATE keys SET ${sets.join(", ")} WHERE id = ?`, ...args, id);
    const updated = this.key(id);
    if (!updated) throw new Error("updateKey: key vanished inside its own transaction");
    return updated;
  }

  /**
   * Sets one version's state and destruction date (null unless pending destruction). The caller
   * also bumps the key's revision (updateKey) so the projection carries the change to D1.
   */
  setVersionState(keyId: string, version: number, state: "enabled" | "disabled" | "pending_destruction", destructionDate: number | null): void {
    this.#writes++;
    this.#sql.exec("UPDATE key_versions SET state = ?, destruction_date = ? WHERE key_id = ? AND version = ?", state, destructionDate, keyId, version);
  }

  /**
   * Records a version's last use. Not counted in `writes`: it changes no state a crypto operation
   * checks, so it must not make a concurrent operation re-read the key.
   */
  touchVersion(keyId: string, version: number, at: number): void {
    this.#sql.exec("UPDATE key_versions SET last_used_at = ? WHERE key_id = ? AND version = ?", at, keyId, version);
  }

  /** Erases one version's wrapped secret at the end of its destruction window. */
  eraseVersionSecret(keyId: string, version: number, now: number): void {
    this.#writes++;
    this.#sql.exec(
      "UPDATE key_versions SET wrapped_secret = NULL, state = 'destroyed', destroyed_at = ?, destruction_date = NULL WHERE key_id = ? AND version = ? AND state != 'destroyed'",
      now,
      keyId,
      version,
    );
  }

  /** Versions whose destruction window has ended, soonest first. */
  versionsDueForDestruction(now: number): { key_id: string; version: number }[] {
    return this.#sql
      .exec<{ key_id: string; version: number }>(
        "SELECT key_id, version FROM key_versions WHERE state = 'pending_destruction' AND destruction_date <= ? ORDER BY destruction_date",
        now,
      )
      .toArray();
  }

  nextVersionDestructionDate(): number | null {
    return this.#sql
      .exec<{ d: number | null }>("SELECT min(destruction_date) AS d FROM key_versions WHERE state = 'pending_destruction'")
      .one().d;
  }

  /** Erases every version's wrapped secret (architecture §8 destroy); metadata and public keys remain. */
  eraseSecrets(keyId: string, now: number): void {
    this.#writes++;
    this.#sql.exec(
      "UPDATE key_versions SET wrapped_secret = NULL, state = 'destroyed', destroyed_at = ?, destruction_date = NULL WHERE key_id = ? AND state != 'destroyed'",
      now,
      keyId,
    );
  }

  dueForDestruction(now: number): KeyRow[] {
    return this.#sql
      .exec<KeyRow>("SELECT * FROM keys WHERE state = 'pending_deletion' AND deletion_date <= ? ORDER BY deletion_date", now)
      .toArray()
      .map(checked);
  }

  /** The key an earlier create with this Idempotency-Key made, and the hash of that request. */
  idempotencyRecord(idempotencyKey: string): { requestHash: string; keyId: string } | undefined {
    const row = this.#sql
      .exec<{ request_hash: string; response: string }>("SELECT request_hash, response FROM idempotency WHERE idempotency_key = ?", idempotencyKey)
      .toArray()[0];
    return row && { requestHash: row.request_hash, keyId: (JSON.parse(row.response) as { id: string }).id };
  }

  insertIdempotencyRecord(idempotencyKey: string, requestHash: string, keyId: string, now: number): void {
    this.#sql.exec(
      "INSERT INTO idempotency (idempotency_key, request_hash, response, created_at) VALUES (?, ?, ?, ?)",
      idempotencyKey, requestHash, JSON.stringify({ id: keyId }), now,
    );
  }

  purgeIdempotencyRecords(before: number): void {
    this.#sql.exec("DELETE FROM idempotency WHERE created_at < ?", before);
  }

  /** Enabled keys whose rotation is due at `now`, earliest first, at most `limit` (one alarm run's share). */
  dueForRotation(now: number, limit: number): string[] {
    return this.#sql
      .exec<{ id: string }>(
        "SELECT id FROM keys WHERE state = 'enabled' AND next_rotation_at <= ? ORDER BY next_rotation_at, id LIMIT ?",
        now,
        limit,
      )
      .toArray()
      .map((row) => row.id);
  }

  /** When the alarm next has a rotation to do: the earliest due time of an enabled key (a disabled key's waits). */
  nextRotationAt(): number | null {
    return this.#sql
      .exec<{ d: number | null }>("SELECT min(next_rotation_at) AS d FROM keys WHERE state = 'enabled' AND next_rotation_at IS NOT NULL")
      .one().d;
  }

  nextDeletionDate(): number | null {
    return this.#sql
      .exec<{ d: number | null }>("SELECT min(deletion_date) AS d FROM keys WHERE state = 'pending_deletion'")
      .one().d;
  }
}
