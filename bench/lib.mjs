// Helpers shared by the benchmarks in bench/: machine facts, argument bounds, loopback checks and
// markdown tables. No dependencies beyond Node itself.
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import net from "node:net";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** wrangler 4 needs Node 22 or later: the project's own Node 24 is node_modules/.bin/node. */
export function requireModernNode() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 22) {
    console.error(
      `Node ${process.version} is too old for wrangler. Run through npm (npm run bench, npm run bench:vault), ` +
        `which puts the project's Node 24 first on PATH, or call node_modules/.bin/node directly.`,
    );
    process.exit(2);
  }
}

/** The environment wrangler and workerd need to stay offline (no metrics, no cf fetch). */
export const OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: "false",
  WRANGLER_HIDE_BANNER: "true",
};

/** The command line as it was typed, give or take quoting. */
export function commandLine() {
  const script = path.relative(process.cwd(), process.argv[1] ?? "") || process.argv[1];
  const lifecycle = process.env.npm_lifecycle_event;
  const args = process.argv.slice(2).join(" ");
  if (lifecycle && process.env.npm_lifecycle_script?.includes(path.basename(script))) {
    return `npm run ${lifecycle}${args ? ` -- ${args}` : ""}`;
  }
  return `node ${script}${args ? ` ${args}` : ""}`;
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return "?";
  }
}

/** Lines describing where and when the figures were taken. */
export function machineLines(extraPackages = []) {
  const cpus = os.cpus();
  const load = os.loadavg().map((l) => l.toFixed(2)).join(" ");
  const packages = extraPackages.map((p) => `${p} ${packageVersion(p)}`).join(", ");
  return [
    `date: ${new Date().toISOString()}`,
    `node: ${process.version} (${/node_modules[\\/]node[\\/]bin/.test(process.execPath) ? "the project's node devDependency" : process.execPath})`,
    `machine: ${os.platform()} ${os.arch()}, ${cpus.length} cores (${cpus[0]?.model.trim() ?? "?"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `load average at start (1/5/15 min): ${load}`,
    ...(packages ? [`packages: ${packages}`] : []),
  ];
}

export function loadLine(when) {
  return `load average ${when} (1/5/15 min): ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`;
}

/** An integer option within [min, max]; exits with a message otherwise. */
export function boundedInt(name, value, fallback, min, max) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    console.error(`--${name} must be between ${min} and ${max} (got ${value})`);
    process.exit(2);
  }
  return n;
}

/** Only loopback targets: this benchmark never sends load anywhere else. */
export function assertLoopback(url) {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  const ok = host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  if (!ok) {
    console.error(`refusing to send load to ${url}: only localhost, 127.0.0.0/8 and [::1] are allowed`);
    process.exit(2);
  }
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A GitHub-flavoured markdown table; numbers right-aligned. */
export function markdownTable(headers, rows, align = headers.map((_, i) => (i === 0 ? "l" : "r"))) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(3, ...cells.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => (align[i] === "r" ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (align[i] === "r" ? `${"-".repeat(w + 1)}:` : `:${"-".repeat(w + 1)}`)).join("|")}|`;
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join("\n");
}

/** Formats a duration in ms with about three significant digits. */
export function ms(value) {
  if (!Number.isFinite(value)) return "–";
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

// ---- CPU accounting from /proc (Linux) -----------------------------------------------------------
// Wall time on a shared 2-core machine moves with everyone else's load; the CPU time a process
// actually got, and the time its threads sat runnable waiting for a core, are steadier figures.

/** Parses /proc/<pid>/stat: the command is in parentheses and may contain spaces. */
function procStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const f = text.slice(close + 2).split(" ");
    return { pid: Number(pid), comm, ppid: Number(f[1]), pgrp: Number(f[2]) };
  } catch {
    return null;
  }
}

/** Every process on the machine (pid, command, parent, process group). */
export function processes() {
  let pids = [];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  return pids.map(procStat).filter((p) => p !== null);
}

