/**
 * RateLimiter Durable Object: one per tenant (`idFromName(tenantId)`), SQLite-backed. It is the
 * single owner of the tenant's GCRA state and of its monthly operation counter, so both are exact
 * under any concurrency: `check` reads and writes synchronously, with no await in between, and a
 * DO runs one such call at a time. State is persisted so an evicted or restarted limiter keeps its
 * memory. The monthly count is copied to D1 (`usage`) by an alarm, for the platform's reports;
 * the DO's own count is the one quota decisions use.
 */
import { DurableObject } from "cloudflare:workers";
import { gcra, type GcraDecision, type GcraLimits } from "./gcra.ts";
import { reserve, type QuotaDecision, type QuotaState } from "./quota.ts";

export interface RateLimitCheck extends GcraLimits {
  cost: number;
  tenantId: string;
  monthlyOperations: number;
}

export interface LimiterDecision extends GcraDecision {
  /** Null when the rate limit already refused the request (no quota unit was reserved). */
  quota: Omit<QuotaDecision, "state"> | null;
}

const USAGE_FLUSH_DELAY_MS = 10_000;

export class RateLimiter extends DurableObject<Env> {
  #tat: number;
  #quota: QuotaState;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS gcra (id INTEGER PRIMARY KEY CHECK (id = 1), tat REAL NOT NULL);
      CREATE TABLE IF NOT EXISTS usage (period TEXT PRIMARY KEY, used INTEGER NOT NULL, flushed INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS owner (id INTEGER PRIMARY KEY CHECK (id = 1), tenant_id TEXT NOT NULL);`);
    this.#tat = sql.exec<{ tat: number }>("SELECT tat FROM gcra WHERE id = 1").toArray()[0]?.tat ?? 0;
    const latest = sql.exec<{ period: string; used: number }>("SELECT period, used FROM usage ORDER BY period DESC LIMIT 1").toArray()[0];
    this.#quota = latest ?? { period: "", used: 0 };
  }

  /**
   * `now` is the limiter's own clock unless the caller passes one: only the gateway can reach this
   * DO, and it passes a clock only when a test built its app with one (pipeline/stages.ts).
   */
  check(request: RateLimitCheck, now: number = Date.now()): LimiterDecision {
    const decision = gcra(this.#tat, now, request.cost, request);
    if (!decision.allowed) return { ...decision, quota: null };
    const sql = this.ctx.storage.sql;
    const { state, ...quota } = reserve(this.#quota, now, request.cost, request.monthlyOperations);
    this.ctx.storage.transactionSync(() => {
      sql.exec("INSERT OR REPLACE INTO gcra (id, tat) VALUES (1, ?)", decision.tat);
      sql.exec("INSERT OR IGNORE INTO owner (id, tenant_id) VALUES (1, ?)", request.tenantId);
      if (quota.withinQuota) {
        sql.exec("INSERT INTO usage (period, used) VALUES (?, ?) ON CONFLICT (period) DO UPDATE SET used = excluded.used", state.period, state.used);
      }
    });
    this.#tat = decision.tat;
    this.#quota = state;
    if (quota.withinQuota) this.ctx.waitUntil(this.#scheduleFlush(now));
    return { ...decision, quota };
  }

  /** This month's count (for GET /v1/usage). */
  usage(now: number = Date.now()): { period: string; used: number } {
    const period = new Date(now).toISOString().slice(0, 7);
    return { period, used: this.#quota.period === period ? this.#quota.used : 0 };
  }

  async #scheduleFlush(now: number): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + USAGE_FLUSH_DELAY_MS);
  }

  /** Copies counts not yet in D1; retried by the runtime if D1 fails. */
  override async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    const tenantId = sql.exec<{ tenant_id: string }>("SELECT tenant_id FROM owner WHERE id = 1").toArray()[0]?.tenant_id;
    const dirty = sql.exec<{ period: string; used: number }>("SELECT period, used FROM usage WHERE used != flushed").toArray();
    if (tenantId === undefined || dirty.length === 0) return;
    const now = Date.now();
    await this.env.DB.batch(
      dirty.map((row) =>
        this.env.DB.prepare(
          `INSERT INTO usage (tenant_id, period, operations, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant_id, period) DO UPDATE SET operations = max(operations, excluded.operations), updated_at = excluded.updated_at`,
        ).bind(tenantId, row.period, row.used, now),
      ),
    );
    for (const row of dirty) sql.exec("UPDATE usage SET flushed = ? WHERE period = ?", row.used, row.period);
  }
}
