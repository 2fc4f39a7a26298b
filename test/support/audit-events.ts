/**
 * Realistic audit events for the archive tests and bench/audit.mjs: one tenant's traffic as the vault
 * records it (architecture §9): mostly crypto operations with API key, request id, key id and version,
 * some key lifecycle, and denials with a rule and a detail. Chained with the real chain.ts hashing.
 * Deterministic for a given seed (a small PRNG), so the bench's byte counts repeat.
 */
import { GENESIS_HASH, hashEvent, type AuditEvent, type AuditFields } from "../../workers/shared/audit/chain.ts";

/** mulberry32: a tiny seeded PRNG, enough to vary fields reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${"89ab"[Math.floor(next() * 4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const CRYPTO = ["keys.sign", "keys.verify", "keys.encrypt", "keys.decrypt", "keys.datakey", "keys.rewrap"];
const LIFECYCLE = ["keys.create", "keys.rotate", "keys.update", "keys.disable", "aliases.create"];
const DENIALS = [
  { rule: "ip_allowlist", detail: "Source address 203.0.113.77 is not in the tenant's allowlist" },
  { rule: "operation_deny", detail: "Operation keys.decrypt is denied by tenant rule 3" },
  { rule: "key_restriction", detail: "This API key is restricted to other keys" },
  { rule: "quota", detail: "Monthly operation quota of 1000000 exceeded" },
];

export interface EventOptions {
  tenant: string;
  /** The first event's seq, and the hash it chains onto (genesis for seq 1). */
  firstSeq?: number;
  prevHash?: string;
  count: number;
  /** ms since the epoch of the first event; later ones follow a few ms apart. */
  startTime?: number;
  seed?: number;
}

/** `count` chained events of one tenant's log. */
export function makeEvents(options: EventOptions): AuditEvent[] {
  const next = prng(options.seed ?? 1);
  const apiKeys = Array.from({ length: 3 }, () => uuid(next));
  const keys = Array.from({ length: 12 }, () => uuid(next));
  const events: AuditEvent[] = [];
  let prev = options.prevHash ?? GENESIS_HASH;
  let time = options.startTime ?? Date.UTC(2026, 11, 1, 9, 0, 0);
  const firstSeq = options.firstSeq ?? 1;
  for (let i = 0; i < options.count; i++) {
    const roll = next();
    const keyId = keys[Math.floor(next() * keys.length)] ?? null;
    const denial = roll < 0.06 ? DENIALS[Math.floor(next() * DENIALS.length)] : undefined;
    const lifecycle = roll >= 0.06 && roll < 0.1;
    const operation = lifecycle ? LIFECYCLE[Math.floor(next() * LIFECYCLE.length)] : CRYPTO[Math.floor(next() * CRYPTO.length)];
    time += 1 + Math.floor(next() * 40);
    const fields: AuditFields = {
      seq: firstSeq + i,
      id: uuid(next),
      time,
      tenant_id: options.tenant,
      api_key_id: apiKeys[Math.floor(next() * apiKeys.length)] ?? null,
      request_id: uuid(next),
      operation: operation ?? "keys.sign",
      key_id: keyId,
      key_version: denial === undefined ? 1 + Math.floor(next() * 3) : null,
      outcome: denial === undefined ? "allowed" : "denied",
      rule: denial?.rule ?? null,
      severity: denial === undefined ? "info" : "warning",
      detail: denial?.detail ?? (lifecycle ? "name: payments-signing" : null),
      prev_hash: prev,
    };
    const event: AuditEvent = { ...fields, hash: hashEvent(fields) };
    events.push(event);
    prev = event.hash;
  }
  return events;
}
