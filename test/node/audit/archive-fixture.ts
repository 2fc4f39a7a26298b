/**
 * A synthetic audit archive built with the service's own formats (architecture §9): realistic events
 * chained by chain.ts, segments as `segmentText` gzip-compressed with CompressionStream, manifest
 * lines, checkpoints signed with noble ML-DSA-65 over `checkpointPayloadText` with CHECKPOINT_CONTEXT,
 * and a key list shaped like `GET /v1/audit-keys` (two versions: a retired one and the current one).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import type { AuditKeyView } from "../../../workers/shared/rpc.ts";
import {
  CHECKPOINT_CONTEXT, CHECKPOINT_FORMAT, SEGMENT_FORMAT, checkpointObjectKey, checkpointPayloadText, manifestObjectKey, segmentId,
  segmentObjectKey, segmentText,
  type CheckpointPayload, type ManifestLine, type SignedCheckpoint,
} from "../../../workers/shared/audit/archive-format.ts";
import type { AuditEvent } from "../../../workers/shared/audit/chain.ts";
import type { ArchiveInput } from "../../../workers/shared/audit/verify-archive.ts";
import { encodeJwk, encodePem } from "../../../workers/kms/src/crypto/public-key-formats.ts";
import { toBase64 } from "../../../workers/shared/base64.ts";
import { makeEvents } from "../../support/audit-events.ts";

export interface Signer {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  view: AuditKeyView;
}

export const SEGMENT_EVENTS = 40;
export const SEGMENTS = 5;
/** The seq of the on-demand checkpoint made inside the archive (segment 4). */
export const ON_DEMAND_SEQ = 130;
export const ROTATED_AT = Date.UTC(2026, 11, 1, 9, 0, 8);

export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

const utf8 = (text: string) => new TextEncoder().encode(text);

export async function makeSigner(seedByte: number, validFrom: number, validUntil: number | null): Promise<Signer> {
  const { secretKey, publicKey } = ml_dsa65.keygen(new Uint8Array(32).fill(seedByte));
  const jwk = await encodeJwk("ML-DSA-65", publicKey);
  const view: AuditKeyView = {
    key_id: jwk.kid,
    algorithm: "ML-DSA-65",
    valid_from: new Date(validFrom).toISOString(),
    valid_until: validUntil === null ? null : new Date(validUntil).toISOString(),
    status: validUntil === null ? "current" : "retired",
    public_key: { pem: encodePem("ML-DSA-65", publicKey), jwk: { ...jwk } },
  };
  return { secretKey, publicKey, view };
}

/** Signs a payload as the kms does: ML-DSA-65 (FIPS 204 pure) over its exact text, with the checkpoint context. */
export function signCheckpoint(payload: CheckpointPayload, signer: Signer): SignedCheckpoint {
  const text = checkpointPayloadText(payload);
  const signature = ml_dsa65.sign(utf8(text), signer.secretKey, { context: utf8(CHECKPOINT_CONTEXT) });
  return { payload: text, signature: toBase64(signature), key_id: payload.key_id };
}

/** One segment's object bytes and manifest line. */
export async function sealSegment(tenant: string, events: readonly AuditEvent[]): Promise<{ bytes: Uint8Array; line: ManifestLine }> {
  const first = events[0];
  const last = events.at(-1);
  if (first === undefined || last === undefined) throw new Error("a segment holds at least one event");
  const bytes = await gzip(segmentText(events));
  const line: ManifestLine = {
    format: SEGMENT_FORMAT, tenant, segment: segmentId(first.seq, last.seq), first_seq: first.seq, last_seq: last.seq,
    count: events.length, first_time: first.time, last_time: last.time, prev_hash: first.prev_hash, last_hash: last.hash,
    sha256: await sha256Hex(bytes), bytes: bytes.length,
  };
  return { bytes, line };
}

export function segmentCheckpoint(line: ManifestLine, signer: Signer, time: number): SignedCheckpoint {
  return signCheckpoint({
    format: CHECKPOINT_FORMAT, tenant: line.tenant, seq: line.last_seq, hash: line.last_hash, time: new Date(time).toISOString(),
    segment: line.segment, segment_sha256: line.sha256, key_id: signer.view.key_id,
  }, signer);
}

