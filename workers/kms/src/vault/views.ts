/** Rendering vault rows as the API's views (architecture §5). Never a secret column. */
import type { AliasView, AuditEventView, KeyView } from "../../../shared/rpc.ts";
import type { AliasWithPurpose } from "./alias-store.ts";
import type { AuditEvent } from "../../../shared/audit/chain.ts";
import type { KeyRow, VersionRow } from "./key-store.ts";

const iso = (ms: number) => new Date(ms).toISOString();

export function keyView(key: KeyRow, versions: VersionRow[]): KeyView {
  return {
    id: key.id,
    name: key.name,
    description: key.description,
    labels: JSON.parse(key.labels) as Record<string, string>,
    algorithm: key.algorithm,
    purpose: key.purpose,
    state: key.state,
    origin: key.origin,
    primary_version: key.primary_version,
    min_decryption_version: key.min_decryption_version,
    deletion_window_days: key.deletion_window_days,
    versions: versions.map((v) => ({
      version: v.version,
      state: v.state,
      created_at: iso(v.created_at),
      destruction_date: v.destruction_date === null ? null : iso(v.destruction_date),
      last_used_at: v.last_used_at === null ? null : iso(v.last_used_at),
    })),
    created_at: iso(key.created_at),
    updated_at: iso(key.updated_at),
    deletion_date: key.deletion_date === null ? null : iso(key.deletion_date),
    rotation_period: key.rotation_period,
    next_rotation_at: key.next_rotation_at === null ? null : iso(key.next_rotation_at),
    keep_decryption_versions: key.keep_decryption_versions,
  };
}

export function aliasView(alias: AliasWithPurpose): AliasView {
  return { name: alias.name, key_id: alias.key_id, purpose: alias.purpose, created_at: iso(alias.created_at), updated_at: iso(alias.updated_at) };
}

export function auditEventView(event: AuditEvent): AuditEventView {
  return {
    seq: event.seq,
    id: event.id,
    time: iso(event.time),
    api_key_id: event.api_key_id,
    request_id: event.request_id,
    operation: event.operation,
    key_id: event.key_id,
    key_version: event.key_version,
    outcome: event.outcome,
    rule: event.rule,
    severity: event.severity,
    detail: event.detail,
    prev_hash: event.prev_hash,
    hash: event.hash,
  };
}

/** Opaque list cursor: the last row's (created_at, id). */
export function encodeCursor(key: Pick<KeyRow, "created_at" | "id">): string {
  return btoa(JSON.stringify([key.created_at, key.id])).replaceAll("=", "");
}

export function decodeCursor(cursor: string): { createdAt: number; id: string } | null {
  try {
    const parsed: unknown = JSON.parse(atob(cursor));
    if (Array.isArray(parsed) && typeof parsed[0] === "number" && typeof parsed[1] === "string") {
      return { createdAt: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through: not a cursor we issued
  }
  return null;
}
