/**
 * The vault's audit log: appends hash-chained events (audit-chain.ts) and queues each for the D1
 * projection. `append` is synchronous and is always called inside the same `transactionSync` as
 * the change it records: if the audit row cannot be written, the change is rolled back and the
 * operation returns nothing (architecture §9).
 */
import { GENESIS_HASH, hashEvent, type AuditEvent, type AuditFields, type ChainHead, type Outcome, type Severity } from "./audit-chain.ts";
import { enqueue } from "./outbox.ts";
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
  readonly #projected: boolean;

  /** `projected`: whether events are queued for the D1 projection (a tenant's log is; see TenantVault). */
  constructor(sql: SqlStorage, tenantId: string, projected = true) {
    this.#sql = sql;
    this.#tenantId = tenantId;
    this.#projected = projected;
  }

  /**
   * The newest event's seq and hash, kept beside the chain. The chain alone cannot show that its
   * newest events were deleted (nothing follows them); the head can. Appends chain onto the head,
   * not onto whatever row is last, so a deleted tail stays a visible gap.
   */
  head(): ChainHead | undefined {
    const row = this.#sql.exec<{ value: string }>("SELECT value FROM vault_meta WHERE name = ?", HEAD).toArray()[0];
    return row === undefined ? undefined : (JSON.parse(row.value) as ChainHead);
  }

  append(entry: AuditEntry): AuditEvent {
    const last = this.head() ?? this.#sql.exec<{ seq: number; hash: string }>("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").toArray()[0];
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
    this.#sql.exec("INSERT INTO vault_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", HEAD, JSON.stringify(head));
    if (this.#projected) enqueue(this.#sql, "audit", event, entry.time);
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
