/**
 * A vault's aliases (a tenant's names for its keys): the rules an alias change must meet, and each
 * change written with its `aliases.*` audit row in one `transactionSync`. Aliases are not projected
 * to D1: only the vault resolves them. The TenantVault admits the caller and serialises changes
 * with its other mutations; everything here is synchronous.
 */
import { isAliasName } from "../../../shared/aliases.ts";
import { fail, ok, type Result } from "../../../shared/errors.ts";
import type { Operation } from "../../../shared/operations.ts";
import type { AliasView, CallContext, ListAliasesInput } from "../../../shared/rpc.ts";
import { AliasStore, decodeAliasCursor, encodeAliasCursor } from "./alias-store.ts";
import type { AuditLog } from "./audit-log.ts";
import type { KeyRow, KeyStore } from "./key-store.ts";
import { aliasView } from "./views.ts";

export class AliasBook {
  readonly #rows: AliasStore;
  readonly #keys: KeyStore;
  readonly #storage: Pick<DurableObjectStorage, "sql" | "transactionSync">;
  readonly #audit: (call: CallContext) => AuditLog;
  readonly #now: () => number;

  constructor(storage: Pick<DurableObjectStorage, "sql" | "transactionSync">, keys: KeyStore, audit: (call: CallContext) => AuditLog, now: () => number) {
    this.#rows = new AliasStore(storage.sql);
    this.#keys = keys;
    this.#storage = storage;
    this.#audit = audit;
    this.#now = now;
  }

  get(name: string): Result<AliasView> {
    const alias = this.#rows.get(name);
    return alias ? ok(aliasView(alias)) : fail("alias_not_found");
  }

  /** The key an alias names now, for `alias:NAME` in a key path. */
  resolve(name: string): Result<{ keyId: string }> {
    const alias = this.#rows.get(name);
    return alias ? ok({ keyId: alias.key_id }) : fail("alias_not_found");
  }

  list(input: ListAliasesInput): Result<{ aliases: AliasView[]; next_cursor: string | null }> {
    const after = input.cursor === undefined ? undefined : decodeAliasCursor(input.cursor);
    if (after === null) return fail("invalid_request", "query.cursor: not a cursor this API issued");
    const rows = this.#rows.list({ keyId: input.key_id, keyIds: input.keyIds, after, limit: input.limit + 1 });
    const page = rows.slice(0, input.limit);
    const last = page[page.length - 1];
    return ok({ aliases: page.map(aliasView), next_cursor: rows.length > input.limit && last ? encodeAliasCursor(last.name) : null });
  }

  create(call: CallContext, name: string, keyId: string): Result<AliasView> {
    if (!isAliasName(name)) return fail("invalid_request", "body.name: not an alias name");
    if (this.#rows.get(name)) return fail("conflict", `body.name: an alias named "${name}" already exists; re-point it with PATCH`);
    const target = this.#target(keyId, null);
    if (!target.ok) return target;
    const now = this.#now();
    this.#commit(call, "aliases.create", keyId, `alias ${name} → ${keyId}`, () => {
      this.#rows.insert({ name, key_id: keyId, created_at: now, updated_at: now });
    });
    return this.get(name);
  }

  repoint(call: CallContext, name: string, keyId: string): Result<AliasView> {
    const alias = this.#rows.get(name);
    if (!alias) return fail("alias_not_found");
    const target = this.#target(keyId, alias.purpose);
    if (!target.ok) return target;
    this.#commit(call, "aliases.update", keyId, `alias ${name}: ${alias.key_id} → ${keyId}`, () => {
      this.#rows.repoint(name, keyId, this.#now());
    });
    return this.get(name);
  }

  delete(call: CallContext, name: string): Result<AliasView> {
    const alias = this.#rows.get(name);
    if (!alias) return fail("alias_not_found");
    this.#commit(call, "aliases.delete", alias.key_id, `alias ${name} (was → ${alias.key_id})`, () => this.#rows.delete(name));
    return ok(aliasView(alias));
  }

  /**
   * The key an alias may point to: a key of this tenant that is not destroyed and, when re-pointing,
   * of the same purpose as the key the alias names now, so that whatever uses the alias (encrypt or
   * sign) keeps working. ML-KEM-768 → X-Wing is fine; an encryption key → a signing key is not.
   */
  #target(keyId: string, purpose: KeyRow["purpose"] | null): Result<KeyRow> {
    const key = this.#keys.key(keyId);
    if (!key) return fail("key_not_found", "body.key_id: no such key");
    if (key.state === "destroyed") return fail("conflict", "body.key_id: the key is destroyed and cannot be an alias target");
    if (purpose !== null && key.purpose !== purpose) {
      return fail("conflict", `body.key_id: the alias names a key for ${purpose}; it can only be re-pointed to another ${purpose} key, not to a ${key.purpose} key`);
    }
    return ok(key);
  }

  /** Writes an alias change and its audit row (named for the alias operation) in one transaction. */
  #commit(call: CallContext, operation: Operation, keyId: string, detail: string, apply: () => void): void {
    this.#storage.transactionSync(() => {
      apply();
      this.#audit(call).append({
        time: this.#now(), apiKeyId: call.apiKeyId, requestId: call.requestId, operation, keyId, keyVersion: null, outcome: "allowed", detail,
      });
    });
  }
}
