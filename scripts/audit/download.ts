/**
 * Downloads one audit log into an archive directory (architecture §9; layout in archive-dir.ts):
 * the checkpoints first, then the segment listing, then each segment whose checkpoint was listed
 * (a newer segment whose checkpoint is still being signed is left for the next run, so the copy
 * never holds a segment it cannot check), then the audit keys. Every segment's bytes are checked
 * against the `Repr-Digest` header (RFC 9530 §2) and the listing's SHA-256 before they are written,
 * and written under a temporary name first, so an interrupted run leaves no half-written segment.
 * A segment already present with the listed digest is not fetched again.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  PLATFORM_AUDIT_TENANT, type AuditCheckpointView, type AuditKeyView, type AuditSegmentView,
} from "../../workers/shared/rpc.ts";
import {
  SEGMENT_FORMAT, checkpointObjectKey, manifestObjectKey, parseCheckpointPayload, segmentObjectKey,
  type ManifestLine, type SignedCheckpoint,
} from "../../workers/shared/audit/archive-format.ts";
import { UsageError } from "./archive-dir.ts";

export interface DownloadOptions {
  url: string;
  /** A tenant API key (scope audit:read), or the platform admin token for the platform's log. */
  credential: { apiKey: string } | { adminToken: string };
  out: string;
  tenant?: string;
  log: (line: string) => void;
}

export interface DownloadReport {
  tenant: string;
  segments: number;
  fetched: number;
  checkpoints: number;
  keys: number;
  /** Segments listed whose checkpoint was not yet listed: left for a later run. */
  deferred: number;
  /** A download whose bytes did not match its digests (nothing written for it). */
  mismatch: string | null;
  newestCheckpointSeq: number | null;
  archiveEnd: number;
}

const PAGE = 100;

/** RFC 9530 §2: the sha-256 member of a Repr-Digest dictionary, as hex. */
export function reprDigestSha256(header: string | null): string | null {
  const match = header === null ? null : /(?:^|,)\s*sha-256=:([A-Za-z0-9+/]+={0,2}):/.exec(header);
  return match?.[1] === undefined ? null : Buffer.from(match[1], "base64").toString("hex");
}

async function writeAtomically(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.partial`;
  await writeFile(temporary, data);
  await rename(temporary, file);
}

async function fileSha256(file: string): Promise<string | null> {
  try {
    return createHash("sha256").update(await readFile(file)).digest("hex");
  } catch {
    return null;
  }
}

export async function download(options: DownloadOptions): Promise<DownloadReport> {
  const admin = "adminToken" in options.credential;
  const base = options.url.replace(/\/+$/, "") + (admin ? "/admin/v1" : "/v1");
  const headers: Record<string, string> =
    "adminToken" in options.credential ? { authorization: `Bearer ${options.credential.adminToken}` } : { "x-api-key": options.credential.apiKey };

  async function get(pathname: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${base}${pathname}`, { headers });
    } catch (error) {
      throw new UsageError(`GET ${base}${pathname}: ${(error as Error).message}`);
    }
    if (!response.ok) throw new UsageError(`GET ${base}${pathname}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
    return response;
  }
  async function pages<T>(pathname: string, field: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=${PAGE}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
      const body = (await (await get(`${pathname}${query}`)).json()) as Record<string, unknown>;
      const page = body[field];
      if (!Array.isArray(page)) throw new UsageError(`GET ${pathname}: no ${field} array in the answer`);
      items.push(...(page as T[]));
      cursor = typeof body.next_cursor === "string" ? body.next_cursor : null;
    } while (cursor !== null);
    return items;
  }

  const checkpoints = await pages<AuditCheckpointView>("/audit-checkpoints", "checkpoints");
  const listing = (await pages<AuditSegmentView>("/audit-exports", "segments")).sort((a, b) => a.first_seq - b.first_seq);
  const keysBody = (await (await get("/audit-keys")).json()) as { keys: AuditKeyView[] };
  const payloads = checkpoints.map((c) => parseCheckpointPayload(c.payload));
  const tenant = options.tenant ?? (admin ? PLATFORM_AUDIT_TENANT : payloads.find((p) => p !== null)?.tenant ?? (await tenantId()));
  async function tenantId(): Promise<string> {
    const body = (await (await get("/tenant")).json()) as { id?: unknown };
    if (typeof body.id !== "string") throw new UsageError("cannot tell the tenant id: pass --tenant");
    return body.id;
  }

  const signedSegments = new Set(payloads.flatMap((p) => (p?.segment == null ? [] : [p.segment])));
  const report: DownloadReport = {
    tenant, segments: 0, fetched: 0, checkpoints: 0, keys: keysBody.keys.length, deferred: 0, mismatch: null,
    newestCheckpointSeq: null, archiveEnd: 0,
  };
  for (const [i, view] of listing.entries()) {
    if (!signedSegments.has(view.id)) {
      report.deferred = listing.length - i;
      options.log(`segments from ${view.id} on (${report.deferred}) are left for a later run: their checkpoints are not signed yet`);
      break;
    }
    const file = path.join(options.out, segmentObjectKey(tenant, view.id));
    if ((await fileSha256(file)) !== view.sha256) {
      const response = await get(`/audit-exports/${encodeURIComponent(view.id)}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const actual = createHash("sha256").update(bytes).digest("hex");
      const announced = reprDigestSha256(response.headers.get("repr-digest"));
      if (actual !== announced || actual !== view.sha256) {
        report.mismatch = `segment ${view.id}: SHA-256 of the bytes ${actual}, Repr-Digest ${announced ?? "absent"}, listing ${view.sha256}`;
        break;
      }
      await writeAtomically(file, bytes);
      report.fetched++;
    }
    const line: ManifestLine = {
      format: SEGMENT_FORMAT, tenant, segment: view.id, first_seq: view.first_seq, last_seq: view.last_seq, count: view.count,
      first_time: Date.parse(view.first_time), last_time: Date.parse(view.last_time), prev_hash: view.prev_hash,
      last_hash: view.last_hash, sha256: view.sha256, bytes: view.bytes,
    };
    await writeAtomically(path.join(options.out, manifestObjectKey(tenant, view.id)), `${JSON.stringify(line)}\n`);
    report.segments++;
    report.archiveEnd = view.last_seq;
  }
  for (const c of checkpoints) {
    const signed: SignedCheckpoint = { payload: c.payload, signature: c.signature, key_id: c.key_id };
    await writeAtomically(path.join(options.out, checkpointObjectKey(tenant, c.seq)), `${JSON.stringify(signed)}\n`);
    report.checkpoints++;
    report.newestCheckpointSeq = Math.max(report.newestCheckpointSeq ?? 0, c.seq);
  }
  await writeAtomically(path.join(options.out, "audit-keys.json"), `${JSON.stringify(keysBody, null, 2)}\n`);
  return report;
}
