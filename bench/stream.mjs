#!/usr/bin/env node
// Streaming envelope encryption (docs/stream-format.md), measured against node:crypto in one run:
//   - `stream`: @pqkms/client's encryptStream / decryptStream (Web Crypto AES-256-GCM, the SDK's
//     default 64 KiB chunks and window of 4), file to file through Web Streams;
//   - `stream, window 1`: the same with one chunk at a time;
//   - `node:crypto`: createCipheriv / createDecipheriv('aes-256-gcm') over the same bytes in the same
//     64 KiB chunks (a fresh cipher per chunk, nonce prefix ‖ counter ‖ flag), a plain read → seal →
//     write loop on the same file handles.
// Each step runs in a fresh child process, so its peak RSS (Linux VmHWM; elsewhere the sampled
// maximum of process.memoryUsage().rss) is its own; the same steps over a 64 MiB file beside the
// 1 GiB one, and the peak sampled while the first half of the input is read beside the peak while
// the second half is, show whether memory stays flat. Goal: stream ≥ 0.7 × node:crypto, by MiB/s.
//
//   node bench/stream.mjs [--runs 3] [--mib 1024] [--small-mib 64] [--chunk-kib 64]
//
// The files go to os.tmpdir() and are deleted at the end (also on failure). The data key is wrapped
// by a key-encryption key held in the child (no KMS call: decryption's one unwrap is not what is
// measured). MiB/s is wall time of the child's work (after start-up); CPU is process.cpuUsage, every
// thread of the child (Web Crypto runs on libuv's pool), per GiB processed.
import { createCipheriv, createDecipheriv, createHash, randomFillSync } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { boundedInt, commandLine, loadLine, machineLines, markdownTable, median } from "./lib.mjs";

const MiB = 2 ** 20;
const { values: args } = parseArgs({
  options: { runs: { type: "string" }, "chunk-kib": { type: "string" }, mib: { type: "string" }, "small-mib": { type: "string" }, child: { type: "string" }, help: { type: "boolean", short: "h" } },
});
/** Plaintext bytes per chunk, both paths: the SDK's default unless --chunk-kib says otherwise. */
const CHUNK = boundedInt("chunk-kib", args["chunk-kib"], 64, 1, 16384) * 1024;

function safeRead(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

async function testKek() {
  // A key-encryption key in this process, standing in for the KMS (the CLI plugs seal / /datakey).
  const kek = await crypto.subtle.importKey("raw", new Uint8Array(32).fill(0x4b), "AES-GCM", false, ["encrypt", "decrypt"]);
  return {
    async wrapDataKey(dataKey, aad) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, kek, dataKey));
      return new Uint8Array([...iv, ...ct]);
    },
    async unwrapDataKey(wrapped, aad) {
      return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: wrapped.subarray(0, 12), additionalData: aad }, kek, wrapped.subarray(12)));
    },
  };
}

/** Bytes read from the input so far, for the sampler's first-half / second-half split. */
const progress = { read: 0 };

/** A ReadableStream over a file, one CHUNK-sized read per pull (no read-ahead of its own). */
function fileSource(handle) {
  return new ReadableStream(
    {
      async pull(controller) {
        const buffer = Buffer.allocUnsafe(CHUNK);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
        progress.read += bytesRead;
        if (bytesRead === 0) controller.close();
        else controller.enqueue(buffer.subarray(0, bytesRead));
      },
    },
    { highWaterMark: 0 },
  );
}

function fileSink(handle) {
  return new WritableStream({ write: (chunk) => handle.write(chunk).then(() => undefined) });
}

async function streamStep({ input, output, mode, concurrency }, sdk, kek) {
  const [src, dst] = [await open(input, "r"), await open(output, "w")];
  try {
    const source = fileSource(src);
    const result = mode === "encrypt" ? sdk.encryptStream(source, { wrapDataKey: kek.wrapDataKey, concurrency, chunkSize: CHUNK }) : sdk.decryptStream(source, { unwrapDataKey: kek.unwrapDataKey, concurrency });
    await result.pipeTo(fileSink(dst));
  } finally {
    await src.close();
    await dst.close();
  }
}

