#!/usr/bin/env node
// Prints the tables of docs/scaling.md from bench/measured.json (measured per-operation costs) and
// bench/cloudflare-limits.json (Cloudflare's published limits and prices), with the arithmetic of
// bench/scale-model-lib.mjs. No I/O beyond reading those two files; runs on any Node.
//
//   node bench/scale-model.mjs [--measured bench/measured.json] [--limits bench/cloudflare-limits.json]
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cpuFits, limitsReached, monthly, requestCpuMs, sharedCeilingOpsPerS, vaultCeiling } from "./scale-model-lib.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({ options: { measured: { type: "string" }, limits: { type: "string" } } });
const measured = JSON.parse(readFileSync(args.measured ?? path.join(here, "measured.json"), "utf8"));
const limits = JSON.parse(readFileSync(args.limits ?? path.join(here, "cloudflare-limits.json"), "utf8"));

const TENANTS = [10, 100, 1_000, 10_000];
const RATES = [0.1, 1, 10];
// Where it breaks: up to 100 operations/s per tenant, where one vault's own ceiling comes into view.
const BREAK_TENANTS = [10, 1_000, 10_000];
const BREAK_RATES = [0.1, 1, 10, 100];
const ISOLATES = 1_000;
const SCENARIO_OPS = ["ML-KEM-768 decrypt", "ML-DSA-65 sign"];

function table(headers, rows) {
  const line = (r) => `| ${r.join(" | ")} |`;
  return [line(headers), `|${headers.map((_, i) => (i === 0 ? ":--" : "--:")).join("|")}|`, ...rows.map(line)].join("\n");
}
const n = (v, digits = 0) => (Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "never");
const sig = (v) => (!Number.isFinite(v) ? "never" : v >= 100 ? n(v) : v >= 1 ? n(v, 1) : v >= 0.01 ? n(v, 2) : v.toExponential(1));
const rate = (v) => String(v);
const duration = (months) => (!Number.isFinite(months) ? "never" : months >= 1 ? `${sig(months)} months` : `${sig(months * 30)} days`);
const mark = (x) => (x.remeasure ? " †" : "");
const opNamed = (name) => {
  const op = measured.operations.find((o) => o.name === name);
  if (!op) throw new Error(`bench/measured.json has no operation ${name}`);
  return op;
};

const out = [];
out.push("### One tenant's vault, per operation", "");
out.push(table(
  ["operation", "vault CPU ms/op", "one vault sustains, ops/s", "bound by", "request CPU ms", "Free plan (10 ms)"],
  measured.operations.map((op) => {
    const c = vaultCeiling(op, limits);
    const cpu = requestCpuMs(op, measured);
    return [`${op.name}${mark(op)}`, sig(op.vault_cpu_ms), sig(c.opsPerS), c.boundBy, `${sig(cpu.ms)} (${cpu.source})`, cpuFits(cpu.ms, limits).free ? "fits" : "over"];
  }),
));

const per = measured.per_operation;
const archive = measured.audit_archive;
const soft = limits.durable_objects.soft_limit_requests_per_second_per_object;
const ceiling1000 = sharedCeilingOpsPerS(1_000, measured, limits);
out.push("", "### Shared by all tenants", "");
out.push(table(
  ["resource", "use", "published limit", "saturates at"],
  [
    [`D1 (one database) writes${mark(per)}`, `${per.d1_rows_written} rows per operation + ${archive.d1_rows_written_per_segment} per audit segment (archive status) + ${measured.per_tenant.d1_writes_per_s}/s per active tenant (usage)`, `~${n(limits.d1.queries_per_second_at_1ms)} queries/s at 1 ms each`, `${sig(ceiling1000)} operations/s over all tenants (with 1,000 active tenants; the D1 writes or the platform vault below, whichever first)`],
    [`D1 database size${mark(per)}`, `${per.d1_bytes} B per operation (D1 holds tenants, API keys, key metadata, usage, one archive status row per log)`, `${n(limits.d1.max_database_bytes / 1e9)} GB`, "see the growth table"],
    [`MetricsStore (${measured.per_isolate.metrics_shards ?? 1} shards)${mark(measured.per_isolate)}`, `${measured.per_isolate.metrics_requests_per_s} requests/s per gateway isolate, to one shard`, `~${n(soft)} requests/s per shard`, `${n((soft * (measured.per_isolate.metrics_shards ?? 1)) / measured.per_isolate.metrics_requests_per_s)} isolates`],
    ["platform vault (signs every log's checkpoints)", `${archive.do_requests_per_segment} request per audit segment (${n(archive.segment_events)} events, or ${n(archive.segment_seconds)} s when slower)`, `~${n(soft)} requests/s per object`, `${n((soft * archive.segment_events) / archive.do_requests_per_segment)} operations/s over all tenants; ${n(soft * archive.segment_seconds)} tenants at under one segment an hour`],
  ],
));

for (const name of SCENARIO_OPS) {
  const op = opNamed(name);
  out.push("", `### A month of ${name}${mark(op)}: cost (paid plan, USD) and storage`, "");
  const rows = [];
  for (const tenants of TENANTS) {
    for (const opsPerS of RATES) {
      const m = monthly({ tenants, opsPerS, op }, measured, limits);
      const top = Object.entries(m.lines).sort((a, b) => b[1] - a[1])[0];
      rows.push([n(tenants), rate(opsPerS), sig(m.ops / 1e6), `$${sig(m.total)}`, `$${sig(m.usdPerMillionOps)}`, `${top[0]} $${sig(top[1])}`, sig(m.doGbPerTenant), sig(m.r2Gb), sig(m.d1Gb)]);
    }
  }
  out.push(table(["tenants", "ops/s each", "million ops/month", "total", "per million ops", "largest line", "DO GB held per tenant (hot window)", "R2 GB added", "D1 GB added"], rows));
}

out.push("", `### Where it breaks first (${n(ISOLATES)} gateway isolates)`, "");
const rows = [];
for (const name of SCENARIO_OPS) {
  const op = opNamed(name);
  for (const tenants of BREAK_TENANTS) {
    for (const opsPerS of BREAK_RATES) {
      const reached = limitsReached({ tenants, opsPerS, op, isolates: ISOLATES }, measured, limits);
      const first = reached[0];
      const storage = reached.filter((r) => r.months !== undefined).sort((a, b) => a.months - b.months)[0];
      rows.push([name, n(tenants), rate(opsPerS), `${first.limit}: ${n(100 * first.utilisation)} %`, `${storage.limit}: ${duration(storage.months)}`]);
    }
  }
}
out.push(table(["operation", "tenants", "ops/s each", "most loaded limit (load ÷ capacity)", "first storage limit to fill"], rows));
if (JSON.stringify(measured).includes('"remeasure":true')) out.push("", "† to be re-measured (bench/measured.json says which and how).");
console.log(out.join("\n"));
