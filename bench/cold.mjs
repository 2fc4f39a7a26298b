#!/usr/bin/env node
// Cold start, production-like (bench/harness.mjs: the Workers' own workerd, collector off): per run
// a fresh workerd, then
// - the first GET /health after start (cold isolates, module evaluation);
// - the first ML-DSA-65 sign and the first ML-KEM-768 decrypt after the tenant's TenantVault DO
//   starts (evicted first, its storage kept: constructor, schema check, key rows read and the key
//   decoded again), each beside the same request once warm.
// Time to first response (Node's clock) and CPU of the Workers' workerd during it. See bench/README.md.
//
//   node bench/cold.mjs [--runs 3]
import { parseArgs } from "node:util";
import { must } from "./http-fixtures.mjs";
import { startWorkers } from "./harness.mjs";
import { boundedInt, commandLine, cpuTimes, loadLine, machineLines, markdownTable, median, requireModernNode, spreadText } from "./lib.mjs";

requireModernNode();
const { values: args } = parseArgs({ options: { runs: { type: "string" }, help: { type: "boolean", short: "h" } } });
if (args.help) {
  console.log("usage: node bench/cold.mjs [--runs 1..5 (3)]");
  process.exit(0);
}
const RUNS = boundedInt("runs", args.runs, 3, 1, 5);
const header = machineLines(["wrangler"]);
const log = (line) => process.stderr.write(`bench/cold: ${line}\n`);

/** One request: wall ms to the whole response and CPU ms of the Workers' workerd meanwhile. */
async function timed(pid, base, method, url, token, body) {
  const c0 = cpuTimes(pid);
  const t0 = performance.now();
  const response = await fetch(new URL(url, base), {
    method,
    headers: { "content-type": "application/json", ...(token ? { "x-api-key": token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const wall = performance.now() - t0;
  const c1 = cpuTimes(pid);
  if (response.status !== 200) throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
  return { wall, cpu: (c1.run - c0.run) / 1e6 };
}

/** The same request warm: median wall and median CPU of five in a row (one alone is too noisy here). */
async function warm(...request) {
  const list = [];
  for (let i = 0; i < 5; i++) list.push(await timed(...request));
  return { wall: median(list.map((r) => r.wall)), cpu: median(list.map((r) => r.cpu)) };
}

let current = null;
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void (current?.harness.close() ?? Promise.resolve()).finally(() => process.exit(130)));

const samples = {};
const add = (name, r) => (samples[name] ??= []).push(r);
const startups = [];
try {
  for (let run = 0; run < RUNS; run++) {
    log(`run ${run + 1}/${RUNS}: starting a fresh workerd…`);
    const w = (current = await startWorkers());
    startups.push(w.startupMs / 1000);
    const pid = w.workers[0];
    const base = w.directUrl;
    add("GET /health, first after start", await timed(pid, base, "GET", "/health"));
    add("GET /health, warm (median of 5)", await warm(pid, base, "GET", "/health"));

    const created = await must(base, "POST", "/admin/v1/tenants", { admin: w.adminToken, body: { name: "pqkms-cold", plan: "pro" } }, [201]);
    const tenantId = created.tenant.id;
    const token = created.api_key.token;
    const dsa = (await must(base, "POST", "/v1/keys", { token, body: { algorithm: "ML-DSA-65" } }, [201])).id;
    const kem = (await must(base, "POST", "/v1/keys", { token, body: { algorithm: "ML-KEM-768" } }, [201])).id;
    const message = Buffer.alloc(64, 9).toString("base64");
    const { ciphertext } = await must(base, "POST", `/v1/keys/${kem}/encrypt`, { token, body: { plaintext: Buffer.alloc(32, 7).toString("base64") } });
    const kms = w.harness.getWorker("pqkms-kms");

    const cases = [
      ["ML-DSA-65 sign", `/v1/keys/${dsa}/sign`, { message }],
      ["ML-KEM-768 decrypt", `/v1/keys/${kem}/decrypt`, { ciphertext }],
    ];
    for (const [name, url, body] of cases) {
      // Evict the tenant's vault (storage kept): the next operation starts it again.
      await kms.evictDurableObject("TenantVault", { name: tenantId });
      add(`${name}, first after the vault starts`, await timed(pid, base, "POST", url, token, body));
      add(`${name}, warm (median of 5)`, await warm(pid, base, "POST", url, token, body));
    }
    await w.harness.close();
    current = null;
  }
  const rows = Object.entries(samples).map(([name, list]) => [name, spreadText(list.map((s) => s.wall)), spreadText(list.map((s) => s.cpu))]);
  const ratio = (a, b) => spreadText(samples[a].map((s, i) => s.cpu / samples[b][i].cpu), (v) => `${v.toFixed(1)}×`);
  const out = ["## pqkms cold start", "", "```", `$ ${commandLine()}`, ...header, loadLine("at end"),
    `setup: createTestHarness, X_LOCAL_OBSERVABILITY=false, requests straight to the Workers' workerd; a fresh workerd per run; startup (listen + D1 migrations) ${spreadText(startups, (v) => `${v.toFixed(1)} s`)}`,
    `${RUNS} run(s); CPU: the Workers' workerd's /proc schedstat around each request (the machine is shared)`, "```", ""];
  out.push(markdownTable(["request", "time to response ms", "Workers' workerd CPU ms"], rows));
  out.push("", `Cold ÷ warm CPU (same run): ML-DSA-65 sign ${ratio("ML-DSA-65 sign, first after the vault starts", "ML-DSA-65 sign, warm (median of 5)")}, ML-KEM-768 decrypt ${ratio("ML-KEM-768 decrypt, first after the vault starts", "ML-KEM-768 decrypt, warm (median of 5)")}, GET /health ${ratio("GET /health, first after start", "GET /health, warm (median of 5)")}.`);
  out.push("", "Cells: median (min–max) over runs.");
  console.log(out.join("\n"));
} catch (error) {
  console.error(`bench/cold: ${error instanceof Error ? error.stack : String(error)}`);
  await current?.harness.close().catch(() => undefined);
  process.exit(1);
}