/** node:crypto over the same chunks: read → createCipheriv per chunk → write; no header. */
async function nodeStep({ input, output, mode }) {
  const key = Buffer.alloc(32, 0x4b);
  const prefix = Buffer.alloc(7, 0x70);
  const [src, dst] = [await open(input, "r"), await open(output, "w")];
  const piece = mode === "encrypt" ? CHUNK : CHUNK + 16;
  const nonce = (i, last) => {
    const n = Buffer.alloc(12);
    prefix.copy(n);
    n.writeUInt32BE(i, 7);
    n[11] = last ? 1 : 0;
    return n;
  };
  try {
    for (let i = 0; ; i++) {
      const buffer = Buffer.allocUnsafe(piece);
      const { bytesRead } = await src.read(buffer, 0, piece, null);
      progress.read += bytesRead;
      const last = bytesRead < piece;
      if (mode === "encrypt") {
        const c = createCipheriv("aes-256-gcm", key, nonce(i, last));
        await dst.write(Buffer.concat([c.update(buffer.subarray(0, bytesRead)), c.final(), c.getAuthTag()]));
      } else {
        if (bytesRead < 16) throw new Error("node:crypto path: truncated");
        const d = createDecipheriv("aes-256-gcm", key, nonce(i, last));
        d.setAuthTag(buffer.subarray(bytesRead - 16, bytesRead));
        await dst.write(Buffer.concat([d.update(buffer.subarray(0, bytesRead - 16)), d.final()]));
      }
      if (last) break;
    }
  } finally {
    await src.close();
    await dst.close();
  }
}

const STEPS = {
  stream: streamStep,
  node: nodeStep,
  idle: async () => undefined,
};

// ---- child: one step, one process ----
async function runChild() {
  const job = JSON.parse(args.child);
  // Peak RSS while the first half of the input is read, and while the second half is: equal when
  // memory is flat, the second larger when something accumulates.
  const halves = [process.memoryUsage().rss, 0];
  const half = job.input ? (await stat(job.input)).size / 2 : 0;
  const sampler = setInterval(() => {
    const i = progress.read < half ? 0 : 1;
    halves[i] = Math.max(halves[i], process.memoryUsage().rss);
  }, 20);
  // Loading the SDK (type stripping included) and the key-encryption key are not timed.
  const sdk = await import("../clients/js/src/index.ts");
  const kek = await testKek();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await STEPS[job.step](job, sdk, kek);
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(safeRead("/proc/self/status"));
  const peak = hwm ? Number(hwm[1]) * 1024 : Math.max(...halves, process.memoryUsage().rss);
  process.stdout.write(JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1000, peak, halves }));
}

if (args.child !== undefined) {
  await runChild();
  process.exit(0);
}

// ---- parent ----------------------------------------------------------------------------------
if (args.help) {
  console.log("usage: node bench/stream.mjs [--runs 1..10 (3)] [--chunk-kib 1..16384 (64)] [--mib 16..4096 (1024)] [--small-mib 16..1024 (64)]");
  process.exit(0);
}
const RUNS = boundedInt("runs", args.runs, 3, 1, 10);
const BIG = boundedInt("mib", args.mib, 1024, 16, 4096);
const SMALL = boundedInt("small-mib", args["small-mib"], 64, 16, 1024);

console.log(`# Streaming encryption: @pqkms/client stream vs node:crypto AES-256-GCM\n`);
console.log("```");
console.log(commandLine());
for (const line of machineLines()) console.log(line);
console.log(`chunk: ${CHUNK / 1024} KiB; runs: ${RUNS}; sizes: ${SMALL} MiB and ${BIG} MiB`);
console.log("```\n");

const dir = mkdtempSync(path.join(os.tmpdir(), "pqkms-bench-stream-"));
const cleanup = () => rmSync(dir, { recursive: true, force: true });
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

