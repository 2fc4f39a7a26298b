#!/usr/bin/env node
// HTTP benchmark of the whole service (gateway → rate limiter, policy, kms → TenantVault) under
// wrangler dev, with autocannon. See bench/README.md.
//
//   node bench/http.mjs [--duration 10] [--warmup 2] [--connections 32] [--only health,tenant,decrypt,sign]
//                       [--tenant demo|bench]
//
// Without BASE_URL it starts `npm start` itself on a free port and stops it at the end. With
// BASE_URL (loopback only) it uses that server and PQKMS_API_KEY (default: the demo tenant's key
// in .wrangler/demo-tenant.json); ADMIN_TOKEN (default: .dev.vars) lets it lift the tenant's rate
// limit for the run (restored afterwards). `--tenant bench` uses a tenant of its own instead,
// created once and remembered in .wrangler/bench-tenant.json.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { OFFLINE_ENV, requireModernNode, assertLoopback, boundedInt, commandLine, cpuByLabel, descendants, loadLine, machineLines, markdownTable, root } from "./lib.mjs";

requireModernNode();

const { values: args } = parseArgs({
  options: {
    duration: { type: "string" },
    warmup: { type: "string" },
    connections: { type: "string" },
    only: { type: "string" },
    tenant: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (args.help) {
  console.log(`usage: node bench/http.mjs [--duration 1..60 (10)] [--warmup 0..10 (2)] [--connections 1..256 (32)] [--only health,tenant,decrypt,sign] [--tenant demo|bench]
env: BASE_URL (loopback only; default: start npm start on a free port), PQKMS_API_KEY, ADMIN_TOKEN, PQKMS_TENANT_ID`);
  process.exit(0);
}
const DURATION = boundedInt("duration", args.duration, 10, 1, 60);
const WARMUP = boundedInt("warmup", args.warmup, 2, 0, 10);
const CONNECTIONS = boundedInt("connections", args.connections, 32, 1, 256);
const SCENARIOS = ["health", "tenant", "decrypt", "sign"];
const only = args.only ? args.only.split(",").map((s) => s.trim()) : SCENARIOS;
for (const name of only) {
  if (!SCENARIOS.includes(name)) {
    console.error(`--only: unknown scenario ${name} (known: ${SCENARIOS.join(", ")})`);
    process.exit(2);
  }
}
const TENANT_MODE = args.tenant ?? "demo";
if (!["demo", "bench"].includes(TENANT_MODE)) {
  console.error("--tenant: demo (the npm start demo tenant) or bench (a tenant of its own, created once)");
  process.exit(2);
}
const header = machineLines(["wrangler", "autocannon"]);
const log = (line) => process.stderr.write(`bench/http: ${line}\n`);

// ---- the server ------------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function readVars(file) {
  const vars = {};
  if (!existsSync(file)) return vars;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

let child = null;
let childLog = "";

/** Starts `npm start` (scripts/dev.mjs) in its own process group on `port`; resolves when it is ready. */
async function startServer(port) {
  const bin = path.join(root, "node_modules", ".bin");
  const env = {
    ...process.env,
    ...OFFLINE_ENV,
    PORT: String(port),
    // npm scripts run under node_modules/.bin/node (Node 24), which wrangler needs.
    PATH: [bin, path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
  };
  const npmCli = process.env.npm_execpath;
  const [cmd, cmdArgs] = npmCli && npmCli.endsWith(".js") ? [process.execPath, [npmCli, "start"]] : ["npm", ["start"]];
  child = spawn(cmd, cmdArgs, { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  let ready;
  const readyLine = new Promise((resolve) => (ready = resolve));
  const collect = (chunk) => {
    childLog += chunk;
    if (childLog.length > 200_000) childLog = childLog.slice(-100_000);
    if (childLog.includes("pqkms is running on")) ready();
  };
  child.stdout.setEncoding("utf8").on("data", collect);
  child.stderr.setEncoding("utf8").on("data", collect);
  const timeout = new Promise((resolve) => setTimeout(() => resolve("timeout"), 180_000).unref());
  const outcome = await Promise.race([readyLine.then(() => "ready"), exited.then((code) => `exited (${code})`), timeout]);
  if (outcome !== "ready") throw new Error(`npm start ${outcome}:\n${childLog.slice(-4000)}`);
}

/** Stops the process group this script started (npm, scripts/dev.mjs, wrangler, workerd). */
async function stopServer() {
  if (!child) return;
  const group = -child.pid;
  const alive = () => {
    try {
      process.kill(group, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signal = (name) => {
    try {
      process.kill(group, name);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive()) signal("SIGKILL");
  child = null;
}

/** CPU time (ns) of the server's processes, by kind: workerd, and wrangler's Node processes. */
function serverCpu() {
  if (!child) return null;
  const pids = descendants(child.pid).map((p) => ({ pid: p.pid, label: p.comm === "workerd" ? "workerd" : "node" }));
  pids.push({ pid: child.pid, label: "node" });
  return cpuByLabel(pids);
}

// ---- API helpers -----------------------------------------------------------------------------

async function call(base, method, url, { token, admin, body } = {}) {
  const headers = { "content-type": "application/json" };
  if (token) headers["x-api-key"] = token;
  if (admin) headers.authorization = `Bearer ${admin}`;
  const response = await fetch(new URL(url, base), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

async function must(base, method, url, options, expected = [200]) {
  const r = await call(base, method, url, options);
  if (!expected.includes(r.status)) throw new Error(`${method} ${url}: ${r.status} ${r.text.slice(0, 500)}`);
  return r.json;
}

/** A key of this algorithm named for the benchmark, reused across runs so the tenant does not fill up. */
async function benchKey(base, token, algorithm) {
  const name = `pqkms-bench ${algorithm}`;
  let cursor;
  for (let page = 0; page < 20; page++) {
    const q = new URLSearchParams({ algorithm, state: "enabled", limit: "100", ...(cursor ? { cursor } : {}) });
    const list = await must(base, "GET", `/v1/keys?${q}`, { token });
    const found = list.keys.find((k) => k.name === name);
    if (found) return found.id;
    if (!list.next_cursor) break;
    cursor = list.next_cursor;
  }
  const created = await call(base, "POST", "/v1/keys", { token, body: { algorithm, name, labels: { purpose: "bench" } } });
  if (created.status === 200 || created.status === 201) return created.json.id;
  throw new Error(
    `POST /v1/keys (${algorithm}): ${created.status} ${created.text.slice(0, 300)}\n` +
      (TENANT_MODE === "demo"
        ? "The demo tenant cannot create a key here. If its vault was made by an older build (local state in .wrangler/state), run with --tenant bench (a fresh tenant of its own) or start from a fresh local state."
        : ""),
  );
}

function demoToken() {
  const file = path.join(root, ".wrangler", "demo-tenant.json");
  const token = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).token : undefined;
  if (!token) throw new Error("no API key: set PQKMS_API_KEY, or run npm start once to create the demo tenant");
  return token;
}

/** A tenant of the benchmark's own (plan pro), created once per local state and reused. */
async function benchTenant(base, admin) {
  const file = path.join(root, ".wrangler", "bench-tenant.json");
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8"));
    if ((await call(base, "GET", "/v1/tenant", { token: saved.token })).status === 200) return saved.token;
  }
  if (!admin) throw new Error("--tenant bench needs ADMIN_TOKEN (or .dev.vars) to create the tenant");
  const created = await must(base, "POST", "/admin/v1/tenants", { admin, body: { name: "pqkms-bench", plan: "pro" } }, [201]);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ tenant_id: created.tenant.id, token: created.api_key.token }, null, 2), { mode: 0o600 });
  return created.api_key.token;
}

function autocannonRun(options) {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

// ---- main ------------------------------------------------------------------------------------

let restoreLimits = null;
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    if (interrupted) return;
    interrupted = true;
    await restoreLimits?.().catch(() => undefined);
    await stopServer();
    process.exit(130);
  });
}

async function main() {
  let base = process.env.BASE_URL;
  let started = "no (BASE_URL)";
  let startupSeconds = null;
  if (base) {
    assertLoopback(base);
  } else {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    log(`starting npm start on port ${port}…`);
    const t0 = performance.now();
    await startServer(port);
    startupSeconds = (performance.now() - t0) / 1000;
    started = `yes: npm start, PORT=${port}`;
  }
  assertLoopback(base);

  const admin = process.env.ADMIN_TOKEN ?? readVars(path.join(root, ".dev.vars")).ADMIN_TOKEN;
  await must(base, "GET", "/health");
  const token = process.env.PQKMS_API_KEY ?? (TENANT_MODE === "bench" ? await benchTenant(base, admin) : demoToken());
  const tenant = await must(base, "GET", "/v1/tenant", { token });
  const tenantId = process.env.PQKMS_TENANT_ID ?? tenant.id;

  // Lift the tenant's rate limit so the limiter is not what is measured; put it back afterwards.
  let limitNote = "rate limit left as it was (no ADMIN_TOKEN)";
  if (admin) {
    const before = await must(base, "GET", `/admin/v1/tenants/${tenantId}`, { admin });
    const previous = { rate_per_second: before.limit_overrides.rate_per_second, burst: before.limit_overrides.burst };
    const lifted = { rate_per_second: 1_000_000, burst: 1_000_000 };
    await must(base, "PATCH", `/admin/v1/tenants/${tenantId}`, { admin, body: { limits: lifted } });
    restoreLimits = async () => {
      await must(base, "PATCH", `/admin/v1/tenants/${tenantId}`, { admin, body: { limits: previous } });
      restoreLimits = null;
    };
    // The gateway may serve a resolved API key from memory for a few seconds: wait for the new limits.
    for (let i = 0; i < 60; i++) {
      const now = await must(base, "GET", "/v1/tenant", { token });
      if (now.limits.rate_per_second === lifted.rate_per_second) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    limitNote = `tenant rate limit lifted to ${lifted.rate_per_second}/s, burst ${lifted.burst} for the run (was ${before.limits.rate_per_second}/s, burst ${before.limits.burst}; restored after)`;
  }

  // Fixtures: an ML-KEM-768 key with one envelope, an ML-DSA-65 key.
  const json = { "content-type": "application/json" };
  const auth = { "x-api-key": token, ...json };
  const scenarios = {
    health: { title: "GET /health", method: "GET", path: "/health", headers: {} },
    tenant: { title: "GET /v1/tenant", method: "GET", path: "/v1/tenant", headers: auth },
  };
  if (only.includes("decrypt")) {
    const kem = await benchKey(base, token, "ML-KEM-768");
    const plaintext = Buffer.alloc(32, 7).toString("base64");
    const { ciphertext } = await must(base, "POST", `/v1/keys/${kem}/encrypt`, { token, body: { plaintext } });
    scenarios.decrypt = {
      title: "POST /v1/keys/:id/decrypt (ML-KEM-768, 32-byte plaintext)",
      method: "POST",
      path: `/v1/keys/${kem}/decrypt`,
      headers: auth,
      body: JSON.stringify({ ciphertext }),
    };
  }
  if (only.includes("sign")) {
    const dsa = await benchKey(base, token, "ML-DSA-65");
    scenarios.sign = {
      title: "POST /v1/keys/:id/sign (ML-DSA-65, 64-byte message)",
      method: "POST",
      path: `/v1/keys/${dsa}/sign`,
      headers: auth,
      body: JSON.stringify({ message: Buffer.alloc(64, 9).toString("base64") }),
    };
  }

  const rows = [];
  const contention = [];
  for (const name of only) {
    const s = scenarios[name];
    const url = new URL(s.path, base).href;
    const check = await fetch(url, { method: s.method, headers: s.headers, body: s.body });
    if (check.status !== 200) throw new Error(`${s.title}: ${check.status} ${(await check.text()).slice(0, 300)}`);
    const options = { url, method: s.method, headers: s.headers, body: s.body, connections: CONNECTIONS, timeout: 30 };
    if (WARMUP > 0) {
      log(`${s.title}: warm-up ${WARMUP} s`);
      await autocannonRun({ ...options, duration: WARMUP });
    }
    log(`${s.title}: ${DURATION} s, ${CONNECTIONS} connections`);
    const cpu0 = serverCpu();
    const client0 = process.cpuUsage();
    const r = await autocannonRun({ ...options, duration: DURATION });
    const client = process.cpuUsage(client0);
    const cpu1 = serverCpu();
    const responses = Math.max(1, r.latency.totalCount);
    const perReq = (label) => (cpu0?.[label] && cpu1?.[label] ? ((cpu1[label].run - cpu0[label].run) / 1e6 / responses).toFixed(2) : "–");
    const cores = (label) => (cpu0?.[label] && cpu1?.[label] ? ((cpu1[label].run - cpu0[label].run) / 1e9 / r.duration).toFixed(2) : "–");
    const waited = (label) => (cpu0?.[label] && cpu1?.[label] ? (cpu1[label].wait - cpu0[label].wait) / Math.max(1, cpu1[label].run - cpu0[label].run) : NaN);
    const statuses = Object.entries(r.statusCodeStats)
      .filter(([code]) => !code.startsWith("2"))
      .map(([code, { count }]) => `${code}×${count}`);
    const answered = r.latency.totalCount > 0;
    rows.push([
      s.title,
      (r["2xx"] / r.duration).toFixed(0),
      answered ? r.latency.p50.toFixed(1) : "–",
      answered ? r.latency.p99.toFixed(1) : "–",
      String(r["2xx"]),
      String(r.statusCodeStats["429"]?.count ?? 0),
      statuses.length ? `${r.non2xx} (${statuses.join(", ")})` : String(r.non2xx),
      String(r.errors + r.timeouts),
      perReq("workerd"),
      cores("workerd"),
      perReq("node"),
      ((client.user + client.system) / 1000 / responses).toFixed(2),
    ]);
    contention.push(waited("workerd"));
  }
  await restoreLimits?.();

  const out = [];
  out.push("## pqkms HTTP benchmark", "");
  out.push("```", `$ ${commandLine()}`, ...header, loadLine("at end"),
    `target: ${base} (server started by this script: ${started}${startupSeconds === null ? "" : `, ready after ${startupSeconds.toFixed(1)} s`})`,
    `load: autocannon, ${CONNECTIONS} connections, ${WARMUP} s warm-up (not counted) then ${DURATION} s per row, one row at a time`,
    `tenant: ${process.env.PQKMS_API_KEY ? "the one PQKMS_API_KEY belongs to" : TENANT_MODE === "bench" ? "pqkms-bench (its own, plan pro)" : "the npm start demo tenant (plan pro)"}; ${limitNote}`, "```", "");
  out.push(markdownTable(
    ["request", "2xx req/s", "p50 ms", "p99 ms", "2xx", "429", "non-2xx", "errors+timeouts", "workerd CPU ms/req", "workerd cores busy", "wrangler CPU ms/req", "client CPU ms/req"],
    rows,
  ));
  const waits = contention.filter(Number.isFinite);
  if (waits.length) {
    out.push("", `CPU per response: from /proc/<pid>/task/*/schedstat of the server's processes (workerd; wrangler's Node processes) and of this process (autocannon), divided by responses. workerd's threads waited for a free core ${(100 * Math.min(...waits)).toFixed(0)}–${(100 * Math.max(...waits)).toFixed(0)} % as long as they ran (2 cores shared by server, client and anything else running).`);
  }
  console.log(out.join("\n"));
}

try {
  await main();
  await stopServer();
} catch (error) {
  console.error(`bench/http: ${error instanceof Error ? error.message : String(error)}`);
  if (childLog) console.error(`--- last lines from npm start ---\n${childLog.split("\n").slice(-40).join("\n")}`);
  await restoreLimits?.().catch(() => undefined);
  await stopServer();
  process.exit(1);
}
