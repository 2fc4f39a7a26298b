// The markdown report of bench/http.mjs: one table per setup (median and min–max over runs), then
// the ratios the goals are stated in, each computed within one run and one setup.
import { commandLine, loadLine, machineLines, markdownTable, spread, spreadText } from "./lib.mjs";

// Goals (bench/README.md): authenticated GET /v1/tenant ≥ 0.5× /health requests/s at 32 connections;
// every operation but SLH-DSA signing ≤ 2 ms of CPU per request end to end.
const TENANT_OVER_HEALTH_GOAL = 0.5;
const CPU_GOAL_MS = 2;

const header = machineLines(["wrangler", "autocannon"]);
const num = (digits) => (v) => (Number.isFinite(v) ? v.toFixed(digits) : "–");

function setupTable(result) {
  const names = Object.keys(result.titles);
  const col = (name, field) => result.runs.map((run) => run[name][field]);
  const rows = names.map((name) => {
    const statuses = result.runs.flatMap((run) => run[name].statuses);
    return [
      result.titles[name],
      spreadText(col(name, "reqPerS"), num(0)),
      spreadText(col(name, "p50"), num(1)),
      spreadText(col(name, "p99"), num(1)),
      spreadText(col(name, "workersMs")),
      spreadText(col(name, "proxyMs")),
      spreadText(col(name, "nodeMs")),
      spreadText(col(name, "clientMs")),
      spreadText(col(name, "workersCores"), num(2)),
      statuses.length ? statuses.join(", ") : "0",
    ];
  });
  return markdownTable(
    ["request", "2xx req/s", "p50 ms", "p99 ms", "Workers' workerd CPU ms/req", "proxy workerd CPU ms/req", "wrangler Node CPU ms/req", "client CPU ms/req", "Workers' workerd cores busy", "non-2xx, errors"],
    rows,
  );
}

/** Per-run ratios: the same run's two figures divided, then median (min–max) over runs. */
function ratioText(a, b) {
  const values = a.map((x, i) => x / b[i]);
  return spreadText(values, num(2));
}

function goalsTable(results) {
  const rows = [];
  for (const result of results) {
    const names = Object.keys(result.titles);
    const col = (name, field) => result.runs.map((run) => run[name][field]);
    if (names.includes("tenant") && names.includes("health")) {
      const ratio = spread(col("tenant", "reqPerS").map((x, i) => x / col("health", "reqPerS")[i]));
      rows.push([result.mode, "GET /v1/tenant req/s ÷ GET /health req/s", ratioText(col("tenant", "reqPerS"), col("health", "reqPerS")), `≥ ${TENANT_OVER_HEALTH_GOAL}`, ratio && ratio.median >= TENANT_OVER_HEALTH_GOAL ? "met" : "not met"]);
    }
    for (const name of names) {
      const cpu = spread(col(name, "workersMs"));
      rows.push([result.mode, `${result.titles[name]}: Workers' workerd CPU ms/req`, spreadText(col(name, "workersMs")), `≤ ${CPU_GOAL_MS}`, cpu ? (cpu.median <= CPU_GOAL_MS ? "met" : "not met") : "–"]);
    }
  }
  return markdownTable(["setup", "figure", "median (min–max over runs)", "goal", "verdict"], rows);
}

/** direct ÷ npm start, for CPU and requests/s, pairing run i of one setup with run i of the other. */
function comparisonTable(results) {
  const direct = results.find((r) => r.mode === "direct");
  const dev = results.find((r) => r.mode === "npm start");
  if (!direct || !dev) return null;
  const rows = Object.keys(direct.titles).map((name) => {
    const col = (result, field) => result.runs.map((run) => run[name][field]);
    const devTotal = dev.runs.map((run) => run[name].workersMs + run[name].proxyMs + run[name].nodeMs);
    return [
      direct.titles[name],
      ratioText(col(direct, "workersMs"), col(dev, "workersMs")),
      ratioText(col(direct, "workersMs"), devTotal),
      ratioText(col(direct, "reqPerS"), col(dev, "reqPerS")),
    ];
  });
  return markdownTable(["request", "Workers' workerd CPU: direct ÷ npm start", "direct Workers' CPU ÷ npm start all server CPU", "req/s: direct ÷ npm start"], rows);
}

export function report(results, options) {
  const out = ["## pqkms HTTP benchmark", ""];
  out.push("```", `$ ${commandLine()}`, ...header, loadLine("at end"),
    `load: autocannon, ${options.connections} connections; ${options.runs} run(s) of ${options.duration} s per request and setup, one request at a time; ${options.warmup} s warm-up (not counted) before the first run of each`);
  for (const r of results) out.push(`${r.mode}: ${r.title}; ready after ${r.startupSeconds.toFixed(1)} s; ${r.route}; ${r.tenant}`);
  out.push("```", "");
  for (const r of results) {
    const waits = r.runs.flatMap((run) => Object.values(run).map((m) => m.wait)).filter(Number.isFinite);
    out.push(`### ${r.mode}`, "", setupTable(r), "");
    if (waits.length) out.push(`The Workers' workerd threads waited for a free core ${(100 * Math.min(...waits)).toFixed(0)}–${(100 * Math.max(...waits)).toFixed(0)} % as long as they ran (2 cores shared by server, client and anything else running).`, "");
  }
  out.push("### Goals", "", goalsTable(results), "");
  const comparison = comparisonTable(results);
  if (comparison) out.push("### direct ÷ npm start (run i with run i)", "", comparison, "");
  out.push("CPU per response: /proc/<pid>/task/*/schedstat of each process before and after the row, divided by responses. Cells: median (min–max) over runs.");
  return out.join("\n");
}
