/**
 * The audit archive's formats (architecture §9): what a vault writes to object storage (R2) and what
 * anyone verifies offline from a copy of it. Pure; shared by the kms Worker, the gateway and
 * `scripts/audit-archive.ts`, so the writer and the offline checker cannot disagree.
 *
 * Layout under a log's prefix `logs/{tenant}/` (the platform's own log: tenant `platform`):
 *
 *   segments/{id}.ndjson.gz     the segment: one event per line (`eventLine`), gzip (RFC 1952)
 *   manifest/{id}.json          its manifest line (`ManifestLine`)
 *   checkpoints/{seq}.json      a signed checkpoint (`SignedCheckpoint`), seq zero-padded to 20 digits
 *
 * A segment's id is its sequence range, `{first}-{last}`, each zero-padded to 20 digits, so ids sort
 * in log order as text. A checkpoint signs `{tenant, seq, hash, time, segment, segment_sha256,
 * key_id}` with the platform's ML-DSA-65 audit key (FIPS 204 pure, context `CHECKPOINT_CONTEXT`).
 */
import { fromBase64 } from "../base64.ts";
import type { AuditEvent } from "./chain.ts";

/** FIPS 204 §5.2 context string of every checkpoint signature (ASCII). */
export const CHECKPOINT_CONTEXT = "pqkms audit checkpoint v1";
export const CHECKPOINT_FORMAT = "pqkms-audit-checkpoint-v1";
export const SEGMENT_FORMAT = "pqkms-audit-segment-v1";
/** The algorithm of the platform's audit signing key. */
export const AUDIT_KEY_ALGORITHM = "ML-DSA-65";

const SEQ_DIGITS = 20;
export const SEGMENT_ID_PATTERN = /^(\d{20})-(\d{20})$/;

const pad = (seq: number) => String(seq).padStart(SEQ_DIGITS, "0");

export function segmentId(firstSeq: number, lastSeq: number): string {
  return `${pad(firstSeq)}-${pad(lastSeq)}`;
}

/** The range a segment id names, or null when it is not one (malformed, or first > last). */
export function parseSegmentId(id: string): { firstSeq: number; lastSeq: number } | null {
  const match = SEGMENT_ID_PATTERN.exec(id);
  if (match === null) return null;
  const firstSeq = Number(match[1]);
  const lastSeq = Number(match[2]);
  if (!Number.isSafeInteger(lastSeq) || firstSeq < 1 || firstSeq > lastSeq) return null;
  return { firstSeq, lastSeq };
}

export function archivePrefix(tenant: string): string {
  return `logs/${tenant}/`;
}
export function segmentObjectKey(tenant: string, id: string): string {
  return `${archivePrefix(tenant)}segments/${id}.ndjson.gz`;
}
export function manifestObjectKey(tenant: string, id: string): string {
  return `${archivePrefix(tenant)}manifest/${id}.json`;
}
export function checkpointObjectKey(tenant: string, seq: number): string {
  return `${archivePrefix(tenant)}checkpoints/${pad(seq)}.json`;
}

/** One archived segment, as its manifest line (and `GET /v1/audit-exports`) describes it. */
export interface ManifestLine {
  format: typeof SEGMENT_FORMAT;
  tenant: string;
  segment: string;
  first_seq: number;
  last_seq: number;
  count: number;
  /** Event times of the first and last event (ms since the epoch, as stored in the chain). */
  first_time: number;
  last_time: number;
  /** The hash of the event before `first_seq` (64 zeros for the log's first segment). */
  prev_hash: string;
  /** The hash of event `last_seq`. */
  last_hash: string;
  /** Hex SHA-256 of the segment object's bytes (the gzip stream as stored). */
  sha256: string;
  bytes: number;
}

/** The fields a checkpoint signs. */
export interface CheckpointPayload {
  format: typeof CHECKPOINT_FORMAT;
  tenant: string;
  /** The newest event the checkpoint commits to, and its chain hash. */
  seq: number;
  hash: string;
  /** When it was signed (RFC 3339, UTC, milliseconds). */
  time: string;
  /** The segment it was made for and that object's SHA-256, or null for one made on demand. */
  segment: string | null;
  segment_sha256: string | null;
  /** The signing key's id (RFC 7638 JWK thumbprint). */
  key_id: string;
}

/** A checkpoint as published: the exact text signed, the base64 signature over its UTF-8 bytes, the key. */
export interface SignedCheckpoint {
  payload: string;
  signature: string;
  key_id: string;
}

