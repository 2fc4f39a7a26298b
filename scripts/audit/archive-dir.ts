/**
 * The offline archive directory (architecture §9; docs/audit-archive.md): the R2 layout of one log
 * below `logs/{tenant}/` (segments/, manifest/, checkpoints/) and `audit-keys.json`, the body of
 * `GET /v1/audit-keys`. Read here into what `verifyArchive` checks; written by `download.ts`.
 * A file whose name disagrees with its content, or a segment without a manifest line, is a break of
 * the archive (exit 1), not an I/O error: someone renamed or added objects.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import type { ManifestLine, MlDsaVerify, SignedCheckpoint } from "../../workers/shared/audit/archive-format.ts";
import { parseCheckpointPayload, SEGMENT_ID_PATTERN } from "../../workers/shared/audit/archive-format.ts";
import type { PublishedAuditKey } from "../../workers/shared/audit/archive-keys.ts";
import type { ArchiveBreak, ArchiveInput } from "../../workers/shared/audit/verify-archive.ts";

/** A problem with the command line or the files (exit 2), as opposed to a broken archive (exit 1). */
export class UsageError extends Error {}

/** FIPS 204 Algorithm 3 (ML-DSA.Verify, pure, with context) by noble: independent of the service's signer. */
export const nobleVerify: MlDsaVerify = (publicKey, message, signature, context) => ml_dsa65.verify(signature, message, publicKey, { context });

const SEGMENT_FILE = /^(\d{20}-\d{20})\.ndjson\.gz$/;
const CHECKPOINT_FILE = /^(\d{20})\.json$/;

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, "utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function list(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** The logs an archive directory holds (`logs/{tenant}/`). */
export async function archiveLogs(dir: string): Promise<string[]> {
  try {
    return (await readdir(path.join(dir, "logs"), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    throw new UsageError(`${dir} is not an audit archive: no logs/ directory`);
  }
}

/** Reads the keys list: `audit-keys.json` in the archive, or `keysFile` (a `GET /v1/audit-keys` body kept elsewhere). */
export async function readKeys(file: string): Promise<PublishedAuditKey[]> {
  let body: unknown;
  try {
    body = await readJson(file);
  } catch {
    throw new UsageError(`cannot read the audit keys from ${file}`);
  }
  const keys = (body as { keys?: unknown } | undefined)?.keys;
  if (!Array.isArray(keys)) throw new UsageError(`${file} is not a GET /v1/audit-keys body ({"keys": [...]})`);
  return keys as PublishedAuditKey[];
}

export interface LoadedArchive {
  archive: ArchiveInput;
  /** A break found in the layout itself, before any content is checked. */
  layout: ArchiveBreak | null;
}

/** Reads one log of an archive directory; manifest lines in the order their file names sort (log order). */
export async function readArchiveDir(dir: string, tenant: string, keys: PublishedAuditKey[]): Promise<LoadedArchive> {
  const root = path.join(dir, "logs", tenant);
  let layout: ArchiveBreak | null = null;
  const note = (found: ArchiveBreak) => {
    layout ??= found;
  };

  const manifest: ManifestLine[] = [];
  for (const name of await list(path.join(root, "manifest"))) {
    const id = name.replace(/\.json$/, "");
    if (!SEGMENT_ID_PATTERN.test(id) || !name.endsWith(".json")) {
      note({ stage: "manifest", reason: `manifest/${name} is not named {first}-{last}.json` });
      continue;
    }
    const line = await readJson(path.join(root, "manifest", name));
    if (typeof line !== "object" || line === null) note({ stage: "manifest", segment: id, reason: `manifest/${name} is not JSON` });
    else if ((line as ManifestLine).segment !== id) note({ stage: "manifest", segment: id, reason: `manifest/${name} describes segment ${String((line as ManifestLine).segment)}` });
    else manifest.push(line as ManifestLine);
  }
  const listed = new Set(manifest.map((line) => line.segment));

  const segments = new Map<string, Uint8Array>();
  for (const name of await list(path.join(root, "segments"))) {
    const id = SEGMENT_FILE.exec(name)?.[1];
    if (id === undefined) note({ stage: "manifest", reason: `segments/${name} is not named {first}-{last}.ndjson.gz` });
    else if (!listed.has(id)) note({ stage: "manifest", segment: id, reason: `segment ${id} has no manifest line` });
    else segments.set(id, new Uint8Array(await readFile(path.join(root, "segments", name))));
  }

  const checkpoints: SignedCheckpoint[] = [];
  for (const name of await list(path.join(root, "checkpoints"))) {
    const seq = CHECKPOINT_FILE.exec(name)?.[1];
    const signed = await readJson(path.join(root, "checkpoints", name));
    const payload = typeof signed === "object" && signed !== null ? parseCheckpointPayload(String((signed as SignedCheckpoint).payload)) : null;
    if (seq === undefined || payload === null) note({ stage: "checkpoint", reason: `checkpoints/${name} is not a signed checkpoint` });
    else if (payload.seq !== Number(seq)) note({ stage: "checkpoint", seq: payload.seq, reason: `checkpoints/${name} holds the checkpoint of seq ${payload.seq}` });
    else checkpoints.push(signed as SignedCheckpoint);
  }
  return { archive: { tenant, manifest, segments, checkpoints, keys }, layout };
}
