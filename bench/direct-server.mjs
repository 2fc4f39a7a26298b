#!/usr/bin/env node
// Runs bench/harness.mjs's production-like Workers as a child process of bench/http.mjs, so its
// Node side is accounted apart from the client. When ready it prints one JSON line on stdout:
//   {"directUrl", "proxyUrl", "workers": [pid], "proxy": [pid], "adminToken", "startupMs"}
// (the admin token is a throwaway for this run's in-memory storage). It stops when stdin closes or
// on SIGTERM.
import { startWorkers } from "./harness.mjs";
import { requireModernNode } from "./lib.mjs";

requireModernNode();

let workers = null;
let closing = false;
async function close(code) {
  if (closing) return;
  closing = true;
  await workers?.harness.close().catch(() => undefined);
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void close(0));
process.stdin.on("end", () => void close(0));
process.stdin.resume();

try {
  workers = await startWorkers();
  const { directUrl, proxyUrl, workers: workersPids, proxy, adminToken, startupMs } = workers;
  process.stdout.write(`${JSON.stringify({ directUrl, proxyUrl, workers: workersPids, proxy, adminToken, startupMs })}\n`);
} catch (error) {
  process.stderr.write(`bench/direct-server: ${error instanceof Error ? error.stack : String(error)}\n`);
  await close(1);
}
