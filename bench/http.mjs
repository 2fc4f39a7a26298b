#!/usr/bin/env node
// HTTP benchmark of the whole service (gateway → rate limiter, policy, kms → TenantVault), with
// autocannon, in two setups in one run (see bench/README.md):
// - direct: the Workers' own workerd, requests sent to its entry socket, observability collector
//   off: what production runs, minus the network (bench/direct-server.mjs);
// - npm start: wrangler dev as a developer runs it, through wrangler's proxy workerd.
//
//   node bench/http.mjs [--mode both|direct|npm-start] [--runs 3] [--duration 10] [--warmup 2]
//                       [--connections 32] [--only health,tenant,encrypt,decrypt,sign,verify]
//                       [--tenant demo|bench]
//
// With BASE_URL (loopback only) it measures that server instead, without CPU accounting.
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { SCENARIOS, must, prepareTenant, scenarios } from "./http-fixtures.mjs";
import { report } from "./http-report.mjs";
import { assertLoopback, boundedInt, freePort, requireModernNode } from "./lib.mjs";
import { startDirect, startNpmStart } from "./servers.mjs";

requireModernNode();

const { values: args } = parseArgs({
  options: {
    mode: { type: "string" },
    runs: { type: "string" },
    duration: { type: "string" },
    warmup: { type: "string" },
    connections: { type: "string" },
    only: { type: "string" },
    tenant: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  console.log(`usage: node bench/http.mjs [--mode both|direct|npm-start (both)] [--runs 1..5 (3)] [--duration 1..60 (10)] [--warmup 0..10 (2)] [--connections 1..256 (32)] [--only ${SCENARIOS.join(",")}] [--tenant demo|bench (npm start only)]
env: BASE_URL (loopback only: measure that server, no CPU accounting), PQKMS_API_KEY, ADMIN_TOKEN`);
  process.exit(0);
}
const fail = (message) => {
  console.error(message);
  process.exit(2);
};
const options = {
  runs: boundedInt("runs", args.runs, 3, 1, 5),
  duration: boundedInt("duration", args.duration, 10, 1, 60),
  warmup: boundedInt("warmup", args.warmup, 2, 0, 10),
  connections: boundedInt("connections", args.connections, 32, 1, 256),
};
const only = args.only ? args.only.split(",").map((s) => s.trim()) : SCENARIOS;
for (const name of only) if (!SCENARIOS.includes(name)) fail(`--only: unknown request ${name} (known: ${SCENARIOS.join(", ")})`);
const MODES = { both: ["direct", "npm start"], direct: ["direct"], "npm-start": ["npm start"] };
const modes = process.env.BASE_URL ? ["BASE_URL"] : MODES[args.mode ?? "both"] ?? fail("--mode: both, direct or npm-start");
const tenantMode = args.tenant ?? "demo";
if (!["demo", "bench"].includes(tenantMode)) fail("--tenant: demo (the npm start demo tenant) or bench (a tenant of its own)");
const log = (line) => process.stderr.write(`bench/http: ${line}\n`);

function autocannonRun(opts) {
  return new Promise((resolve, reject) => {
    autocannon(opts, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** One measured row: autocannon for the duration, CPU by role from /proc before and after. */
async function measure(server, s, warm) {
  const url = new URL(s.path, server.base).href;
  const opts = { url, method: s.method, headers: s.headers, body: s.body, connections: options.connections, timeout: 30 };
  if (warm && options.warmup > 0) await autocannonRun({ ...opts, duration: options.warmup });
  const cpu0 = server.cpu();
  const client0 = process.cpuUsage();
  const r = await autocannonRun({ ...opts, duration: options.duration });
  const client = process.cpuUsage(client0);
  const cpu1 = server.cpu();
  // No response in the row (all still queued at its end): no per-response figure, rather than a false one.
  const responses = r.latency.totalCount > 0 ? r.latency.totalCount : NaN;
  const delta = (label, field = "run") => (cpu0?.[label] && cpu1?.[label] ? cpu1[label][field] - cpu0[label][field] : NaN);
  const statuses = Object.entries(r.statusCodeStats).filter(([code]) => !code.startsWith("2")).map(([code, { count }]) => `${code}×${count}`);
  return {
    reqPerS: r["2xx"] / r.duration,
    p50: r.latency.totalCount ? r.latency.p50 : NaN,
    p99: r.latency.totalCount ? r.latency.p99 : NaN,
    ok: r["2xx"],
    failures: r.non2xx + r.errors + r.timeouts,
    statuses: [...statuses, ...(r.errors + r.timeouts ? [`errors+timeouts×${r.errors + r.timeouts}`] : [])],
    workersMs: delta("workers") / 1e6 / responses,
    proxyMs: delta("proxy") / 1e6 / responses,
    nodeMs: delta("node") / 1e6 / responses,
    clientMs: (client.user + client.system) / 1000 / responses,
    workersCores: delta("workers") / 1e9 / r.duration,
    wait: delta("workers", "wait") / delta("workers"),
  };
}

async function start(mode) {
  if (mode === "direct") return startDirect();
  if (mode === "npm start") return startNpmStart(await freePort());
  assertLoopback(process.env.BASE_URL);
  return { mode, title: `BASE_URL ${process.env.BASE_URL}`, base: process.env.BASE_URL, adminToken: process.env.ADMIN_TOKEN, startupSeconds: NaN, check: () => "not checked (BASE_URL)", cpu: () => null, stop: async () => undefined };
}

let current = null;
let restore = null;
async function cleanup() {
  await restore?.().catch(() => undefined);
  restore = null;
  await current?.stop();
  current = null;
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => void cleanup().then(() => process.exit(130)));
}

try {
  const results = [];
  for (const mode of modes) {
    log(`${mode}: starting…`);
    const server = (current = await start(mode));
    await must(server.base, "GET", "/health");
    const route = server.check();
    log(`${mode}: ready after ${server.startupSeconds.toFixed(1)} s; ${route}`);
    const tenant = await prepareTenant(server.base, server.adminToken, mode === "direct" ? "fresh" : tenantMode);
    restore = tenant.restore;
    const rows = await scenarios(server.base, tenant.token, only);
    const runs = [];
    for (let run = 0; run < options.runs; run++) {
      const measured = {};
      for (const name of only) {
        const s = rows[name];
        if (run === 0) {
          const check = await fetch(new URL(s.path, server.base), { method: s.method, headers: s.headers, body: s.body });
          if (check.status !== 200) throw new Error(`${s.title}: ${check.status} ${(await check.text()).slice(0, 300)}`);
        }
        log(`${mode}: run ${run + 1}/${options.runs}: ${s.title}`);
        measured[name] = await measure(server, s, run === 0);
      }
      runs.push(measured);
    }
    results.push({ mode, title: server.title, route, startupSeconds: server.startupSeconds, tenant: tenant.note, titles: Object.fromEntries(only.map((n) => [n, rows[n].title])), runs });
    await cleanup();
  }
  console.log(report(results, { ...options, only }));
} catch (error) {
  console.error(`bench/http: ${error instanceof Error ? error.stack : String(error)}`);
  await cleanup();
  process.exit(1);
}
