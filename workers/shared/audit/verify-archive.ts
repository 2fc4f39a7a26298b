/**
 * The offline check of an audit archive (architecture §9): a copy of one log's segments, manifest
 * lines and signed checkpoints, with the platform's published audit keys, checked without the
 * service. Walks the log in order and names the first break:
 *
 *   1. the key list is sound (`checkAuditKeys`);
 *   2. per segment, in log order: its manifest line follows the previous one (first_seq = previous
 *      last_seq + 1, prev_hash = previous last_hash; the first starts at `firstSeq`, 1 by default);
 *      its bytes' SHA-256 is the manifest's; they gunzip to canonical event lines of this tenant that
 *      re-hash and chain (chain.ts) and match the manifest's count, first/last seq, times and hash;
 *      its checkpoint verifies under a key valid when it was signed, names this segment's SHA-256
 *      and its last event; every other checkpoint inside its range names the hash of the event there;
 *   3. coverage: no checkpoint names an event after the archive's end, unless the caller says the
 *      rest of the log is still in the vault (then only checkpoints made on demand may; a segment's
 *      own checkpoint beyond the end means that segment is missing).
 *
 * Pure: Web standards only (DecompressionStream, crypto.subtle), the ML-DSA verify passed in, so the
 * same code runs in Node (`scripts/audit-archive.ts`), in a Worker and in tests.
 */
import { checkAuditKeys, type PublishedAuditKey } from "./archive-keys.ts";
import {
  checkCheckpoint, eventLine, parseCheckpointPayload, parseSegmentId, parseSegmentText,
  type CheckpointPayload, type ManifestLine, type MlDsaVerify, type SignedCheckpoint,
} from "./archive-format.ts";
import { GENESIS_HASH, hashEvent, type AuditEvent } from "./chain.ts";

export interface ArchiveInput {
  /** The log the archive is of: a tenant id, or `platform`. */
  tenant: string;
  /** Manifest lines in log order (as their ids sort: a listing's order is what is checked). */
  manifest: readonly ManifestLine[];
  /** Each segment object's bytes (gzip, as stored), by segment id. */
  segments: ReadonlyMap<string, Uint8Array>;
  checkpoints: readonly SignedCheckpoint[];
  /** The `keys` of the `GET /v1/audit-keys` body. */
  keys: readonly PublishedAuditKey[];
}

export interface ArchiveOptions {
  /** The seq the archive must start at: 1 (the log's first event) unless the caller says otherwise. */
  firstSeq?: number;
  /** The events after the archive's last segment are in the vault's hot window, not missing. */
  restInVault?: boolean;
}

export type ArchiveStage = "keys" | "manifest" | "digest" | "chain" | "checkpoint" | "coverage";
export interface ArchiveBreak {
  stage: ArchiveStage;
  seq?: number;
  segment?: string;
  reason: string;
}
export interface ArchiveCounts {
  keys: number;
  segments: number;
  events: number;
  checkpoints: number;
}
export type ArchiveVerdict =
  | ({ valid: true; from_seq: number; to_seq: number } & ArchiveCounts)
  | { valid: false; first_break: ArchiveBreak; checked: ArchiveCounts };

interface ParsedCheckpoint {
  signed: SignedCheckpoint;
  payload: CheckpointPayload;
}

class Broken extends Error {
  readonly found: ArchiveBreak;
  constructor(found: ArchiveBreak) {
    super(found.reason);
    this.found = found;
  }
}
function broken(found: ArchiveBreak): never {
  throw new Broken(found);
}

const HEX64 = /^[0-9a-f]{64}$/;
const isInt = (v: unknown) => Number.isSafeInteger(v);
const isText = (v: unknown) => typeof v === "string";
const isTextOrNull = (v: unknown) => v === null || typeof v === "string";

/** Every field of an event present with its type (a missing one would hash as null: chain.ts). */
function isCanonicalEvent(e: AuditEvent): boolean {
  return typeof e === "object" && e !== null && isInt(e.seq) && isText(e.id) && isInt(e.time) && isText(e.tenant_id) &&
    isTextOrNull(e.api_key_id) && isTextOrNull(e.request_id) && isText(e.operation) && isTextOrNull(e.key_id) &&
    (e.key_version === null || isInt(e.key_version)) && ["allowed", "denied", "failed"].includes(e.outcome) &&
    isTextOrNull(e.rule) && ["info", "warning", "critical"].includes(e.severity) && isTextOrNull(e.detail) &&
    HEX64.test(String(e.prev_hash)) && HEX64.test(String(e.hash));
}

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes)));
}

/** RFC 1952 gunzip and strict UTF-8, or null when the bytes are not a gzip stream of UTF-8 text. */
async function gunzipText(bytes: Uint8Array): Promise<string | null> {
  try {
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(bytes));
        controller.close();
      },
    });
    const plain = await new Response(source.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(plain);
  } catch {
    return null;
  }
}

const checkpointName = (p: CheckpointPayload) => `checkpoint at seq ${p.seq} (${p.segment === null ? "on demand" : `segment ${p.segment}`})`;

