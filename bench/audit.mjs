#!/usr/bin/env node
// Audit at scale, measured in one Node process (architecture §9, bench/README.md "audit.mjs"):
//   - bytes per event in R2: a segment of AUDIT_SEGMENT_EVENTS realistic events as the archive writes
//     it (segmentText, gzip by CompressionStream), plus its manifest line and signed checkpoint;
//   - bytes per event in the vault: the vault's own audit_events schema (workers/kms/src/vault/
//     migrations.ts) in node:sqlite, an estimate of what a SQLite Durable Object stores;
//   - archive cost per 1,000 events: segmentText + gzip + SHA-256, CPU time;
//   - verify CPU for a log of --events events (1,000,000 by default): the full chain re-hash
//     (chain.ts hashEvent, as GET /v1/audit-events/verify did) beside the checkpointed check (one
//     ML-DSA-65 checkpoint signature, noble and OpenSSL, plus the re-hash of the at most
//     AUDIT_SEGMENT_EVENTS events after it). Goal: checkpointed ≤ 50 ms whatever the log's length.
//
//   node bench/audit.mjs [--runs 3] [--events 1000000]
//
// CPU time is process.cpuUsage (user + system, every thread of this process: zlib's included), not
// wall time: the machine is shared. Each figure is the median of --runs runs (min–max beside it),
// and the ratio is taken between figures of the same run.
import crypto from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import {
  CHECKPOINT_CONTEXT, CHECKPOINT_FORMAT, SEGMENT_FORMAT, checkpointPayloadText, segmentId, segmentText,
} from "../workers/shared/audit/archive-format.ts";
import { GENESIS_HASH, hashEvent } from "../workers/shared/audit/chain.ts";
import { VAULT_MIGRATIONS } from "../workers/kms/src/vault/migrations.ts";
import { AuditKeyBook, verifyLog } from "../workers/kms/src/vault/audit-verify.ts";
import { akpThumbprint } from "../workers/kms/src/crypto/public-key-formats.ts";
import { makeEvents } from "../test/support/audit-events.ts";
import { boundedInt, commandLine, machineLines, markdownTable, median, ms } from "./lib.mjs";

const { values: args } = parseArgs({ options: { runs: { type: "string" }, events: { type: "string" }, help: { type: "boolean", short: "h" } } });
if (args.help) {
  console.log("usage: node bench/audit.mjs [--runs 1..10 (3)] [--events 10000..1000000 (1000000)]");
  process.exit(0);
}
const RUNS = boundedInt("runs", args.runs, 3, 1, 10);
const EVENTS = boundedInt("events", args.events, 1_000_000, 10_000, 1_000_000);
/** workers/kms/wrangler.toml AUDIT_SEGMENT_EVENTS. */
const SEGMENT_EVENTS = 2000;
const CHUNK = 10_000;
const TENANT = "5b0e3c8a-1f2d-4c6b-9a7e-3d2f1e0c9b8a";
const utf8 = (text) => new TextEncoder().encode(text);

