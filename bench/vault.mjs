#!/usr/bin/env node
// Vault benchmark: each operation of every algorithm (ML-KEM, X-Wing, ML-DSA, composite ML-DSA,
// SLH-DSA, AES-256-GCM, ChaCha20-Poly1305) through the TenantVault DO (the real code path) beside
// the same operation in the project's crypto layer (pure TypeScript and native Web Crypto) and in
// the bare library call, all in one workerd run; ML-KEM and ML-DSA also through OpenSSL 3.5
// (node:crypto) in this Node process, in the same rounds. See bench/README.md.
//
//   node bench/vault.mjs [--rounds 5] [--batch-ms 100] [--only ML-KEM-768] [--max-seconds 120] [--slow-samples 1]
//
// Timing is taken in Node, around one request that runs a batch of n operations inside workerd;
// the cost of an empty request (n = 0, least of a few) is subtracted. Beside wall time it reports
// the CPU time workerd's threads got during each batch (/proc, Linux), which moves far less with
// the load of other processes. workerd's own clocks are read too, only to report whether they
// advanced.
import { parseArgs } from "node:util";
import { hasOpenssl, localBatch } from "./openssl.mjs";
import { OFFLINE_ENV, requireModernNode, boundedInt, commandLine, cpuTimes, descendants, loadLine, machineLines, markdownTable, median, ms, vaultBenchHarness } from "./lib.mjs";

requireModernNode();

// Production-like: wrangler's local observability collector (~0.8 ms of CPU per RPC or DO hop, and
// absent in production) stays off unless the environment asks for it.
Object.assign(process.env, OFFLINE_ENV, { X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY ?? "false" });

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string" },
    "batch-ms": { type: "string" },
    only: { type: "string" },
    "max-seconds": { type: "string" },
    "no-concurrency": { type: "boolean" },
    "slow-samples": { type: "string" },
    "no-slow": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  console.log(`usage: node bench/vault.mjs [--rounds 1..20 (5)] [--batch-ms 50..2000 (100)] [--only TEXT] [--max-seconds 10..600 (120)] [--no-concurrency] [--slow-samples 0..3 (1)] [--no-slow]`);
  process.exit(0);
}
const ROUNDS = boundedInt("rounds", args.rounds, 5, 1, 20);
const BATCH_MS = boundedInt("batch-ms", args["batch-ms"], 100, 50, 2000);
const MAX_SECONDS = boundedInt("max-seconds", args["max-seconds"], 120, 10, 600);
// SLH-DSA-SHA2-128s sign (~2 s of CPU each): n = 1, this many samples per path, outside the rounds.
const SLOW_SAMPLES = args["no-slow"] ? 0 : boundedInt("slow-samples", args["slow-samples"], 1, 0, 3);
const MAX_N = 5000;
const started = performance.now();
const header = machineLines(["wrangler", "miniflare", "@noble/post-quantum", "@noble/curves", "@noble/ciphers"]);

const server = await vaultBenchHarness();

let closing = false;
async function shutdown(code) {
  if (closing) return;
  closing = true;
  await server.close().catch(() => undefined);
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void shutdown(130));

/** The workerd processes the harness started (descendants of this one), for CPU accounting. */
let workerdPids = [];
function workerdCpu() {
  if (workerdPids.length === 0) return null;
  const total = { run: 0, wait: 0 };
  for (const pid of workerdPids) {
    const t = cpuTimes(pid);
    if (t) {
      total.run += t.run;
      total.wait += t.wait;
    }
  }
  return total;
}
const cpuTotals = { run: 0, wait: 0 };

/**
 * One request running n operations: Node's wall time for it, the CPU time workerd's threads got
 * meanwhile (and waited for), and workerd's own clock readings.
 */