/** Verifies an archive; see the module comment for what, and in what order. */
export async function verifyArchive(archive: ArchiveInput, verify: MlDsaVerify, options: ArchiveOptions = {}): Promise<ArchiveVerdict> {
  const counts: ArchiveCounts = { keys: 0, segments: 0, events: 0, checkpoints: 0 };
  try {
    const end = await walk(archive, verify, options, counts);
    return { valid: true, from_seq: options.firstSeq ?? 1, to_seq: end, ...counts };
  } catch (error) {
    if (error instanceof Broken) return { valid: false, first_break: error.found, checked: counts };
    throw error;
  }
}

async function walk(archive: ArchiveInput, verify: MlDsaVerify, options: ArchiveOptions, counts: ArchiveCounts): Promise<number> {
  const { tenant } = archive;
  const firstSeq = options.firstSeq ?? 1;
  if (!Number.isSafeInteger(firstSeq) || firstSeq < 1) throw new RangeError("firstSeq must be a positive integer");

  const keyProblem = await checkAuditKeys(archive.keys);
  if (keyProblem !== null) broken({ stage: "keys", reason: `audit key ${keyProblem.key_id}: ${keyProblem.reason}` });
  counts.keys = archive.keys.length;

  // Checkpoints in seq order; each is verified where the walk reaches its seq.
  const pending: ParsedCheckpoint[] = [];
  const bySegment = new Map<string, ParsedCheckpoint>();
  for (const signed of archive.checkpoints) {
    const payload = parseCheckpointPayload(signed.payload);
    if (payload === null) broken({ stage: "checkpoint", reason: `a checkpoint signed by ${String(signed.key_id)}: payload is not a checkpoint` });
    const parsed = { signed, payload };
    if (parsed.payload.segment !== null) {
      if (bySegment.has(parsed.payload.segment)) broken({ stage: "checkpoint", seq: parsed.payload.seq, segment: parsed.payload.segment, reason: `two checkpoints for segment ${parsed.payload.segment}` });
      bySegment.set(parsed.payload.segment, parsed);
    }
    pending.push(parsed);
  }
  pending.sort((a, b) => a.payload.seq - b.payload.seq);
  let next = 0;
  /** The checkpoints not yet reached whose seq is at most `seq`, in seq order. */
  const takeThrough = (seq: number) => {
    const taken: ParsedCheckpoint[] = [];
    for (let c = pending[next]; c !== undefined && c.payload.seq <= seq; c = pending[++next]) taken.push(c);
    return taken;
  };

  const checkSignature = async (c: ParsedCheckpoint) => {
    const result = await checkCheckpoint(c.signed, archive.keys, verify, tenant);
    if (!result.ok) broken({ stage: "checkpoint", seq: c.payload.seq, ...(c.payload.segment === null ? {} : { segment: c.payload.segment }), reason: `${checkpointName(c.payload)}: ${result.reason}` });
    counts.checkpoints++;
  };

  // Checkpoints before the archive's start: signatures only, and the one just before it pins prev_hash.
  const firstPrev = archive.manifest[0]?.prev_hash;
  for (const c of takeThrough(firstSeq - 1)) {
    await checkSignature(c);
    const expected = c.payload.seq === 0 ? GENESIS_HASH : c.payload.seq === firstSeq - 1 ? firstPrev : undefined;
    if (expected !== undefined && c.payload.hash !== expected) {
      broken({ stage: "checkpoint", seq: c.payload.seq, reason: `${checkpointName(c.payload)} signs hash ${c.payload.hash}, the archive's first prev_hash is ${expected}` });
    }
  }

  let expectedSeq = firstSeq;
  let prevHash: string | null = firstSeq === 1 ? GENESIS_HASH : null;
  for (const line of archive.manifest) {
    const id = String(line.segment);
    const range = parseSegmentId(id);
    if (line.tenant !== tenant) broken({ stage: "manifest", segment: id, reason: `manifest line of segment ${id} is for log ${String(line.tenant)}, not ${tenant}` });
    if (range === null || range.firstSeq !== line.first_seq || range.lastSeq !== line.last_seq || line.count !== line.last_seq - line.first_seq + 1) {
      broken({ stage: "manifest", segment: id, reason: `manifest line of segment ${id} does not match its id (first_seq, last_seq, count)` });
    }
    if (line.first_seq !== expectedSeq) {
      const reason = line.first_seq > expectedSeq
        ? `events ${expectedSeq}..${line.first_seq - 1} are missing: segment ${id} starts at seq ${line.first_seq}`
        : `segment ${id} starts at seq ${line.first_seq}, expected ${expectedSeq} (segments overlap or are out of order)`;
      broken({ stage: "manifest", seq: expectedSeq, segment: id, reason });
    }
    if (prevHash !== null && line.prev_hash !== prevHash) {
      broken({ stage: "manifest", seq: line.first_seq, segment: id, reason: `segment ${id}'s prev_hash is not the previous event's hash` });
    }
    const bytes = archive.segments.get(id);
    if (bytes === undefined) broken({ stage: "digest", seq: line.first_seq, segment: id, reason: `segment ${id} is missing (its manifest line is there)` });
    const digest = await sha256Hex(bytes);
    if (digest !== line.sha256) broken({ stage: "digest", seq: line.first_seq, segment: id, reason: `segment ${id}'s SHA-256 is ${digest}, its manifest line says ${line.sha256}` });
    if (bytes.length !== line.bytes) broken({ stage: "digest", seq: line.first_seq, segment: id, reason: `segment ${id} is ${bytes.length} bytes, its manifest line says ${line.bytes}` });
    counts.segments++;

    const events = await segmentEvents(id, bytes, line, tenant, counts);
    // The checkpoint made for this segment, then every other checkpoint whose seq falls inside it.
    const own = bySegment.get(id);
    if (own === undefined) broken({ stage: "checkpoint", seq: line.last_seq, segment: id, reason: `segment ${id} has no checkpoint` });
    if (own.payload.seq !== line.last_seq) broken({ stage: "checkpoint", seq: line.last_seq, segment: id, reason: `${checkpointName(own.payload)} does not name segment ${id}'s last event` });
    for (const c of takeThrough(line.last_seq)) {
      await checkSignature(c);
      const event = events[c.payload.seq - line.first_seq];
      const where = { stage: "checkpoint" as const, seq: c.payload.seq, segment: id };
      if (event === undefined || c.payload.hash !== event.hash) broken({ ...where, reason: `${checkpointName(c.payload)} signs hash ${c.payload.hash}, the archive's event ${c.payload.seq} has ${event?.hash ?? "none"}` });
      if (c.payload.segment !== null && c.payload.segment !== id) broken({ ...where, reason: `${checkpointName(c.payload)} names a segment that is not in the archive (the archive has ${id} there)` });
      if (c.payload.segment === id && (c.payload.seq !== line.last_seq || c.payload.segment_sha256 !== digest)) {
        broken({ ...where, reason: `${checkpointName(c.payload)} does not name this segment's last event and SHA-256` });
      }
    }
    expectedSeq = line.last_seq + 1;
    prevHash = line.last_hash;
  }

  // Coverage: checkpoints after the archive's end (a removed last segment leaves its checkpoint here).
  const end = expectedSeq - 1;
  const beyond = pending.slice(next);
  for (const c of beyond) await checkSignature(c);
  const missing = beyond.filter((c) => !options.restInVault || c.payload.segment !== null);
  const newest = missing.at(-1);
  if (newest !== undefined) {
    broken({
      stage: "coverage", seq: end + 1, ...(newest.payload.segment === null ? {} : { segment: newest.payload.segment }),
      reason: `events ${end + 1}..${newest.payload.seq} named by ${checkpointName(newest.payload)} are missing from the archive`,
    });
  }
  return end;
}

