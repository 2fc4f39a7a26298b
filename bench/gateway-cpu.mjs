#!/usr/bin/env node
// CPU per request of the gateway path under `npm start` (scripts/dev.mjs), per workerd process:
// `/health`, an authenticated `GET /v1/tenant` and an ML-KEM-768 decrypt, sent one at a time.
// CPU is read from /proc/<pid>/task/*/schedstat (Linux) of each workerd this script started,
// before and after each batch, so other processes on a shared machine move the figures far less
// than wall time would. Each workerd is reported apart: wrangler's proxy and the Workers' own.
//
//   node bench/gateway-cpu.mjs [--requests 300] [--runs 3] [--port 8791]
//
// Starts with the local observability collector off (X_LOCAL_OBSERVABILITY=false) unless the
// environment sets it; pass X_LOCAL_OBSERVABILITY=true to measure `npm start` with it on.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { cpuTimes, descendants, requireModernNode, root } from "./lib.mjs";

requireModernNode();
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const requests = arg("requests", 300);
const runs = arg("runs", 3);
const port = arg("port", 8791);
const base = `http://127.0.0.1:${port}`;

const env = { ...process.env, PATH: `${path.join(root, "node_modules", ".bin")}:${process.env.PATH}`, PORT: String(port), X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY ?? "false" };
const child = spawn(process.execPath, [path.join(root, "scripts", "dev.mjs")], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"], detached: true });
let out = "";
child.stdout.on("data", (d) => (out += d));
const stop = () => {
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
};
process.on("exit", stop);

async function ready() {
  for (let i = 0; i < 1200; i++) {
    if (out.includes("pqkms is running")) return;
    if (child.exitCode !== null) throw new Error("npm start exited");
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("npm start did not come up in 120 s");
}

async function call(method, url, headers = {}, body) {
  const response = await fetch(`${base}${url}`, { method, headers: { "content-type": "application/json", ...headers }, body: body && JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

function workerdCpu(pids) {
  return pids.map((pid) => cpuTimes(pid)?.run ?? 0);
}

try {
  await ready();
  const admin = /^ADMIN_TOKEN=(.*)$/m.exec(readFileSync(path.join(root, ".dev.vars"), "utf8"))[1];
  // An enterprise tenant, so that sequential requests stay under its rate limit.
  const created = await call("POST", "/admin/v1/tenants", { authorization: `Bearer ${admin}` }, { name: `bench-${Date.now()}`, plan: "enterprise" });
  const auth = { "x-api-key": created.api_key.token };
  const key = await call("POST", "/v1/keys", auth, { algorithm: "ML-KEM-768" });
  const sealed = await call("POST", `/v1/keys/${key.id}/encrypt`, auth, { plaintext: Buffer.from("bench").toString("base64") });
  const cases = [
    ["/health", () => call("GET", "/health")],
    ["GET /v1/tenant", () => call("GET", "/v1/tenant", auth)],
    ["ML-KEM-768 decrypt", () => call("POST", `/v1/keys/${key.id}/decrypt`, auth, { ciphertext: sealed.ciphertext })],
  ];
  const pids = descendants(child.pid).filter((p) => p.comm === "workerd").map((p) => p.pid);
  const results = {};
  for (let run = 0; run < runs; run++) {
    for (const [name, fn] of cases) {
      for (let i = 0; i < 20; i++) await fn(); // warm: caches, JIT
      const before = workerdCpu(pids);
      for (let i = 0; i < requests; i++) await fn();
      const after = workerdCpu(pids);
      (results[name] ??= []).push(after.map((a, i) => (a - before[i]) / requests / 1e6));
    }
  }
  console.log(`workerd CPU ms per request (${requests} sequential requests a run, ${runs} runs: min / median / max), X_LOCAL_OBSERVABILITY=${env.X_LOCAL_OBSERVABILITY}`);
  for (const [name, perRun] of Object.entries(results)) {
    const cols = pids.map((pid, i) => {
      const v = perRun.map((r) => r[i]).sort((a, b) => a - b);
      return `pid ${pid}: ${v[0].toFixed(3)} / ${v[Math.floor(v.length / 2)].toFixed(3)} / ${v[v.length - 1].toFixed(3)}`;
    });
    console.log(`  ${name.padEnd(20)} ${cols.join("   ")}`);
  }
} finally {
  stop();
}