/** The processes descended from `rootPid` (children, grandchildren, …). */
export function descendants(rootPid) {
  const all = processes();
  const found = [];
  const frontier = [rootPid];
  while (frontier.length) {
    const parent = frontier.pop();
    for (const p of all) {
      if (p.ppid === parent) {
        found.push(p);
        frontier.push(p.pid);
      }
    }
  }
  return found;
}

/** Nanoseconds on a CPU and waiting runnable for a CPU, summed over a process's live threads. */
export function cpuTimes(pid) {
  let run = 0;
  let wait = 0;
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  for (const t of tasks) {
    try {
      const [r, w] = readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").trim().split(" ").map(Number);
      run += r;
      wait += w;
    } catch {
      // thread gone
    }
  }
  return { run, wait };
}

/** Sums cpuTimes over a list of pids, grouped by a label. */
export function cpuByLabel(pids) {
  const out = {};
  for (const { pid, label } of pids) {
    const t = cpuTimes(pid);
    if (!t) continue;
    out[label] ??= { run: 0, wait: 0 };
    out[label].run += t.run;
    out[label].wait += t.wait;
  }
  return out;
}

// ---- servers and sockets -------------------------------------------------------------------------

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** KEY=value lines of a .dev.vars-style file; {} when it does not exist. */
export function readVars(file) {
  const vars = {};
  if (!existsSync(file)) return vars;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

/** Listening TCP sockets on the machine: socket inode → port (from /proc/net/tcp and tcp6). */
function listeningSockets() {
  const out = new Map();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // st 0A = LISTEN; local address is hex "ADDR:PORT"; f[9] is the socket's inode.
      if (f.length > 9 && f[3] === "0A") out.set(f[9], parseInt(f[1].split(":")[1], 16));
    }
  }
  return out;
}

/** The TCP ports a process listens on (read from its open file descriptors). */
export function listeningPorts(pid) {
  const sockets = listeningSockets();
  const ports = new Set();
  let fds = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m && sockets.has(m[1])) ports.add(sockets.get(m[1]));
    } catch {
      // fd closed meanwhile
    }
  }
  return [...ports];
}

/**
 * Splits the workerd processes under `rootPid` into the one that owns `publicPort` (wrangler's
 * proxy workerd, in front) and the others (the workerd that runs the Workers). wrangler dev and
 * createTestHarness both start exactly these two.
 */
export function workerdRoles(rootPid, publicPort) {
  const all = descendants(rootPid).filter((p) => p.comm === "workerd");
  const proxy = all.filter((p) => listeningPorts(p.pid).includes(publicPort));
  const workers = all.filter((p) => !proxy.includes(p));
  return { proxy: proxy.map((p) => p.pid), workers: workers.map((p) => p.pid) };
}

/** min, median and max of the finite values, or null when there are none. */
export function spread(values) {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return null;
  return { min: Math.min(...finite), median: median(finite), max: Math.max(...finite) };
}

/** "median (min–max)" with `format`, or just the value for a single sample; "–" for none. */
export function spreadText(values, format = ms) {
  const s = spread(values);
  if (!s) return "–";
  return s.min === s.max ? format(s.median) : `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

/**
 * The bench Worker (bench/worker) beside the real kms Worker in one workerd, for vault.mjs and
 * vault-load.mjs. A throwaway KEK: the harness keeps its own storage, apart from .wrangler/state,
 * and drops it on close.
 */
export async function vaultBenchHarness() {
  const { createTestHarness } = await import("wrangler");
  const { randomBytes } = await import("node:crypto");
  return createTestHarness({
    root,
    workers: [
      { configPath: "bench/worker/wrangler.toml" },
      { configPath: "workers/kms/wrangler.toml", secrets: { KMS_KEK: randomBytes(32).toString("base64") } },
    ],
  });
}
