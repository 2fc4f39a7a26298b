// The two ways bench/http.mjs runs the service, each in its own process group so all of it can be
// stopped at the end:
// - "direct": bench/direct-server.mjs (createTestHarness, observability collector off); requests
//   go straight to the entry socket of the workerd that runs the Workers.
// - "npm start": scripts/dev.mjs under `wrangler dev`, as a developer runs it; requests go to its
//   public port, served by wrangler's proxy workerd, which forwards them to the Workers' workerd.
// Both report CPU time by role: the Workers' workerd, the proxy workerd, and wrangler's Node side.
import { spawn } from "node:child_process";
import path from "node:path";
import { OFFLINE_ENV, cpuByLabel, descendants, listeningPorts, readVars, root, workerdRoles } from "./lib.mjs";

/** Resolves with the first whole line the child prints that `match` accepts; rejects on exit or timeout. */
function waitForLine(child, match, what) {
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not ready after 180 s\n${log.slice(-4000)}`)), 180_000);
    timer.unref();
    const onData = (chunk) => {
      log += chunk;
      if (log.length > 200_000) log = log.slice(-100_000);
      // Only whole lines: a line split across chunks is looked at once its newline has come.
      for (const line of log.split("\n").slice(0, -1)) {
        const found = match(line);
        if (found) {
          clearTimeout(timer);
          resolve({ found, log: () => log });
          return;
        }
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", (chunk) => (log += chunk));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}):\n${log.slice(-4000)}`));
    });
  });
}

/** Stops a process group this module started: SIGTERM, then SIGKILL after 10 s. */
async function stopGroup(child) {
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
  child.stdin?.end();
  signal("SIGTERM");
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive()) signal("SIGKILL");
}

/** CPU (ns) of the Workers' workerd, the proxy workerd and every other (Node) process of the group. */
function cpuOf(child, roles) {
  const pids = [{ pid: child.pid, label: "node" }];
  for (const p of descendants(child.pid)) {
    const label = roles.workers.includes(p.pid) ? "workers" : roles.proxy.includes(p.pid) ? "proxy" : p.comm === "workerd" ? "other workerd" : "node";
    pids.push({ pid: p.pid, label });
  }
  return cpuByLabel(pids);
}

/** The production-like setup: straight to the Workers' workerd, collector off. */
export async function startDirect() {
  const t0 = performance.now();
  const env = { ...process.env, ...OFFLINE_ENV, X_LOCAL_OBSERVABILITY: "false" };
  const child = spawn(process.execPath, [path.join(root, "bench", "direct-server.mjs")], { cwd: root, env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
  const parse = (line) => {
    try {
      return line.startsWith("{") ? JSON.parse(line) : null;
    } catch {
      return null;
    }
  };
  let info;
  try {
    ({ found: info } = await waitForLine(child, parse, "bench/direct-server.mjs"));
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
  const roles = { workers: info.workers, proxy: info.proxy };
  const port = Number(new URL(info.directUrl).port);
  return {
    mode: "direct",
    title: "direct to the Workers' workerd, collector off",
    base: info.directUrl,
    adminToken: info.adminToken,
    startupSeconds: (performance.now() - t0) / 1000,
    // The target socket must belong to the Workers' workerd, and the proxy must not own it.
    check: () => checkRoute(port, roles, "workers"),
    cpu: () => cpuOf(child, roles),
    stop: () => stopGroup(child),
  };
}

/** `npm start` as a developer runs it (scripts/dev.mjs → wrangler dev), on a free port. */
export async function startNpmStart(port) {
  const t0 = performance.now();
  const bin = path.join(root, "node_modules", ".bin");
  const env = {
    ...process.env,
    ...OFFLINE_ENV,
    PORT: String(port),
    // npm scripts run under node_modules/.bin/node (Node 24), which wrangler needs.
    PATH: [bin, path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
  };
  // Whatever npm start does about the collector by default is what is measured here.
  delete env.X_LOCAL_OBSERVABILITY;
  const npmCli = process.env.npm_execpath;
  const [cmd, args] = npmCli && npmCli.endsWith(".js") ? [process.execPath, [npmCli, "start"]] : ["npm", ["start"]];
  const child = spawn(cmd, args, { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  try {
    await waitForLine(child, (line) => line.includes("pqkms is running on"), "npm start");
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
  const roles = workerdRoles(child.pid, port);
  return {
    mode: "npm start",
    title: "npm start (wrangler dev: proxy workerd in front, its default collector setting)",
    base: `http://127.0.0.1:${port}`,
    adminToken: process.env.ADMIN_TOKEN ?? readVars(path.join(root, ".dev.vars")).ADMIN_TOKEN,
    startupSeconds: (performance.now() - t0) / 1000,
    check: () => checkRoute(port, roles, "proxy"),
    cpu: () => cpuOf(child, roles),
    stop: () => stopGroup(child),
  };
}

/** Which workerd owns the port the load goes to; throws when it is not the expected one. */
function checkRoute(port, roles, expected) {
  const owner = [...roles.workers, ...roles.proxy].find((pid) => listeningPorts(pid).includes(port));
  const role = roles.workers.includes(owner) ? "workers" : roles.proxy.includes(owner) ? "proxy" : "none";
  if (role !== expected) throw new Error(`port ${port} is served by ${role} (pid ${owner}), expected ${expected}`);
  return `port ${port} is the socket of workerd pid ${owner} (${role === "workers" ? "runs the Workers" : "wrangler's proxy"}); Workers' workerd pid ${roles.workers.join(",")}, proxy workerd pid ${roles.proxy.join(",")}`;
}
