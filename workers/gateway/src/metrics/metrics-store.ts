/**
 * MetricsStore Durable Object: one of METRICS_SHARDS shards (`idFromName("shard-<n>")`,
 * recorder.ts) holding counter totals, fed by the periodic flushes of the isolates that picked
 * it, so no single object takes every isolate's writes. SQLite-backed so totals survive restarts.
 */
import { DurableObject } from "cloudflare:workers";
import type { CounterDelta, MetricName } from "./counters.ts";

export class MetricsStore extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS counters (name TEXT NOT NULL, labels TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (name, labels))",
    );
  }

  add(deltas: CounterDelta[]): void {
    this.ctx.storage.transactionSync(() => {
      for (const d of deltas) {
        if (!Number.isInteger(d.value) || d.value < 0) continue;
        this.ctx.storage.sql.exec(
          "INSERT INTO counters (name, labels, value) VALUES (?, ?, ?) ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value",
          d.name, d.labels, d.value,
        );
      }
    });
  }

  snapshot(): CounterDelta[] {
    return this.ctx.storage.sql
      .exec<{ name: string; labels: string; value: number }>("SELECT name, labels, value FROM counters")
      .toArray()
      .map((r) => ({ name: r.name as MetricName, labels: r.labels, value: r.value }));
  }
}
