/**
 * Where pure-TypeScript SLH-DSA signing spends its CPU, in Node 24 (bench/README.md "SLH-DSA signing").
 *
 *   node_modules/.bin/node bench/slh-dsa-profile.mjs [128s|128f]
 *
 * One signature each way, all CPU time (process.cpuUsage), so a shared machine skews little:
 * 1. @noble/post-quantum's sign, unprofiled, beside OpenSSL 3.5's (node:crypto) on a key of the same set;
 * 2. the same noble signature under the V8 sampling profiler: self time per function;
 * 3. the number of SHA-256 compressions it runs (noble's `process`, counted on a third signature), and
 *    what those compressions alone cost when run back to back: the floor for any wrapper around them.
 */
import { generateKeyPairSync, sign } from "node:crypto";
import { Session } from "node:inspector/promises";
import { sha256 } from "@noble/hashes/sha2.js";
import { slh_dsa_sha2_128f, slh_dsa_sha2_128s } from "@noble/post-quantum/slh-dsa.js";

const set = process.argv[2] ?? "128s";
if (set !== "128s" && set !== "128f") throw new Error("usage: slh-dsa-profile.mjs [128s|128f]");
const slh = set === "128s" ? slh_dsa_sha2_128s : slh_dsa_sha2_128f;
const { secretKey } = slh.keygen(new Uint8Array(48).fill(7));
const message = new TextEncoder().encode("profile me");
const ms = (usage) => (usage.user + usage.system) / 1000;
const cpu = (run) => {
  const start = process.cpuUsage();
  run();
  return ms(process.cpuUsage(start));
};
const nobleSign = () => slh.sign(message, secretKey, { context: new Uint8Array(0) });

const nobleMs = cpu(nobleSign);
const { privateKey } = generateKeyPairSync(`slh-dsa-sha2-${set}`);
const opensslMs = cpu(() => sign(null, message, privateKey));

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 100 });
await session.post("Profiler.start");
nobleSign();
const { profile } = await session.post("Profiler.stop");
session.disconnect();

// SLH-DSA's F, H and PRF calls are one SHA-256 block each after noble's cached PK.seed block (FIPS 205 §11.2).
const sha256Prototype = Object.getPrototypeOf(sha256.create());
const compress = sha256Prototype.process;
let compressions = 0;
sha256Prototype.process = function (view, offset) {
  compressions++;
  return compress.call(this, view, offset);
};
nobleSign();
sha256Prototype.process = compress;
const state = sha256.create();
const block = new DataView(new ArrayBuffer(64));
const compressMs = cpu(() => {
  for (let i = 0; i < compressions; i++) compress.call(state, block, 0);
});

const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const frame = nodes.get(id).callFrame;
  const where = `${frame.functionName || "(anonymous)"} ${frame.url.split("/").slice(-2).join("/")}:${frame.lineNumber + 1}`;
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(where, (self.get(where) ?? 0) + dt);
  total += dt;
});

console.log(`SLH-DSA-SHA2-${set} sign, CPU ms: noble ${nobleMs.toFixed(0)}, OpenSSL ${opensslMs.toFixed(0)} (${(nobleMs / opensslMs).toFixed(1)}×)`);
console.log(`SHA-256 compressions per signature: ${compressions}; noble's compression alone, back to back: ${compressMs.toFixed(0)} ms = ${((100 * compressMs) / nobleMs).toFixed(0)} % of the signature (${((1000 * compressMs) / compressions).toFixed(2)} µs each; the whole signature ${((1000 * nobleMs) / compressions).toFixed(2)} µs per compression)`);
console.log("self time under the profiler (which slows it down), top 10:");
for (const [where, dt] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 10)) console.log(`  ${((100 * dt) / total).toFixed(1).padStart(5)} %  ${where}`);
