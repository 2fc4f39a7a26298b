#!/usr/bin/env node
// One tenant's vault under concurrent callers: ML-DSA-65 sign and ML-KEM-768 decrypt through the
// real path (bench Worker → kms Worker → that tenant's TenantVault DO) with 1 and 16 operations in
// flight, operations/s and CPU per operation of the Workers' workerd, 3 runs. Reuses the bench
// Worker of bench/vault.mjs (bench/worker, `POST /run {…, concurrency}`). See bench/README.md.
//
//   node bench/vault-load.mjs [--runs 3] [--seconds 3] [--concurrency 1,16]
import { parseArgs } from "node:util";
import { OFFLINE_ENV, boundedInt, commandLine, cpuTimes, loadLine, machineLines, markdownTable, requireModernNode, spreadText, vaultBenchHarness, workerdRoles } from "./lib.mjs";

requireModernNode();
// Production-like: no local observability collector on the RPC and DO hops.
Object.assign(process.env, OFFLINE_ENV, { X_LOCAL_OBSERVABILITY: "false" });

const { values: args } = parseArgs({
  options: {
    runs: { type: "string" },
    seconds: { type: "string" },
    concurrency: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  console.log("usage: node bench/vault-load.mjs [--runs 1..5 (3)] [--seconds 1..30 (3)] [--concurrency 1,16]");
  process.exit(0);
}
const RUNS = boundedInt("runs", args.runs, 3, 1, 5);
const SECONDS = boundedInt("seconds", args.seconds, 3, 1, 30);
const LANES = (args.concurrency ?? "1,16").split(",").map((c) => boundedInt("concurrency", c, 1, 1, 256));
// Goals (bench/README.md): one tenant's vault ≥ 1,000 ML-DSA-65 signatures/s and ≥ 2,000 ML-KEM-768
// decrypts/s at 16 concurrent callers.
const TARGETS = [
  { algorithm: "ML-DSA-65", op: "sign", goal: 1000 },
  { algorithm: "ML-KEM-768", op: "decrypt", goal: 2000 },
];
const header = machineLines(["wrangler"]);

const server = await vaultBenchHarness();
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void server.close().finally(() => process.exit(130)));

/** One request running n operations, `lanes` in flight: wall ms (Node's clock) and Workers' workerd CPU ms. */
async function batch(pid, body) {
  const c0 = cpuTimes(pid);
  const t0 = performance.now();
  const response = await server.fetch("/run", { method: "POST", body: JSON.stringify(body) });
  const text = await response.text();
  const wall = performance.now() - t0;
  const c1 = cpuTimes(pid);
  if (!response.ok) throw new Error(`${JSON.stringify(body)}: ${response.status} ${text}`);
  return { wall, cpu: c0 && c1 ? (c1.run - c0.run) / 1e6 : NaN, wait: c0 && c1 ? (c1.wait - c0.wait) / 1e6 : NaN };
}

try {
  const { url } = await server.listen();
  const roles = workerdRoles(process.pid, Number(url.port));
  if (roles.workers.length !== 1) throw new Error(`expected one Workers' workerd, found ${JSON.stringify(roles)}`);
  const pid = roles.workers[0];
  // Fixtures (tenant, key) and a warm isolate, then a per-op estimate to size batches to --seconds.
  const size = {};
  for (const t of TARGETS) {
    await batch(pid, { ...t, path: "vault", n: 4 });
    const probe = await batch(pid, { ...t, path: "vault", n: 32, concurrency: 16 });
    size[`${t.algorithm} ${t.op}`] = Math.max(16, Math.round((32 * SECONDS * 1000) / Math.max(1, probe.wall)));
  }
  const samples = {};
  let waited = 0;
  let ran = 0;
  for (let run = 0; run < RUNS; run++) {
    for (const t of TARGETS) {
      for (const lanes of LANES) {
        const key = `${t.algorithm} ${t.op}|${lanes}`;
        const n = lanes === 1 ? Math.max(8, Math.round(size[`${t.algorithm} ${t.op}`] / 3)) : size[`${t.algorithm} ${t.op}`];
        const r = await batch(pid, { ...t, path: "vault", n, concurrency: lanes });
        (samples[key] ??= []).push({ opsPerS: (n * 1000) / r.wall, cpuPerOp: r.cpu / n, cores: r.cpu / r.wall });
        waited += r.wait;
        ran += r.cpu;
      }
    }
  }
  const rows = [];
  for (const t of TARGETS) {
    for (const lanes of LANES) {
      const s = samples[`${t.algorithm} ${t.op}|${lanes}`];
      const ops = s.map((x) => x.opsPerS);
      const cpu = s.map((x) => x.cpuPerOp);
      // What one core could do at this CPU per operation: the ceiling once nothing else shares the thread.
      rows.push([`${t.algorithm} ${t.op}`, String(lanes), spreadText(ops, (v) => v.toFixed(0)), spreadText(cpu), spreadText(cpu.map((c) => 1000 / c), (v) => v.toFixed(0)), spreadText(s.map((x) => x.cores), (v) => v.toFixed(2)), lanes === 16 ? `≥ ${t.goal}/s: ${Math.min(...ops) >= t.goal ? "met" : Math.max(...ops) >= t.goal ? "met in some runs" : "not met"}` : ""]);
    }
  }
  const out = ["## pqkms vault load (one tenant)", "", "```", `$ ${commandLine()}`, ...header, loadLine("at end"),
    `setup: createTestHarness (bench Worker + kms Worker, one workerd), X_LOCAL_OBSERVABILITY=false; Workers' workerd pid ${pid}, CPU from its /proc schedstat`,
    `${RUNS} run(s); batches sized to about ${SECONDS} s at 16 in flight (a third of that at 1); one tenant, one key per algorithm, path vault`,
    `the Workers' workerd threads waited for a core ${((100 * waited) / Math.max(1, ran)).toFixed(0)} % as long as they ran (machine shared)`, "```", ""];
  out.push(markdownTable(["operation", "in flight", "ops/s", "workerd CPU ms/op", "1000 ÷ CPU ms/op", "workerd cores busy", "goal (16 in flight)"], rows));
  out.push("", "Cells: median (min–max) over runs. Locally the bench Worker, the kms Worker and the DO share one workerd, so CPU per operation includes both RPC hops; in production the DO runs on its own and its ceiling is set by its share alone.");
  console.log(out.join("\n"));
  await server.close();
} catch (error) {
  console.error(`bench/vault-load: ${error instanceof Error ? error.stack : String(error)}`);
  await server.close().catch(() => undefined);
  process.exit(1);
}