/** An archive as verifyArchive reads it, mutable so a test can tamper with its copy. */
export interface ArchiveCopy extends ArchiveInput {
  manifest: ManifestLine[];
  segments: Map<string, Uint8Array>;
  checkpoints: SignedCheckpoint[];
  keys: AuditKeyView[];
}

export interface Fixture {
  tenant: string;
  events: AuditEvent[];
  retired: Signer;
  current: Signer;
  /** A well-formed key the service never published. */
  stranger: Signer;
  /** A fresh copy of the valid archive, safe to tamper with. */
  archive(): ArchiveCopy;
}

/** Five segments of 40 events; segments 1–2 signed by the retired key, the rest (and one on-demand checkpoint) by the current one. */
export async function buildFixture(tenant = crypto.randomUUID()): Promise<Fixture> {
  const retired = await makeSigner(1, Date.UTC(2026, 10, 1), ROTATED_AT);
  const current = await makeSigner(2, ROTATED_AT, null);
  const stranger = await makeSigner(3, Date.UTC(2026, 10, 1), null);
  const events = makeEvents({ tenant, count: SEGMENT_EVENTS * SEGMENTS, seed: 7, startTime: Date.UTC(2026, 11, 1, 9, 0, 0) });
  const manifest: ManifestLine[] = [];
  const segments = new Map<string, Uint8Array>();
  const checkpoints: SignedCheckpoint[] = [];
  for (let s = 0; s < SEGMENTS; s++) {
    const { bytes, line } = await sealSegment(tenant, events.slice(s * SEGMENT_EVENTS, (s + 1) * SEGMENT_EVENTS));
    manifest.push(line);
    segments.set(line.segment, bytes);
    // Segments 1-2 signed a second after their last event, before the rotation; 3-5 a second apart after it.
    const time = s < 2 ? line.last_time + 1000 : ROTATED_AT + s * 1000;
    checkpoints.push(segmentCheckpoint(line, s < 2 ? retired : current, time));
  }
  const onDemand = events[ON_DEMAND_SEQ - 1] as AuditEvent;
  checkpoints.push(signCheckpoint({
    format: CHECKPOINT_FORMAT, tenant, seq: onDemand.seq, hash: onDemand.hash, time: new Date(ROTATED_AT + 2500).toISOString(),
    segment: null, segment_sha256: null, key_id: current.view.key_id,
  }, current));
  const keys = [current.view, retired.view];
  return {
    tenant, events, retired, current, stranger,
    archive: (): ArchiveCopy => ({
      tenant,
      manifest: manifest.map((line) => ({ ...line })),
      segments: new Map(segments),
      checkpoints: checkpoints.map((c) => ({ ...c })),
      keys: keys.map((k) => structuredClone(k)),
    }),
  };
}

/** Writes an archive as `scripts/audit-archive.ts download` does: the R2 layout under logs/{tenant}/ and audit-keys.json. */
export async function writeArchiveDir(dir: string, archive: ArchiveInput): Promise<void> {
  const put = async (key: string, data: string | Uint8Array) => {
    await mkdir(path.dirname(path.join(dir, key)), { recursive: true });
    await writeFile(path.join(dir, key), data);
  };
  for (const line of archive.manifest) {
    await put(manifestObjectKey(archive.tenant, line.segment), `${JSON.stringify(line)}\n`);
    const bytes = archive.segments.get(line.segment);
    if (bytes !== undefined) await put(segmentObjectKey(archive.tenant, line.segment), bytes);
  }
  for (const signed of archive.checkpoints) {
    const seq = (JSON.parse(signed.payload) as CheckpointPayload).seq;
    await put(checkpointObjectKey(archive.tenant, seq), `${JSON.stringify(signed)}\n`);
  }
  await put("audit-keys.json", `${JSON.stringify({ keys: archive.keys }, null, 2)}\n`);
}