async function generate(file, mib) {
  // Random bytes from a generator, 1 MiB at a time; the hash checks every decryption's output.
  const handle = await open(file, "w");
  const hash = createHash("sha256");
  const block = Buffer.allocUnsafe(MiB);
  for (let i = 0; i < mib; i++) {
    randomFillSync(block);
    hash.update(block);
    await handle.write(block);
  }
  await handle.close();
  return hash.digest("hex");
}

async function sha256File(file) {
  const hash = createHash("sha256");
  const handle = await open(file, "r");
  for await (const chunk of handle.readableWebStream()) hash.update(chunk);
  await handle.close();
  return hash.digest("hex");
}

function child(job) {
  const out = execFileSync(process.execPath, [process.argv[1], "--chunk-kib", String(CHUNK / 1024), "--child", JSON.stringify(job)], { encoding: "utf8", maxBuffer: MiB });
  return JSON.parse(out);
}

const PATHS = [
  { name: "stream", step: "stream", concurrency: 4 },
  { name: "stream, window 1", step: "stream", concurrency: 1 },
  { name: "node:crypto", step: "node" },
];
const idle = child({ step: "idle" });
const rows = [];
const ratios = { encrypt: [], decrypt: [] };
for (const mib of [SMALL, BIG]) {
  const plain = path.join(dir, `plain-${mib}`);
  const digest = await generate(plain, mib);
  const results = new Map(PATHS.map((p) => [p.name, { encrypt: [], decrypt: [] }]));
  for (let run = 0; run < RUNS; run++) {
    const perRun = {};
    for (const p of PATHS) {
      const sealed = path.join(dir, `sealed-${mib}`);
      const opened = path.join(dir, `opened-${mib}`);
      const enc = child({ step: p.step, mode: "encrypt", input: plain, output: sealed, concurrency: p.concurrency });
      const dec = child({ step: p.step, mode: "decrypt", input: sealed, output: opened, concurrency: p.concurrency });
      if (run === 0 && (await sha256File(opened)) !== digest) throw new Error(`${p.name}: decrypted output differs from the plaintext`);
      rmSync(sealed);
      rmSync(opened);
      results.get(p.name).encrypt.push(enc);
      results.get(p.name).decrypt.push(dec);
      perRun[p.name] = { encrypt: enc, decrypt: dec };
    }
    if (mib === BIG) {
      for (const op of ["encrypt", "decrypt"]) ratios[op].push(perRun["node:crypto"][op].wall / perRun.stream[op].wall);
    }
  }
  rmSync(plain);
  for (const p of PATHS) {
    for (const op of ["encrypt", "decrypt"]) {
      const r = results.get(p.name)[op];
      const speeds = r.map((x) => mib / (x.wall / 1000));
      rows.push([
        p.name,
        op,
        `${mib} MiB`,
        `${median(speeds).toFixed(0)} (${Math.min(...speeds).toFixed(0)}–${Math.max(...speeds).toFixed(0)})`,
        (median(r.map((x) => x.cpu)) / 1000 / (mib / 1024)).toFixed(2),
        (Math.max(...r.map((x) => x.peak)) / MiB).toFixed(0),
        `${(Math.max(...r.map((x) => x.halves[0])) / MiB).toFixed(0)} → ${(Math.max(...r.map((x) => x.halves[1])) / MiB).toFixed(0)}`,
      ]);
    }
  }
}

console.log(markdownTable(["path", "op", "size", "MiB/s median (min–max)", "CPU s / GiB", "peak RSS MiB", "RSS 1st half → 2nd half"], rows, ["l", "l", "r", "r", "r", "r", "r"]));
console.log(`\nA child that only loads the SDK: peak RSS ${(idle.peak / MiB).toFixed(0)} MiB.\n`);
console.log(`Ratio stream / node:crypto by MiB/s at ${BIG} MiB, per run (goal ≥ 0.7):`);
for (const op of ["encrypt", "decrypt"]) {
  console.log(`- ${op}: median ${median(ratios[op]).toFixed(2)} (runs: ${ratios[op].map((r) => r.toFixed(2)).join(", ")})`);
}
console.log(`\n${loadLine("at end")}`);
