/**
 * Request counters for /metrics. Each isolate accumulates deltas in memory and flushes them at most
 * every few seconds (never on the hot path's critical section) to one of several MetricsStore
 * shards; /metrics merges the shards, so it shows platform-wide totals, not one isolate's. Pure
 * apart from the module-level accumulator; rendering (counters, and the gauges read at scrape time)
 * follows the Prometheus text exposition format 0.0.4.
 */

export const METRICS = {
  pqkms_requests_total: "Requests answered, by route pattern, method and status, and operation on tenant routes",
  pqkms_policy_denials_total: "Requests denied by the policy engine, by rule",
  pqkms_rate_limited_total: "Requests refused by the per-tenant rate limiter",
  pqkms_fail_open_allowances_total: "Requests let through by emergency fail-open during a policy outage",
  pqkms_dependency_failures_total: "Requests failed closed because a dependency failed, by dependency",
} as const;
export type MetricName = keyof typeof METRICS;

export interface CounterDelta {
  name: MetricName;
  /** Canonical label text, e.g. `method="GET",route="/v1/tenant",status="200"`. */
  labels: string;
  value: number;
}

const FLUSH_INTERVAL_MS = 5_000;
const MAX_PENDING_SERIES = 500;

function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

export function labelText(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k] as string)}"`)
    .join(",");
}

export class CounterBuffer {
  #pending = new Map<string, CounterDelta>();
  #lastFlush = 0;

  inc(name: MetricName, labels: Record<string, string> = {}, by = 1): void {
    const text = labelText(labels);
    const slot = `${name}{${text}}`;
    const entry = this.#pending.get(slot);
    if (entry) entry.value += by;
    else this.#pending.set(slot, { name, labels: text, value: by });
  }

  /** True when it is time to flush (interval passed or too many series pending). */
  due(now: number): boolean {
    return this.#pending.size > 0 && (now - this.#lastFlush >= FLUSH_INTERVAL_MS || this.#pending.size >= MAX_PENDING_SERIES);
  }

  /** Takes the pending deltas; give them back with `restore` if the flush fails. */
  take(now: number): CounterDelta[] {
    const deltas = [...this.#pending.values()];
    this.#pending = new Map();
    this.#lastFlush = now;
    return deltas;
  }

  restore(deltas: CounterDelta[]): void {
    for (const d of deltas) {
      const slot = `${d.name}{${d.labels}}`;
      const entry = this.#pending.get(slot);
      if (entry) entry.value += d.value;
      else this.#pending.set(slot, { ...d });
    }
  }
}

/** Sums the shards' series, by name and labels: the platform's totals. */
export function mergeSeries(shards: CounterDelta[][]): CounterDelta[] {
  const totals = new Map<string, CounterDelta>();
  for (const series of shards) {
    for (const s of series) {
      const slot = `${s.name}{${s.labels}}`;
      const entry = totals.get(slot);
      if (entry) entry.value += s.value;
      else totals.set(slot, { name: s.name, labels: s.labels, value: s.value });
    }
  }
  return [...totals.values()];
}

/** Prometheus text format: HELP and TYPE for every metric, then its series (a 0 if it has none). */
export function renderPrometheus(series: CounterDelta[]): string {
  const lines: string[] = [];
  for (const [name, help] of Object.entries(METRICS)) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    const own = series.filter((s) => s.name === name).sort((a, b) => a.labels.localeCompare(b.labels));
    if (own.length === 0) lines.push(`${name} 0`);
    for (const s of own) lines.push(s.labels ? `${name}{${s.labels}} ${s.value}` : `${name} ${s.value}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A value read at scrape time (not accumulated): e.g. the audit archive's lag. */
export interface Gauge {
  name: string;
  help: string;
  value: number;
}

/** Prometheus text format for gauges: HELP and TYPE, then the one unlabelled sample. */
export function renderGauges(gauges: readonly Gauge[]): string {
  return gauges.map((g) => `# HELP ${g.name} ${g.help}\n# TYPE ${g.name} gauge\n${g.name} ${g.value}\n`).join("");
}

/** The isolate's buffer. */
export const counters = new CounterBuffer();