/** A segment's events, checked against its manifest line and chained (chain.ts) from its prev_hash. */
async function segmentEvents(id: string, bytes: Uint8Array, line: ManifestLine, tenant: string, counts: ArchiveCounts): Promise<AuditEvent[]> {
  function at(seq: number, reason: string): never {
    broken({ stage: "chain", seq, segment: id, reason });
  }
  const text = await gunzipText(bytes);
  if (text === null) at(line.first_seq, `segment ${id} is not gzip-compressed UTF-8`);
  const events = parseSegmentText(text);
  if (events === null) at(line.first_seq, `segment ${id} has a line that is not JSON`);
  // Canonical text only (segmentText): one eventLine per event, each ending in "\n", nothing else.
  const lines = text.split("\n");
  let prev = line.prev_hash;
  let seq = line.first_seq;
  for (const [i, event] of events.entries()) {
    if (!isCanonicalEvent(event) || eventLine(event) !== lines[i]) at(seq, `event ${seq} of segment ${id} is not a canonical event line`);
    if (event.tenant_id !== tenant) at(seq, `event ${seq} is of log ${event.tenant_id}, not ${tenant}`);
    if (event.seq !== seq) at(seq, `segment ${id} holds seq ${event.seq} where ${seq} belongs`);
    if (event.prev_hash !== prev) at(seq, `event ${seq}'s prev_hash is not event ${seq - 1}'s hash`);
    if (hashEvent(event) !== event.hash) at(seq, `event ${seq} does not hash to its recorded hash (edited)`);
    prev = event.hash;
    seq++;
    counts.events++;
  }
  if (lines.length !== events.length + 1 || lines.at(-1) !== "") at(seq, `segment ${id} has text after its last event line`);
  if (seq !== line.last_seq + 1) at(seq, `segment ${id} holds events ${line.first_seq}..${seq - 1}, its manifest line says ..${line.last_seq}`);
  if (prev !== line.last_hash) at(line.last_seq, `segment ${id}'s last event hash is not its manifest line's last_hash`);
  if (events[0]?.time !== line.first_time || events.at(-1)?.time !== line.last_time) at(line.first_seq, `segment ${id}'s event times differ from its manifest line`);
  return events;
}
