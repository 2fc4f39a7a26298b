/**
 * The per-tenant audit hash chain (architecture §9). Each event carries the SHA-256 of the previous
 * event's canonical encoding (`prev_hash`) and its own (`hash`), so editing, deleting or
 * reordering any stored event breaks the chain at exactly that position. Pure and synchronous
 * (noble SHA-256), so an event is hashed inside the same `transactionSync` that writes it.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

export const GENESIS_HASH = "0".repeat(64);

export type Outcome = "allowed" | "denied" | "failed";
export type Severity = "info" | "warning" | "critical";

/** An audit event as stored, without its own hash. */
export interface AuditFields {
  seq: number;
  id: string;
  time: number;
  tenant_id: string;
  api_key_id: string | null;
  request_id: string | null;
  operation: string;
  key_id: string | null;
  key_version: number | null;
  outcome: Outcome;
  rule: string | null;
  severity: Severity;
  detail: string | null;
  prev_hash: string;
}

export interface AuditEvent extends AuditFields {
  hash: string;
}

/**
 * Canonical encoding: JSON of the fields in this fixed order, nulls included. Field order is part
 * of the format: changing it breaks every existing chain.
 */
export function canonicalEncoding(event: AuditFields): string {
  return JSON.stringify([
    "pqkms-audit-v1",
    event.seq,
    event.id,
    event.time,
    event.tenant_id,
    event.api_key_id,
    event.request_id,
    event.operation,
    event.key_id,
    event.key_version,
    event.outcome,
    event.rule,
    event.severity,
    event.detail,
    event.prev_hash,
  ]);
}

export function hashEvent(event: AuditFields): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalEncoding(event))));
}

export type ChainVerdict = { valid: true; checked: number } | { valid: false; checked: number; first_broken: number };

/** The newest event's position, recorded apart from the events themselves. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * Walks events in `seq` order from the genesis. The first event whose sequence number skips,
 * whose `prev_hash` is not its predecessor's hash, or whose own hash does not match its fields
 * is reported as `first_broken` (its expected sequence number). With a `head`, the chain must also
 * end exactly there: a missing newest event is broken at its seq, an edited one at the head's.
 */
export function verifyChain(events: Iterable<AuditEvent>, head?: ChainHead): ChainVerdict {
  return verifyChainFrom({ seq: 0, hash: GENESIS_HASH }, events, head);
}

/**
 * `verifyChain` from a trusted position instead of the genesis: a signed checkpoint, or the last
 * event of an archived segment (architecture §9). `events` are those after `start`, oldest first;
 * `checked` counts only them. A head behind `start` (events the start committed to are gone) is
 * broken just after the head.
 */
export function verifyChainFrom(start: ChainHead, events: Iterable<AuditEvent>, head?: ChainHead): ChainVerdict {
  let expectedSeq = start.seq + 1;
  let prev = start.hash;
  let checked = 0;
  for (const event of events) {
    if (event.seq !== expectedSeq || event.prev_hash !== prev || hashEvent(event) !== event.hash) {
      return { valid: false, checked, first_broken: expectedSeq };
    }
    prev = event.hash;
    expectedSeq++;
    checked++;
  }
  if (head !== undefined) {
    const last = start.seq + checked;
    if (last < head.seq) return { valid: false, checked, first_broken: last + 1 };
    if (last > head.seq) return { valid: false, checked: Math.max(0, head.seq - start.seq), first_broken: head.seq + 1 };
    if (prev !== head.hash) return { valid: false, checked: Math.max(0, checked - 1), first_broken: head.seq };
  }
  return { valid: true, checked };
}
