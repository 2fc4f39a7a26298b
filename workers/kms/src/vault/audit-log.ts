/**
 * The vault's audit log: appends hash-chained events (shared/audit/chain.ts). `append` is synchronous and
 * is always called inside the same `transactionSync` as the change it records: if the audit row
 * cannot be written, the change is rolled back and the operation returns nothing (architecture §9).
 * The log lives in the vault only; nothing of it is projected to D1.
 *
 * The chain's head is kept in memory: read from storage once per Durable Object instance, advanced
 * by each append, and dropped (`forget`, read again on the next append) when a transaction that
 * appended is rolled back. Only this object appends to the vault's chain, so memory and storage
 * agree after every committed transaction.
 *
 * The oldest events leave the vault once archived (audit-archive.ts); the head does not depend on
 * them: it is read from `vault_meta`, and the newest event always stays (archive-plan.ts).
 */
import { GENESIS_HASH, hashEvent, type AuditEvent, type AuditFields, type ChainHead, type Outcome, type Severity } from "../../../shared/audit/chain.ts";
import { storedNamesOf, type AuditOperation } from "../../../shared/operations.ts";

export interface AuditEntry {
  time: number;
  apiKeyId: string | null;
  requestId: string | null;
  operation: AuditOperation;
  keyId: string | null;
  keyVersion: number | null;
  outcome: Outcome;
  rule?: string | null;
  severity?: Severity;
  detail?: string | null;
}

export interface AuditQuery {
  keyId?: string;
  /** Only events of these keys (an API key's key restriction); events of no key are left out too. */
  keyIds?: string[];
  operation?: AuditOperation;
  requestId?: string;
  outcome?: Outcome;
  /** Inclusive bounds on the event time (ms). */
  from?: number;
  to?: number;
  /** Exclusive upper bound on seq (newest-first paging). */
  beforeSeq?: number;
  limit: number;
}

type StoredEvent = Omit<AuditEvent, "tenant_id">;

/** vault_meta row holding the chain's head. */
const HEAD = "audit_head";

export class AuditLog {
  readonly #sql: SqlStorage;
  readonly #tenantId: string;
  /** The head appends chain onto; undefined until read from storage (`#tip`). */
  #head: ChainHead | null | undefined;
  /** Told of each append (inside its transaction): the archive's schedule (archive-plan.ts). */
  readonly #appended: ((event: AuditEvent) => void) | undefined;

  constructor(sql: SqlStorage, tenantId: string, appended?: (event: AuditEvent) => void) {
    this.#sql = sql;
    this.#tenantId = tenantId;
    this.#appended = appended;
  }

  get tenantId(): string {
    return this.#tenantId;
  }

  /**
   * The newest event's seq and hash as stored beside the chain. The chain alone cannot show that its
   * newest events were deleted (nothing follows them); the head can. Appends chain onto the head,
   * not onto whatever row is last, so a deleted tail stays a visible gap. Verification reads this
   * stored copy, not the one in memory.
   */
  head(): ChainHead | undefined {
    const row = this.#sql.exec<{ value: string }>("SELECT value FROM vault_meta WHERE name = ?", HEAD).toArray()[0];
    return row === undefined ? undefined : (JSON.parse(row.value) as ChainHead);
  }

  /** The head in memory, read from storage on first use (a vault older than the head row: its last event). */
  #tip(): ChainHead | null {
    if (this.#head === undefined) {
      this.#head = this.head() ?? this.#sql.exec<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").toArray()[0] ?? null;
    }
    return this.#head;
  }

  /**
   * Drops the head kept in memory. Called whenever a transaction throws (TenantVault): if it had
   * appended, its rows were rolled back and the next append must chain onto the stored head again.
   */
  forget(): void {
    this.#head = undefined;
  }

  append(entry: AuditEntry): AuditEvent {
    const last = this.#tip();
    const fields: AuditFields = {
      seq: (last?.seq ?? 0) + 1,
      id: crypto.randomUUID(),
      time: entry.time,
      tenant_id: this.#tenantId,
      api_key_id: entry.apiKeyId,
      request_id: entry.requestId,
      operation: entry.operation,
      key_id: entry.keyId,
      key_version: entry.keyVersion,
      outcome: entry.outcome,
      rule: entry.rule ?? null,
      severity: entry.severity ?? (entry.outcome === "allowed" ? "info" : "warning"),
      detail: entry.detail ?? null,
      prev_hash: last?.hash ?? GENESIS_HASH,
    };
    const event: AuditEvent = { ...fields, hash: hashEvent(fields) };
    this.#sql.exec(
      `INSERT INTO audit_events (seq, id, time, api_key_id, request_id, operation, key_id, key_version, outcome, rule,
         severity, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      event.seq, event.id, event.time, event.api_key_id, event.request_id, event.operation, event.key_id,
      event.key_version, event.outcome, event.rule, event.severity, event.detail, event.prev_hash, event.hash,
    );
    const head: ChainHead = { seq: event.seq, hash: event.hash };
    // Still written with every event, although appends no longer read it: it is what lets
    // verification see a deleted tail after the vault restarts (architecture §9).
    this.#sql.exec("INSERT INTO vault_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", HEAD, JSON.stringify(head));
    this.#head = head;
    this.#appended?.(event);
    return event;
  }

  /** Every event, oldest first, for chain verification. */
  *all(): Generator<AuditEvent> {
    for (const row of this.#sql.exec<StoredEvent>("SELECT * FROM audit_events ORDER BY seq")) {
      yield { ...row, tenant_id: this.#tenantId };
    }
  }

  /** Newest first, filtered. */
  query(q: AuditQuery): AuditEvent[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    const any = (column: string, values: readonly string[] | undefined) => {
      if (values === undefined) return;
      where.push(values.length === 0 ? "0" : `${column} IN (${values.map(() => "?").join(", ")})`);
      args.push(...values);
    };
    add("key_id = ?", q.keyId);
    any("key_id", q.keyIds);
    any("operation", q.operation === undefined ? undefined : storedNamesOf(q.operation));
    add("request_id = ?", q.requestId);
    add("outcome = ?", q.outcome);
    add("time >= ?", q.from);
    add("time <= ?", q.to);
    add("seq < ?", q.beforeSeq);
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    return this.#sql
      .exec<StoredEvent>(`SELECT * FROM audit_events ${clause} ORDER BY seq DESC LIMIT ?`, ...args, q.limit)
      .toArray()
      .map((row) => ({ ...row, tenant_id: this.#tenantId }));
  }
}