/** The exact JSON text of a payload: these keys, in this order, no whitespace. */
export function checkpointPayloadText(p: CheckpointPayload): string {
  return JSON.stringify({
    format: p.format, tenant: p.tenant, seq: p.seq, hash: p.hash, time: p.time,
    segment: p.segment, segment_sha256: p.segment_sha256, key_id: p.key_id,
  });
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses a signed payload's text back; null unless it is exactly what `checkpointPayloadText` writes. */
export function parseCheckpointPayload(text: string): CheckpointPayload | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const p = value as CheckpointPayload;
  const wellFormed =
    p.format === CHECKPOINT_FORMAT && typeof p.tenant === "string" && Number.isSafeInteger(p.seq) && p.seq >= 0 &&
    typeof p.hash === "string" && HEX64.test(p.hash) && typeof p.time === "string" && !Number.isNaN(Date.parse(p.time)) &&
    (p.segment === null || (typeof p.segment === "string" && parseSegmentId(p.segment) !== null)) &&
    (p.segment_sha256 === null || (typeof p.segment_sha256 === "string" && HEX64.test(p.segment_sha256))) &&
    typeof p.key_id === "string";
  return wellFormed && checkpointPayloadText(p) === text ? p : null;
}

/** One event as a segment line: the stored event (time in ms), fields in chain order, then its hash. */
export function eventLine(e: AuditEvent): string {
  return JSON.stringify({
    seq: e.seq, id: e.id, time: e.time, tenant_id: e.tenant_id, api_key_id: e.api_key_id, request_id: e.request_id,
    operation: e.operation, key_id: e.key_id, key_version: e.key_version, outcome: e.outcome, rule: e.rule,
    severity: e.severity, detail: e.detail, prev_hash: e.prev_hash, hash: e.hash,
  });
}

/** A segment's uncompressed text: one line per event, each ending in "\n". */
export function segmentText(events: readonly AuditEvent[]): string {
  return events.map((e) => `${eventLine(e)}\n`).join("");
}

/** Parses a segment's text; null when any line is not an event (the chain check says what broke). */
export function parseSegmentText(text: string): AuditEvent[] | null {
  const events: AuditEvent[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      events.push(JSON.parse(line) as AuditEvent);
    } catch {
      return null;
    }
  }
  return events;
}

/** A published audit key, as far as checking a checkpoint needs it (AuditKeyView in rpc.ts). */
export interface CheckpointKey {
  key_id: string;
  valid_from: string;
  valid_until: string | null;
  public_key: { jwk: Record<string, string> };
}

/** ML-DSA-65 verification (FIPS 204 Algorithm 3, pure, with context): native, noble or OpenSSL. */
export type MlDsaVerify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, context: Uint8Array) => boolean | Promise<boolean>;

export type CheckpointCheck = { ok: true; payload: CheckpointPayload } | { ok: false; reason: string };

const utf8 = (text: string) => new TextEncoder().encode(text);

/**
 * Checks one signed checkpoint: its payload is well formed (and names `tenant`, when given), names the
 * key it is signed with, was signed while that key was valid, and the signature verifies under it.
 */
export async function checkCheckpoint(
  signed: SignedCheckpoint,
  keys: readonly CheckpointKey[],
  verify: MlDsaVerify,
  tenant?: string,
): Promise<CheckpointCheck> {
  const payload = parseCheckpointPayload(signed.payload);
  if (payload === null) return { ok: false, reason: "payload is not a checkpoint" };
  if (tenant !== undefined && payload.tenant !== tenant) return { ok: false, reason: `checkpoint is for log ${payload.tenant}, not ${tenant}` };
  if (payload.key_id !== signed.key_id) return { ok: false, reason: "key_id differs from the one signed" };
  const key = keys.find((k) => k.key_id === signed.key_id);
  if (key === undefined) return { ok: false, reason: `unknown audit key ${signed.key_id}` };
  const at = Date.parse(payload.time);
  if (at < Date.parse(key.valid_from) || (key.valid_until !== null && at >= Date.parse(key.valid_until))) {
    return { ok: false, reason: `signed at ${payload.time}, outside audit key ${key.key_id}'s validity` };
  }
  const publicKey = key.public_key.jwk.pub === undefined ? undefined : fromBase64(key.public_key.jwk.pub);
  const signature = fromBase64(signed.signature);
  if (publicKey === undefined || signature === undefined) return { ok: false, reason: "public key or signature is not base64" };
  const valid = await verify(publicKey, utf8(signed.payload), signature, utf8(CHECKPOINT_CONTEXT));
  return valid ? { ok: true, payload } : { ok: false, reason: "signature does not verify" };
}
