#!/usr/bin/env node
/**
 * `npm run audit-archive -- …` (= node scripts/audit-archive.ts): copies a tenant's (or the platform's) audit
 * archive out of pqkms and checks a copy offline (architecture §9, docs/audit-archive.md). Node 24
 * runs it as is (type stripping); the checks are workers/shared/audit/verify-archive.ts, the
 * ML-DSA-65 verification is noble's, so nothing of the service is trusted but its published keys.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import type { SignedCheckpoint } from "../workers/shared/audit/archive-format.ts";
import { verifyArchive, type ArchiveBreak, type ArchiveStage, type ArchiveVerdict } from "../workers/shared/audit/verify-archive.ts";
import { UsageError, archiveLogs, nobleVerify, readArchiveDir, readKeys } from "./audit/archive-dir.ts";
import { download } from "./audit/download.ts";

const HELP = `usage:
  node scripts/audit-archive.ts download [--url URL] (--api-key KEY | --admin-token TOKEN) --out DIR [--tenant ID]
  node scripts/audit-archive.ts verify --from-archive DIR [--tenant ID] [--keys FILE] [--checkpoint FILE]... [--from-seq N] [--rest-in-vault] [--json]

download  pages GET /v1/audit-checkpoints, /v1/audit-exports and /v1/audit-keys (with --admin-token:
          the platform's log, /admin/v1/...) and writes DIR/logs/{tenant}/{segments,manifest,checkpoints}/
          and DIR/audit-keys.json. Each segment's SHA-256 is checked against its Repr-Digest header and
          the listing before it is written. --url and --api-key default to $PQKMS_URL and $PQKMS_API_KEY.
verify    checks every segment's SHA-256, the chain inside and across segments, every checkpoint's
          ML-DSA-65 signature (context "pqkms audit checkpoint v1") and that the archive reaches the
          newest checkpoint, and names the first break.
          --keys FILE      the audit keys to trust (a GET /v1/audit-keys body kept apart from the
                           archive); default DIR/audit-keys.json
          --checkpoint FILE  a signed checkpoint kept from earlier ({payload, signature, key_id}):
                           the archive must reach it too (a copy cut short together with its
                           own newest checkpoints is found this way); may be repeated
          --from-seq N     the archive starts at seq N, not at the log's first event
          --rest-in-vault  events after the archive's last segment are still in the vault's hot
                           window: a checkpoint made on demand may name them
          --json           print the verdict as JSON

exit codes: 0 valid (verify) or downloaded; 1 the archive is broken (verify), or a download did not
match its digests (download); 2 usage, network or file error.`;

type Values = Record<string, string | boolean | string[] | undefined>;

function text(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

type Valid = Extract<ArchiveVerdict, { valid: true }>;
/** Each stage's line when it passed, and which count says how far it got when another stage broke. */
const STAGES: readonly { stage: ArchiveStage; ok: (v: Valid, restInVault: boolean) => string; soFar: "" | "segments" | "events" | "checkpoints" }[] = [
  { stage: "keys", ok: (v) => `${v.keys} audit keys: ML-DSA-65, key ids are their RFC 7638 thumbprints`, soFar: "" },
  { stage: "manifest", ok: (v) => `${v.segments} segments follow each other from seq ${v.from_seq}`, soFar: "segments" },
  { stage: "digest", ok: (v) => `${v.segments} segments match their manifest SHA-256`, soFar: "segments" },
  { stage: "chain", ok: (v) => `events ${v.from_seq}..${v.to_seq} (${v.events}) re-hash and chain`, soFar: "events" },
  { stage: "checkpoint", ok: (v) => `${v.checkpoints} checkpoint signatures verify under keys valid when they were signed`, soFar: "checkpoints" },
  {
    stage: "coverage",
    ok: (v, rest) => `no ${rest ? "segment's checkpoint" : "checkpoint"} names an event after seq ${v.to_seq}${rest ? " (later events: the vault's hot window)" : ""}`,
    soFar: "",
  },
];

/** One line per stage, then the verdict. */
export function verdictLines(verdict: ArchiveVerdict, tenant: string, restInVault: boolean): string[] {
  if (verdict.valid) {
    return [...STAGES.map((s) => `${s.stage.padEnd(11)} ok      ${s.ok(verdict, restInVault)}`), `VALID: events ${verdict.from_seq}..${verdict.to_seq} of log ${tenant}`];
  }
  const found: ArchiveBreak = verdict.first_break;
  const brokenAt = STAGES.findIndex((s) => s.stage === found.stage);
  const lines = STAGES.map((s, i) => {
    const label = s.stage.padEnd(11);
    if (i === brokenAt) return `${label} BROKEN  ${found.reason}`;
    if (i > brokenAt && (s.soFar === "" || brokenAt === 0)) return `${label} -       not reached`;
    return s.soFar === "" ? `${label} ok` : `${label} ok      ${verdict.checked[s.soFar]} ${s.soFar} checked before the break`;
  });
  const where = [found.seq === undefined ? null : `seq ${found.seq}`, found.segment === undefined ? null : `segment ${found.segment}`].filter(Boolean).join(", ");
  return [...lines, `BROKEN: first break${where ? ` at ${where}` : ""}: ${found.reason}`];
}