async function batch(body) {
  if (body.path === "openssl") return localBatch(body);
  const c0 = workerdCpu();
  const t0 = performance.now();
  const response = await server.fetch("/run", { method: "POST", body: JSON.stringify(body) });
  const text = await response.text();
  const outer = performance.now() - t0;
  const c1 = workerdCpu();
  if (!response.ok) throw new Error(`${JSON.stringify(body)}: ${response.status} ${text}`);
  const inner = JSON.parse(text);
  const cpu = c0 && c1 ? (c1.run - c0.run) / 1e6 : NaN;
  const wait = c0 && c1 ? (c1.wait - c0.wait) / 1e6 : NaN;
  return { outer, cpu, wait, innerPerf: inner.perf_ms, innerDate: inner.date_ms };
}

/**
 * The cost of an empty request (wall and workerd CPU): the least of a few, since another process's
 * burst can only add to it. Subtracting an inflated figure would make the batch look faster.
 */
async function emptyRequest(samples = 5) {
  const runs = [];
  for (let i = 0; i < samples; i++) runs.push(await batch({ op: "summary", n: 0 }));
  return { outer: Math.min(...runs.map((r) => r.outer)), cpu: Math.min(...runs.map((r) => r.cpu)) };
}

function overBudget() {
  return (performance.now() - started) / 1000 > MAX_SECONDS;
}

