/**
 * Row access for the vault's `aliases` table (schema/README.md). Synchronous, like KeyStore, so an
 * alias change and its audit row are written in one `transactionSync`. Rules (purpose, destroyed
 * targets) live in the vault; this file only reads and writes rows.
 */
import { ALIAS_NAME_PATTERN } from "../../../shared/aliases.ts";
import type { KeyRow } from "./rows.ts";

export type AliasRow = {
  name: string;
  key_id: string;
  created_at: number;
  updated_at: number;
};

/** An alias row with its target's purpose (joined), as views need it. */
export type AliasWithPurpose = AliasRow & { purpose: KeyRow["purpose"] };

export interface AliasFilter {
  keyId?: string;
  /** Only aliases of these keys (an API key's key restriction). */
  keyIds?: string[];
  /** Exclusive: names strictly after this one, in name order. */
  after?: string;
  limit: number;
}

const SELECT = "SELECT a.name, a.key_id, a.created_at, a.updated_at, k.purpose FROM aliases a JOIN keys k ON k.id = a.key_id";

export class AliasStore {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  get(name: string): AliasWithPurpose | undefined {
    return this.#sql.exec<AliasWithPurpose>(`${SELECT} WHERE a.name = ?`, name).toArray()[0];
  }

  list(filter: AliasFilter): AliasWithPurpose[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.keyId !== undefined) {
      where.push("a.key_id = ?");
      args.push(filter.keyId);
    }
    if (filter.keyIds !== undefined) {
      where.push(filter.keyIds.length === 0 ? "0" : `a.key_id IN (${filter.keyIds.map(() => "?").join(", ")})`);
      args.push(...filter.keyIds);
    }
    if (filter.after !== undefined) {
      where.push("a.name > ?");
      args.push(filter.after);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    return this.#sql.exec<AliasWithPurpose>(`${SELECT} ${clause} ORDER BY a.name LIMIT ?`, ...args, filter.limit).toArray();
  }

  insert(row: AliasRow): void {
    this.#sql.exec("INSERT INTO aliases (name, key_id, created_at, updated_at) VALUES (?, ?, ?, ?)", row.name, row.key_id, row.created_at, row.updated_at);
  }

  repoint(name: string, keyId: string, now: number): void {
    this.#sql.exec("UPDATE aliases SET key_id = ?, updated_at = ? WHERE name = ?", keyId, now, name);
  }

  delete(name: string): void {
    this.#sql.exec("DELETE FROM aliases WHERE name = ?", name);
  }
}

/** Opaque list cursor: the last alias name of the page, base64url. */
export function encodeAliasCursor(name: string): string {
  return btoa(name).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

export function decodeAliasCursor(cursor: string): string | null {
  try {
    const name = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    return ALIAS_NAME_PATTERN.test(name) ? name : null;
  } catch {
    return null;
  }
}