/** Checkpoints saved apart from the archive (`--checkpoint FILE`, repeatable). */
async function readKeptCheckpoints(files: unknown): Promise<SignedCheckpoint[]> {
  const list = Array.isArray(files) ? (files as string[]) : [];
  const kept: SignedCheckpoint[] = [];
  for (const file of list) {
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, "utf8"));
    } catch {
      throw new UsageError(`cannot read a checkpoint from ${file}`);
    }
    const signed = value as Partial<SignedCheckpoint> | null;
    if (typeof signed?.payload !== "string" || typeof signed.signature !== "string" || typeof signed.key_id !== "string") {
      throw new UsageError(`${file} is not a signed checkpoint ({"payload", "signature", "key_id"})`);
    }
    kept.push({ payload: signed.payload, signature: signed.signature, key_id: signed.key_id });
  }
  return kept;
}

async function runVerify(values: Values): Promise<number> {
  const dir = text(values, "from-archive");
  if (dir === undefined) throw new UsageError("verify needs --from-archive DIR");
  const fromSeq = text(values, "from-seq") === undefined ? 1 : Number(text(values, "from-seq"));
  if (!Number.isSafeInteger(fromSeq) || fromSeq < 1) throw new UsageError("--from-seq must be a positive integer");
  const logs = await archiveLogs(dir);
  const tenant = text(values, "tenant") ?? (logs.length === 1 ? logs[0] : undefined);
  if (tenant === undefined || !logs.includes(tenant)) {
    throw new UsageError(`${dir}/logs holds ${logs.length === 0 ? "no log" : `the logs ${logs.join(", ")}`}: name one with --tenant`);
  }
  const keys = await readKeys(text(values, "keys") ?? path.join(dir, "audit-keys.json"));
  const restInVault = values["rest-in-vault"] === true;
  const { archive, layout } = await readArchiveDir(dir, tenant, keys);
  const kept = await readKeptCheckpoints(values.checkpoint);
  const known = new Set(archive.checkpoints.map((c) => c.payload));
  const checkpoints = [...archive.checkpoints, ...kept.filter((c) => !known.has(c.payload))];
  const verdict: ArchiveVerdict = layout !== null
    ? { valid: false, first_break: layout, checked: { keys: 0, segments: 0, events: 0, checkpoints: 0 } }
    : await verifyArchive({ ...archive, checkpoints }, nobleVerify, { firstSeq: fromSeq, restInVault });
  if (values.json === true) console.log(JSON.stringify({ tenant, ...verdict }));
  else for (const line of verdictLines(verdict, tenant, restInVault)) console.log(line);
  return verdict.valid ? 0 : 1;
}

async function runDownload(values: Values): Promise<number> {
  const url = text(values, "url") ?? process.env.PQKMS_URL;
  const out = text(values, "out");
  const adminToken = text(values, "admin-token");
  const apiKey = text(values, "api-key") ?? (adminToken === undefined ? process.env.PQKMS_API_KEY : undefined);
  if (url === undefined || out === undefined) throw new UsageError("download needs --url URL (or $PQKMS_URL) and --out DIR");
  if ((apiKey === undefined) === (adminToken === undefined)) throw new UsageError("download needs one of --api-key KEY ($PQKMS_API_KEY) or --admin-token TOKEN");
  const tenant = text(values, "tenant");
  const report = await download({
    url, out, log: (line) => console.log(line), ...(tenant === undefined ? {} : { tenant }),
    credential: adminToken === undefined ? { apiKey: apiKey as string } : { adminToken },
  });
  console.log(`log ${report.tenant}: ${report.segments} segments (${report.fetched} fetched), ${report.checkpoints} checkpoints, ${report.keys} audit keys in ${out}`);
  if (report.newestCheckpointSeq !== null && report.newestCheckpointSeq > report.archiveEnd) {
    console.log(`events after seq ${report.archiveEnd} (to ${report.newestCheckpointSeq}) are still in the vault: verify with --rest-in-vault`);
  }
  if (report.mismatch !== null) {
    console.error(`download did not match its digests, nothing written for it: ${report.mismatch}`);
    return 1;
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string" }, "api-key": { type: "string" }, "admin-token": { type: "string" }, out: { type: "string" },
      tenant: { type: "string" }, "from-archive": { type: "string" }, keys: { type: "string" }, "from-seq": { type: "string" },
      checkpoint: { type: "string", multiple: true },
      "rest-in-vault": { type: "boolean" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("name one command: download or verify");
  if (positionals[0] === "verify") return runVerify(values);
  if (positionals[0] === "download") return runDownload(values);
  throw new UsageError(`unknown command ${String(positionals[0])}`);
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const known = error instanceof UsageError || (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"));
      console.error(known ? `audit-archive: ${(error as Error).message}\n\n${HELP}` : `audit-archive: ${String((error as Error)?.stack ?? error)}`);
      process.exit(2);
    },
  );
}