try {
  const listenStart = performance.now();
  await server.listen();
  const startupMs = performance.now() - listenStart;
  workerdPids = descendants(process.pid).filter((p) => p.comm === "workerd").map((p) => p.pid);

  const { ops } = await (await server.fetch("/ops")).json();
  const only = args.only?.toLowerCase();
  const cases = [
    { algorithm: "–", op: "health", paths: ["vault"], label: "floor: KMS.health() (1 RPC hop, no DO)" },
    { algorithm: "–", op: "summary", paths: ["vault"], label: "floor: KMS.vaultSummary() (2 hops, DO, 1 SQL read)" },
    { algorithm: "–", op: "record", paths: ["vault"], label: "floor: KMS.recordEvent() (2 hops, DO, 1 audit row written)" },
  ];
  const labelOf = (c) =>
    c.slow
      ? `${c.algorithm} ${c.op} (n = 1; ${SLOW_SAMPLES} sample${SLOW_SAMPLES > 1 ? "s" : ""} per path, not in rounds)`
      : c.items
        ? `${c.algorithm} ${c.op.replace("batch-", "")}, batch of ${c.items} (per item)`
        : `${c.algorithm} ${c.op}`;
  for (const c of ops) cases.push({ ...c, paths: hasOpenssl(c) ? [...c.paths, "openssl"] : c.paths, label: labelOf(c) });
  const selected = cases.filter((c) => (!only || c.label.toLowerCase().includes(only) || c.algorithm === "–") && !(c.slow && SLOW_SAMPLES === 0));

  // Fixtures (keys in the vault, local keys) and a first warm-up, then a batch size per path:
  // double n until a batch takes half of --batch-ms, then scale to --batch-ms.
  let empty = await emptyRequest();
  const phases = {};
  let phaseStart = performance.now();
  const phase = (name) => {
    phases[name] = (performance.now() - phaseStart) / 1000;
    phaseStart = performance.now();
  };
  const plan = [];
  for (const c of selected) {
    for (const p of c.paths) {
      const body = { algorithm: c.algorithm, op: c.op, path: p };
      await batch({ ...body, n: 0 });
      if (c.slow) {
        plan.push({ case: c, path: p, body, n: 1, slow: true, samples: [], cpu: [], inner: [] });
        continue;
      }
      let n = 2;
      let took = 0;
      for (;;) {
        took = (await batch({ ...body, n })).outer - (p === "openssl" ? 0 : empty.outer);
        if (took >= BATCH_MS / 2 || n >= MAX_N) break;
        n *= 2;
      }
      const perOp = Math.max(took, 1) / n;
      plan.push({ case: c, path: p, body, n: Math.min(MAX_N, Math.max(3, Math.round(BATCH_MS / perOp))), samples: [], cpu: [], inner: [] });
    }
  }

  phase("fixtures + calibration");
  // Slow operations: one operation per request, SLOW_SAMPLES per path. A vault sample goes to a
  // fresh tenant (set up by an untimed request): the vault spaces these signatures 4 s apart.
  for (let s = 0; s < SLOW_SAMPLES; s++) {
    for (const item of plan.filter((x) => x.slow)) {
      if (item.path === "vault") await batch({ ...item.body, n: 0, prepare: true });
      const { outer, cpu, wait, innerPerf } = await batch({ ...item.body, n: 1 });
      item.samples.push(Math.max(0, outer - empty.outer));
      item.cpu.push(Math.max(0, cpu - empty.cpu));
      item.inner.push({ outer: outer - empty.outer, inner: innerPerf });
      cpuTotals.run += cpu;
      cpuTotals.wait += wait;
    }
  }

  phase("slow operations");
  // Rounds: every (op, path) once per round, paths of one op back to back, so slow drift in the
  // machine's load hits all paths of an op alike. Per-op time = (batch - empty request) / n.
  let rounds = 0;
  for (let r = 0; r < ROUNDS && !overBudget(); r++) {
    empty = await emptyRequest(3);
    const order = (r % 2 === 0 ? plan : [...plan].reverse()).filter((item) => !item.slow);
    for (const item of order) {
      const { outer, cpu, wait, innerPerf } = await batch({ ...item.body, n: item.n });
      const local = item.path === "openssl";
      const base = local ? { outer: 0, cpu: 0 } : empty;
      // A batch operation's figures are per item: n calls of `items` items each.
      const per = item.n * (item.case.items ?? 1);
      item.samples.push(Math.max(0, outer - base.outer) / per);
      item.cpu.push(Math.max(0, cpu - base.cpu) / per);
      if (local) continue;
      item.inner.push({ outer: outer - empty.outer, inner: innerPerf });
      cpuTotals.run += cpu;
      cpuTotals.wait += wait;
    }
    rounds++;
  }

  phase("rounds");
  // One tenant's ceiling: many operations in flight against the same vault (one DO).
  const concurrency = [];
  if (!args["no-concurrency"]) {
    const targets = [
      { algorithm: "ML-KEM-768", op: "decrypt" },
      { algorithm: "ML-DSA-65", op: "sign" },
    ].filter((t) => selected.some((c) => c.algorithm === t.algorithm && c.op === t.op));
    for (const t of targets) {
      const seq = plan.find((p) => p.case.algorithm === t.algorithm && p.case.op === t.op && p.path === "vault");
      const perOp = median(seq.samples);
      const row = [`${t.algorithm} ${t.op}`];
      for (const c of [1, 8, 32]) {
        if ((performance.now() - started) / 1000 > MAX_SECONDS + 30) {
          row.push("–");
          continue;
        }
        const n = Math.max(c * 4, Math.min(2000, Math.round((1000 * Math.min(c, 4)) / perOp)));
        const { outer } = await batch({ ...t, path: "vault", n, concurrency: c });
        row.push(((n * 1000) / Math.max(1, outer - empty.outer)).toFixed(0));
      }
      concurrency.push(row);
    }
  }

  // The audit chain the run left behind, verified whole (GET /v1/audit-events/verify's path).
  let audit = null;
  {
    const c0 = workerdCpu();
    const t0 = performance.now();
    const response = await server.fetch("/verify-audit", { method: "POST" });
    const wall = performance.now() - t0;
    const c1 = workerdCpu();
    if (response.ok) {
      const verdict = await response.json();
      audit = { ...verdict, wall, cpu: c0 && c1 ? (c1.run - c0.run) / 1e6 : NaN };
    }
  }

  phase("concurrency + audit check");
  // Report.
  const find = (c, p) => plan.find((x) => x.case === c && x.path === p);
  // Two tables of the same shape: wall time and workerd CPU time per operation.
  const PATHS = ["vault", "provider", "native", "noble", "prepared", "openssl"];
  let maxSpread = 0;
  const table = (field) =>
    selected.map((c) => {
      const cell = (p) => {
        const item = find(c, p);
        return item && item[field].length ? median(item[field]) : NaN;
      };
      const vault = cell("vault");
      const noble = cell("noble");
      const v = find(c, "vault")[field];
      for (const p of c.paths) {
        const s = find(c, p)[field];
        if (field === "samples" && s.length > 1) maxSpread = Math.max(maxSpread, (Math.max(...s) - Math.min(...s)) / median(s));
      }
      return [
        c.label,
        ...PATHS.map((p) => ms(cell(p))),
        v.length > 1 ? `${ms(Math.min(...v))}–${ms(Math.max(...v))}` : "–",
        Number.isFinite(noble) ? ms(vault - noble) : "–",
        Number.isFinite(noble) && noble > 0 ? `${(vault / noble).toFixed(1)}×` : "–",
      ];
    });
  const columns = ["operation", "vault", "provider", "native", "noble", "noble prepared", "openssl", "vault min–max", "vault − noble", "vault / noble"];
  const wallRows = table("samples");
  const cpuRows = workerdPids.length ? table("cpu") : [];

  // Did workerd's clocks move during the loops? Compare its own reading to Node's, per batch.
  const ratios = plan.flatMap((item) => item.inner.filter((x) => x.outer > 20).map((x) => x.inner / x.outer));
  const computeRatios = plan
    .filter((item) => item.path !== "vault" && item.path !== "openssl")
    .flatMap((item) => item.inner.filter((x) => x.outer > 20).map((x) => x.inner / x.outer));
  const stuck = computeRatios.filter((r) => r < 0.5).length;

  // The providers side by side on CPU time: native (WebCryptoProvider) against OpenSSL, the
  // pure-TypeScript provider and the bare noble call; min / median / max over rounds.
  const spread = (item) => (item && item.cpu.length ? `${ms(median(item.cpu))} (${ms(Math.min(...item.cpu))}–${ms(Math.max(...item.cpu))})` : "–");
  const ratio = (a, b) => (a && b && a.cpu.length && b.cpu.length && median(b.cpu) > 0 ? `${(median(a.cpu) / median(b.cpu)).toFixed(2)}×` : "–");
  const providerRows = selected
    .filter((c) => c.paths.includes("native") && ["encapsulate", "decapsulate", "sign", "verify"].includes(c.op))
    .map((c) => {
      const [nat, ossl, prov, bare] = ["native", "openssl", "provider", "noble"].map((p) => find(c, p));
      return [`${c.algorithm} ${c.op}`, spread(nat), spread(ossl), ratio(nat, ossl), spread(prov), ratio(nat, prov), spread(bare), ratio(nat, bare)];
    });

  const out = [];
  out.push(`## pqkms vault benchmark`, "");
  out.push("```", `$ ${commandLine()}`, ...header, loadLine("at end"),
    `workerd startup (createTestHarness.listen): ${(startupMs / 1000).toFixed(1)} s; rounds completed: ${rounds}/${ROUNDS}; batch ≈ ${BATCH_MS} ms; empty request ≈ ${ms(empty.outer)} ms wall, ${ms(empty.cpu)} ms workerd CPU (subtracted)`,
    workerdPids.length
      ? `workerd threads waited for a free core ${ms(cpuTotals.wait)} ms while running ${ms(cpuTotals.run)} ms during the timed rounds (${((100 * cpuTotals.wait) / Math.max(1, cpuTotals.run)).toFixed(0)} %: contention from other processes)`
      : "workerd process not found: no CPU accounting",
    `total time: ${((performance.now() - started) / 1000).toFixed(0)} s (${Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(", ")})`, "```", "");
  out.push("Wall time per operation, ms (median over rounds; Node's clock around batches of n operations, minus an empty request):", "");
  out.push(markdownTable(columns, wallRows));
  if (cpuRows.length) {
    out.push("", "workerd CPU time per operation, ms (all workerd threads, from /proc/<pid>/task/*/schedstat, same batches):", "");
    out.push(markdownTable(columns, cpuRows));
  }
  if (providerRows.length) {
    out.push("", "Providers, CPU time per operation, ms: median (min–max) over rounds. native = WebCryptoProvider in workerd (workerd CPU); openssl = node:crypto in the Node driver (its own CPU, process.cpuUsage); provider = NobleProvider in workerd; noble = the bare library call. Ratios of medians.", "");
    out.push(markdownTable(["operation", "native", "openssl", "native / openssl", "provider (noble)", "native / provider", "noble (bare)", "native / noble"], providerRows));
  }
  out.push("");
  out.push("- vault: `env.KMS.<op>()` → KmsService → TenantVault DO (two RPC hops, one key + version read, key cache, audit row in one transactionSync; no outbox row, no alarm).");
  out.push("- native: the same code with WebCryptoProvider (native ML-KEM / ML-DSA; X-Wing and the composite from native halves). openssl: node:crypto in the Node driver, ML-KEM encapsulate/decapsulate and ML-DSA sign/verify only; its CPU column is Node's CPU, not workerd's.");
  out.push("- provider: the project's NobleProvider / HPKE / AEAD envelope code in the calling isolate (no RPC, no storage). noble: the bare library call: KEM encrypt/decrypt = the KEM encapsulate/decapsulate inside the envelope, rewrap = decapsulate + encapsulate, datakey = 32 random bytes + encapsulate; Composite = ML-DSA-65 + ECDSA P-256 component ops over the message; AES-256-GCM = Web Crypto, ChaCha20-Poly1305 = @noble/ciphers; HMAC = @noble/hashes (verify-mac = recompute + constant-time compare), and native = Web Crypto HMAC. noble prepared: `ml_kem*.prepare(publicKey)`.");
  out.push(`- largest (max − min) / median of wall time across rounds in any cell: ${(maxSpread * 100).toFixed(0)} %.`);
  out.push(`- workerd clocks: performance.now() inside the Worker moved ${median(ratios).toFixed(2)}× of Node's time per batch (median over ${ratios.length} batches); in pure-compute batches it stayed still in ${stuck} of ${computeRatios.length}. Figures above use Node's clock either way.`);
  // Batches against single calls of the same operation, same key, same rounds.
  for (const c of selected.filter((x) => x.items)) {
    const single = selected.find((x) => x.algorithm === c.algorithm && x.op === c.op.replace("batch-", "") && !x.items);
    const [b, s1] = [find(c, "vault"), single && find(single, "vault")];
    if (!b?.samples.length || !s1?.samples.length) continue;
    const [bw, sw, bc, sc] = [median(b.samples), median(s1.samples), median(b.cpu), median(s1.cpu)];
    out.push(`- ${c.algorithm} ${single.op} in a batch of ${c.items} (one KMS.batch call, all items' audit rows in one transaction): ${ms(bw)} ms wall and ${ms(bc)} ms workerd CPU per item, against ${ms(sw)} ms and ${ms(sc)} ms per single call: ${(sw / Math.max(bw, 1e-9)).toFixed(1)}× the wall throughput, ${(sc / Math.max(bc, 1e-9)).toFixed(1)}× less CPU per item.`);
  }
  if (audit) {
    const per = (x) => ((1000 * x) / Math.max(1, audit.checked)).toFixed(1);
    out.push(`- audit chain: the run left ${audit.checked} events in the bench tenant's vault (chain ${audit.valid ? "valid" : "BROKEN"}); verifying all of them (KMS.verifyAudit, as GET /v1/audit-events/verify) took ${ms(audit.wall)} ms wall, ${ms(audit.cpu)} ms workerd CPU: ${per(audit.wall)} µs wall, ${per(audit.cpu)} µs CPU per event.`);
  }
  if (concurrency.length) {
    out.push("", "One tenant (one TenantVault DO), operations in flight at once through the vault path: operations/s.", "");
    out.push(markdownTable(["operation", "1 in flight", "8 in flight", "32 in flight"], concurrency));
  }
  console.log(out.join("\n"));
  await shutdown(0);
} catch (error) {
  console.error(`bench/vault: ${error instanceof Error ? error.stack : String(error)}`);
  await shutdown(1);
}