function cpuMs(start) {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function gzip(text) {
  return new Uint8Array(await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
}

async function sha256Hex(bytes) {
  return Buffer.from(await crypto.subtle.digest("SHA-256", bytes)).toString("hex");
}

/** A segment sealed as the archive does it; returns the object, its manifest line and the CPU it took. */
async function seal(events) {
  let start = process.cpuUsage();
  const text = segmentText(events);
  const textCpu = cpuMs(start);
  start = process.cpuUsage();
  const bytes = await gzip(text);
  const gzipCpu = cpuMs(start);
  start = process.cpuUsage();
  const sha256 = await sha256Hex(bytes);
  const shaCpu = cpuMs(start);
  const first = events[0];
  const last = events.at(-1);
  const line = {
    format: SEGMENT_FORMAT, tenant: TENANT, segment: segmentId(first.seq, last.seq), first_seq: first.seq, last_seq: last.seq,
    count: events.length, first_time: first.time, last_time: last.time, prev_hash: first.prev_hash, last_hash: last.hash,
    sha256, bytes: bytes.length,
  };
  return { bytes, line, cpu: { text: textCpu, gzip: gzipCpu, sha: shaCpu, total: textCpu + gzipCpu + shaCpu } };
}

/** The full check: every event re-hashed and chained from the genesis, CPU of the checking only. */
function fullVerifyCpu(total) {
  let cpu = 0;
  let prev = GENESIS_HASH;
  let seq = 1;
  for (let done = 0; done < total; done += CHUNK) {
    const events = makeEvents({ tenant: TENANT, firstSeq: seq, prevHash: prev, count: Math.min(CHUNK, total - done), seed: done + 1 });
    const start = process.cpuUsage();
    for (const event of events) {
      if (event.seq !== seq || event.prev_hash !== prev || hashEvent(event) !== event.hash) throw new Error(`chain broken at ${seq}`);
      prev = event.hash;
      seq++;
    }
    cpu += cpuMs(start);
  }
  return cpu;
}

/** The checkpointed check: the newest checkpoint's signature, then the events after it (at most a segment's worth). */
function checkpointedCpu(tail, signed, publicKey, nodeKey) {
  const context = utf8(CHECKPOINT_CONTEXT);
  const message = utf8(signed.payload);
  const hashesAfter = () => {
    let prev = tail[0].prev_hash;
    for (const event of tail) {
      if (event.prev_hash !== prev || hashEvent(event) !== event.hash) throw new Error("tail broken");
      prev = event.hash;
    }
  };
  let start = process.cpuUsage();
  if (!ml_dsa65.verify(signed.signature, message, publicKey, { context })) throw new Error("noble: checkpoint does not verify");
  const nobleVerify = cpuMs(start);
  start = process.cpuUsage();
  if (!crypto.verify(null, message, { key: nodeKey, context }, signed.signature)) throw new Error("OpenSSL: checkpoint does not verify");
  const opensslVerify = cpuMs(start);
  start = process.cpuUsage();
  hashesAfter();
  const rehash = cpuMs(start);
  return { nobleVerify, opensslVerify, rehash };
}

/**
 * The vault's own `verifyLog` (audit-verify.ts) from a checkpoint just before `tail`: the checkpoint's
 * signature against the published keys, then every event of `tail`; SQL reads left out.
 */
async function vaultVerifyCpu(tail, checkpoint, book) {
  const last = tail.at(-1);
  const source = {
    tenant: TENANT, head: { seq: last.seq, hash: last.hash }, latestCheckpoint: () => checkpoint, eventAt: () => undefined,
    eventsAfter: () => tail, oldestHeld: () => tail[0].seq, segmentEndingAt: () => undefined,
  };
  const start = process.cpuUsage();
  const verdict = await verifyLog(source, "checkpoint", book, (pk, msg, sig, context) => ml_dsa65.verify(sig, msg, pk, { context }));
  const cpu = cpuMs(start);
  if (!verdict.ok || !verdict.value.valid || verdict.value.checked !== tail.length) throw new Error(`verifyLog: ${JSON.stringify(verdict)}`);
  return cpu;
}

/** SQLite bytes per event for the vault's audit_events table (and its UNIQUE index on id). */
function vaultBytesPerEvent(events) {
  const ddl = VAULT_MIGRATIONS.map((m) => /CREATE TABLE audit_events \([\s\S]*?\n\s*\);/.exec(m)?.[0]).find(Boolean);
  if (ddl === undefined) throw new Error("no audit_events table in VAULT_MIGRATIONS");
  const db = new DatabaseSync(":memory:");
  db.exec(ddl);
  const pages = () => db.prepare("PRAGMA page_count").get().page_count - db.prepare("PRAGMA freelist_count").get().freelist_count;
  const pageSize = db.prepare("PRAGMA page_size").get().page_size;
  const before = pages();
  const insert = db.prepare(`INSERT INTO audit_events (seq, id, time, api_key_id, request_id, operation, key_id, key_version, outcome, rule,
    severity, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  db.exec("BEGIN");
  for (const e of events) insert.run(e.seq, e.id, e.time, e.api_key_id, e.request_id, e.operation, e.key_id, e.key_version, e.outcome, e.rule, e.severity, e.detail, e.prev_hash, e.hash);
  db.exec("COMMIT");
  const bytes = ((pages() - before) * pageSize) / events.length;
  db.close();
  return { bytes, pageSize };
}

const header = machineLines(["@noble/post-quantum", "@noble/hashes"]);
const { secretKey, publicKey } = ml_dsa65.keygen(new Uint8Array(32).fill(9));
const nodeKey = crypto.createPublicKey({
  key: { kty: "AKP", alg: "ML-DSA-65", pub: Buffer.from(publicKey).toString("base64url") }, format: "jwk",
});
// The published key list `verifyLog` checks against, and a checkpoint at the genesis (seq 0) for the
// segment's events to follow.
const pub = Buffer.from(publicKey).toString("base64url");
const keyId = await akpThumbprint("ML-DSA-65", pub);
const book = new AuditKeyBook(async () => ({
  ok: true,
  value: [{ key_id: keyId, algorithm: "ML-DSA-65", valid_from: "2000-01-01T00:00:00.000Z", valid_until: null, status: "current", public_key: { pem: "", jwk: { kty: "AKP", alg: "ML-DSA-65", pub, kid: keyId } } }],
}));
const genesisPayload = checkpointPayloadText({
  format: CHECKPOINT_FORMAT, tenant: TENANT, seq: 0, hash: GENESIS_HASH, time: new Date().toISOString(), segment: null, segment_sha256: null, key_id: keyId,
});
const genesisCheckpoint = {
  seq: 0, payload: genesisPayload, key_id: keyId, created_at: Date.now(),
  signature: Buffer.from(ml_dsa65.sign(utf8(genesisPayload), secretKey, { context: utf8(CHECKPOINT_CONTEXT) })).toString("base64"),
};
const runs = [];
for (let run = 0; run < RUNS; run++) {
  // One realistic segment, sealed: its size and the archive's cost.
  const segment = makeEvents({ tenant: TENANT, count: SEGMENT_EVENTS, seed: 1000 + run });
  const plainBytes = utf8(segmentText(segment)).length;
  const sealed = await seal(segment);
  const sealCpu = [sealed.cpu];
  for (let i = 0; i < 6; i++) sealCpu.push((await seal(segment)).cpu);
  const per1000 = (key) => median(sealCpu.map((c) => c[key])) / (SEGMENT_EVENTS / 1000);
  const payload = checkpointPayloadText({
    format: CHECKPOINT_FORMAT, tenant: TENANT, seq: sealed.line.last_seq, hash: sealed.line.last_hash, time: new Date().toISOString(),
    segment: sealed.line.segment, segment_sha256: sealed.line.sha256, key_id: "x".repeat(43),
  });
  const signature = ml_dsa65.sign(utf8(payload), secretKey, { context: utf8(CHECKPOINT_CONTEXT) });
  const checkpointJson = JSON.stringify({ payload, signature: Buffer.from(signature).toString("base64"), key_id: "x".repeat(43) });
  const manifestJson = JSON.stringify(sealed.line);
  const vault = vaultBytesPerEvent(makeEvents({ tenant: TENANT, count: 100_000, seed: 2000 + run }));

  const full = fullVerifyCpu(EVENTS);
  const checkpointed = [];
  for (let i = 0; i < 10; i++) checkpointed.push(checkpointedCpu(segment, { payload, signature }, publicKey, nodeKey));
  const pick = (key) => median(checkpointed.map((c) => c[key]));
  const vaultPath = [];
  for (let i = 0; i < 10; i++) vaultPath.push(await vaultVerifyCpu(segment, genesisCheckpoint, book));
  runs.push({
    gzipPerEvent: sealed.bytes.length / SEGMENT_EVENTS,
    plainPerEvent: plainBytes / SEGMENT_EVENTS,
    r2PerEvent: (sealed.bytes.length + manifestJson.length + checkpointJson.length) / SEGMENT_EVENTS,
    vaultPerEvent: vault.bytes,
    pageSize: vault.pageSize,
    archivePer1000: per1000("total"),
    textPer1000: per1000("text"),
    gzipPer1000: per1000("gzip"),
    shaPer1000: per1000("sha"),
    full,
    nobleVerify: pick("nobleVerify"),
    opensslVerify: pick("opensslVerify"),
    rehash: pick("rehash"),
    checkpointedNoble: pick("nobleVerify") + pick("rehash"),
    checkpointedOpenssl: pick("opensslVerify") + pick("rehash"),
    vaultVerify: median(vaultPath),
  });
  console.error(`run ${run + 1}/${RUNS} done`);
}

const stat = (key, format = ms) => {
  const values = runs.map((r) => r[key]);
  return `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;
};
const bytes = (v) => v.toFixed(1);
const ratio = (r) => r.full / r.checkpointedNoble;
const goal = Math.max(...runs.map((r) => r.checkpointedNoble));
console.log([
  `### pqkms audit archive and verification`,
  "",
  "```",
  `command: ${commandLine()}`,
  ...header,
  `runs: ${RUNS}; segment: ${SEGMENT_EVENTS} events; log verified in full: ${EVENTS.toLocaleString("en")} events; CPU time (process.cpuUsage)`,
  "```",
  "",
  markdownTable(["measure", "median (min–max over runs)"], [
    ["R2: segment bytes per event, gzip", stat("gzipPerEvent", bytes)],
    ["R2: segment bytes per event, uncompressed NDJSON", stat("plainPerEvent", bytes)],
    ["R2: bytes per event, gzip segment + manifest line + checkpoint", stat("r2PerEvent", bytes)],
    [`vault (estimate: node:sqlite, audit_events + its id index, ${runs[0].pageSize} B pages)`, stat("vaultPerEvent", bytes)],
    ["archive CPU per 1,000 events (segmentText + gzip + SHA-256), ms", stat("archivePer1000")],
    ["… of which segmentText, ms", stat("textPer1000")],
    ["… of which gzip (CompressionStream), ms", stat("gzipPer1000")],
    ["… of which SHA-256 (crypto.subtle), ms", stat("shaPer1000")],
    [`verify, full re-hash of ${EVENTS.toLocaleString("en")} events, ms`, stat("full")],
    ["verify, checkpointed: ML-DSA-65 signature (noble), ms", stat("nobleVerify")],
    ["verify, checkpointed: ML-DSA-65 signature (OpenSSL 3.5), ms", stat("opensslVerify")],
    [`verify, checkpointed: re-hash of the ${SEGMENT_EVENTS} events after it, ms`, stat("rehash")],
    ["verify, checkpointed total (noble + re-hash), ms", stat("checkpointedNoble")],
    ["verify, checkpointed total (OpenSSL + re-hash), ms", stat("checkpointedOpenssl")],
    [`verify, checkpointed through the vault's verifyLog (signature + ${SEGMENT_EVENTS} events, no SQL reads), ms`, stat("vaultVerify")],
    ["full ÷ checkpointed (noble), within each run", `${median(runs.map(ratio)).toFixed(0)}× (${Math.min(...runs.map(ratio)).toFixed(0)}–${Math.max(...runs.map(ratio)).toFixed(0)}×)`],
  ]),
  "",
  `Goal, checkpointed ≤ 50 ms: ${goal <= 50 ? "met" : "NOT met"} (worst run ${ms(goal)} ms, noble signature + ${SEGMENT_EVENTS}-event re-hash).`,
].join("\n"));
