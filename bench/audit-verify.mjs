/**
 * What verifying a log from its latest checkpoint saves over walking the whole chain, in Node 24
 * (architecture §9; bench/README.md). The vault's own verification logic (audit-verify.ts
 * `verifyLog`) over an in-memory log of N events: once from a checkpoint signed at N − K (its ML-DSA-65
 * signature checked, then K events walked), once from the genesis (no checkpoint: all N walked).
 * SQL reads are left out: they are the vault's and scale with the same event count.
 *
 *   node_modules/.bin/node bench/audit-verify.mjs [N=20000] [K=2000] [rounds=5]
 *
 * CPU time by process.cpuUsage (a shared machine skews it little); min / median / max of the rounds.
 */
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { CHECKPOINT_CONTEXT, CHECKPOINT_FORMAT, checkpointPayloadText } from "../workers/shared/audit/archive-format.ts";
import { GENESIS_HASH, hashEvent } from "../workers/shared/audit/chain.ts";
import { toBase64, toBase64Url } from "../workers/shared/base64.ts";
import { akpThumbprint } from "../workers/kms/src/crypto/public-key-formats.ts";
import { AuditKeyBook, verifyLog } from "../workers/kms/src/vault/audit-verify.ts";

const [n = 20_000, k = 2_000, rounds = 5] = process.argv.slice(2).map(Number);
const tenant = "bench-tenant";
const events = [];
let prev = GENESIS_HASH;
for (let seq = 1; seq <= n; seq++) {
  const fields = {
    seq, id: crypto.randomUUID(), time: 1_700_000_000_000 + seq, tenant_id: tenant, api_key_id: "api-key-1", request_id: `req-${seq}`,
    operation: "crypto.encrypt", key_id: crypto.randomUUID(), key_version: 1, outcome: "allowed", rule: null, severity: "info", detail: null, prev_hash: prev,
  };
  const event = { ...fields, hash: hashEvent(fields) };
  events.push(event);
  prev = event.hash;
}
const head = { seq: n, hash: prev };

const pair = ml_dsa65.keygen(crypto.getRandomValues(new Uint8Array(32)));
const pub = toBase64Url(pair.publicKey);
const keyId = await akpThumbprint("ML-DSA-65", pub);
const keys = new AuditKeyBook(async () => ({
  ok: true,
  value: [{ key_id: keyId, algorithm: "ML-DSA-65", valid_from: "2000-01-01T00:00:00.000Z", valid_until: null, status: "current", public_key: { pem: "", jwk: { kty: "AKP", alg: "ML-DSA-65", pub, kid: keyId } } }],
}));
const at = n - k;
const payload = checkpointPayloadText({
  format: CHECKPOINT_FORMAT, tenant, seq: at, hash: events[at - 1].hash, time: new Date().toISOString(), segment: null, segment_sha256: null, key_id: keyId,
});
const enc = new TextEncoder();
const signature = toBase64(ml_dsa65.sign(enc.encode(payload), pair.secretKey, { context: enc.encode(CHECKPOINT_CONTEXT) }));
const checkpoint = { seq: at, payload, signature, key_id: keyId, created_at: Date.now() };

const source = (withCheckpoint) => ({
  tenant,
  head,
  latestCheckpoint: () => (withCheckpoint ? checkpoint : undefined),
  eventAt: (seq) => events[seq - 1],
  eventsAfter: (seq) => events.slice(seq),
  oldestHeld: () => 1,
  segmentEndingAt: () => undefined,
});
const verify = (pk, msg, sig, context) => ml_dsa65.verify(sig, msg, pk, { context });

async function measure(withCheckpoint) {
  const start = process.cpuUsage();
  const verdict = await verifyLog(source(withCheckpoint), "checkpoint", keys, verify);
  const used = process.cpuUsage(start);
  if (!verdict.ok || !verdict.value.valid) throw new Error(`not valid: ${JSON.stringify(verdict)}`);
  return { ms: (used.user + used.system) / 1000, checked: verdict.value.checked, basis: verdict.value.basis };
}

await measure(true); // warm-up: JIT, and the key book's first fetch
await measure(false);
const rows = [];
for (const withCheckpoint of [true, false]) {
  const runs = [];
  for (let r = 0; r < rounds; r++) runs.push(await measure(withCheckpoint));
  const sorted = runs.map((x) => x.ms).sort((a, b) => a - b);
  rows.push({ basis: runs[0].basis, checked: runs[0].checked, min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] });
}
console.log(`# audit verification, ${n} events, checkpoint at ${at} (Node ${process.version}, ${rounds} rounds)\n`);
console.log("| basis | events walked | CPU ms min | median | max |\n|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.basis} | ${r.checked} | ${r.min.toFixed(1)} | ${r.median.toFixed(1)} | ${r.max.toFixed(1)} |`);
console.log(`\nratio (median): ${(rows[1].median / rows[0].median).toFixed(1)}×`);
