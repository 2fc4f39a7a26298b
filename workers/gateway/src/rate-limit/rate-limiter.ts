/**
 * RateLimiter Durable Object: one per tenant (`placedId(RATE_LIMITER, placement, tenantId)`). It is the single owner of
 * the tenant's GCRA state and of its monthly operation counter, so both are exact under any
 * concurrency: `check` reads and writes synchronously, with no await in between, and a DO runs one
 * such call at a time (architecture §4 rule 4).
 *
 * Nothing is written on every request. The GCRA state lives in memory only: a limiter that is
 * evicted or restarted starts with a full bucket, which at worst admits one burst early. The
 * quota is spent in memory and reserved from SQLite in blocks (quota.ts, `topUp`): one write per
 * block, and a restart forfeits the unspent rest of the last block rather than ever going over.
 * The count each decision reports (`quota.used`, which `/v1/usage` and `/v1/tenant` show) is the
 * units spent plus any forfeited by a restart. An alarm copies it to D1 (`usage`) for the platform's reports.
 * The same write stores the period's per-day counts (usage-days.ts), which a check asks for with
 * `withDays` (only `GET /v1/usage` does).
 */
import { DurableObject } from "cloudflare:workers";
import { gcra, type GcraDecision, type GcraLimits } from "./gcra.ts";
import { reserve, topUp, type QuotaDecision, type QuotaReservation, type QuotaState } from "./quota.ts";
import { dayOf, dayRowsToStore, firstDayOf, listDays, type UsageDay } from "./usage-days.ts";

export interface RateLimitCheck extends GcraLimits {
  cost: number;
  tenantId: string;
  monthlyOperations: number;
  /** Answer the period's per-day counts too (`quota.days`). */
  withDays?: boolean;
}

export interface LimiterDecision extends GcraDecision {
  /** Null when the rate limit already refused the request (no quota unit was reserved). */
  quota: (Omit<QuotaDecision, "state"> & { days?: UsageDay[] }) | null;
}

/**
 * How long usage waits before its copy into D1 (the platform's reports; the limiter's own count is
 * what the quota and `/v1/usage` use). One write per active tenant per minute keeps the one shared
 * database's write stream far from its limit even with 10,000 active tenants (docs/scaling.md).
 */
const USAGE_FLUSH_DELAY_MS = 60_000;

export class RateLimiter extends DurableObject<Env> {
  #tat = 0;
  #quota: QuotaState;
  #reservation: QuotaReservation;
  #owner: string | undefined;
  /** Counts spent but not yet copied to D1, by period. */
  #unflushed = new Map<string, number>();
  /** Operations per UTC day of `#quota.period`, as counted in `#quota.used`. */
  #days = new Map<string, number>();
  /** Days whose stored row differs from `#days`: spent on since the last write, or holding its units ahead. */
  #touched = new Set<string>();
  #alarmArmed: boolean | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    // `usage.used` holds the units reserved for the period (spent, or forfeited by a restart).
    sql.exec(`DROP TABLE IF EXISTS gcra;
      CREATE TABLE IF NOT EXISTS usage (period TEXT PRIMARY KEY, used INTEGER NOT NULL, flushed INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS usage_day (day TEXT PRIMARY KEY, used INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS owner (id INTEGER PRIMARY KEY CHECK (id = 1), tenant_id TEXT NOT NULL);`);
    this.#owner = sql.exec<{ tenant_id: string }>("SELECT tenant_id FROM owner WHERE id = 1").toArray()[0]?.tenant_id;
    const latest = sql.exec<{ period: string; used: number }>("SELECT period, used FROM usage ORDER BY period DESC LIMIT 1").toArray()[0];
    this.#quota = latest ?? { period: "", used: 0 };
    this.#reservation = { period: this.#quota.period, reserved: this.#quota.used, block: 0, at: 0 };
    if (latest) {
      for (const row of sql.exec<{ day: string; used: number }>("SELECT day, used FROM usage_day WHERE day >= ?", firstDayOf(latest.period))) {
        this.#days.set(row.day, row.used);
      }
    }
    // A reservation a previous instance made but never copied to D1 is copied by the next alarm.
    for (const row of sql.exec<{ period: string; used: number }>("SELECT period, used FROM usage WHERE used != flushed")) {
      this.#unflushed.set(row.period, row.used);
    }
  }

  /**
   * `now` is the limiter's own clock unless the caller passes one: only the gateway can reach this
   * DO, and it passes a clock only when a test built its app with one (pipeline/stages.ts).
   */
  check(request: RateLimitCheck, now: number = Date.now()): LimiterDecision {
    const decision = gcra(this.#tat, now, request.cost, request);
    if (!decision.allowed) return { ...decision, quota: null };
    const { state, ...quota } = reserve(this.#quota, now, request.cost, request.monthlyOperations);
    if (quota.withinQuota) {
      // A new month starts its days afresh (the quota's own count resets in `reserve`).
      const days = state.period === this.#quota.period ? new Map(this.#days) : new Map<string, number>();
      const today = dayOf(now);
      days.set(today, (days.get(today) ?? 0) + request.cost);
      const next = topUp(this.#reservation, state, now, request.monthlyOperations);
      // The one write, before the answer leaves (the output gate holds it until durable). If it
      // throws, nothing in memory has moved and the gateway fails closed.
      if (next !== null) this.#persist(next, request.tenantId, days, today, next.reserved - state.used);
      else {
        if (state.period !== this.#quota.period) this.#touched.clear();
        this.#touched.add(today);
      }
      this.#quota = state;
      this.#days = days;
      this.#unflushed.set(state.period, state.used);
      this.#armFlush(now);
    }
    this.#tat = decision.tat;
    if (!request.withDays) return { ...decision, quota };
    // A month's first request refused by the quota leaves the previous month's days in memory: none are this month's.
    const days: UsageDay[] = state.period === this.#quota.period ? listDays(this.#days) : [];
    return { ...decision, quota: { ...quota, days } };
  }

  #persist(next: QuotaReservation, tenantId: string, days: ReadonlyMap<string, number>, today: string, ahead: number): void {
    const sql = this.ctx.storage.sql;
    const newPeriod = next.period !== this.#reservation.period;
    const rows = dayRowsToStore(days, newPeriod ? [] : this.#touched, today, ahead);
    this.ctx.storage.transactionSync(() => {
      sql.exec("INSERT INTO usage (period, used) VALUES (?, ?) ON CONFLICT (period) DO UPDATE SET used = excluded.used", next.period, next.reserved);
      // A month's rollover drops the previous month's days: only the current month is answered.
      if (newPeriod) sql.exec("DELETE FROM usage_day WHERE day < ?", firstDayOf(next.period));
      for (const [day, used] of rows) sql.exec("INSERT INTO usage_day (day, used) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET used = excluded.used", day, used);
      if (this.#owner === undefined) sql.exec("INSERT OR IGNORE INTO owner (id, tenant_id) VALUES (1, ?)", tenantId);
    });
    this.#owner ??= tenantId;
    this.#reservation = next;
    this.#touched = new Set([today]);
  }

  #armFlush(now: number): void {
    if (this.#alarmArmed === true) return;
    this.#alarmArmed = true;
    this.ctx.waitUntil(
      (async () => {
        if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + USAGE_FLUSH_DELAY_MS);
      })().catch(() => {
        this.#alarmArmed = undefined;
      }),
    );
  }

  /** Copies counts not yet in D1; retried by the runtime if D1 fails. */
  override async alarm(): Promise<void> {
    this.#alarmArmed = undefined;
    const tenantId = this.#owner;
    const dirty = [...this.#unflushed];
    if (tenantId === undefined || dirty.length === 0) return;
    const now = Date.now();
    await this.env.DB.batch(
      dirty.map(([period, used]) =>
        this.env.DB.prepare(
          `INSERT INTO usage (tenant_id, period, operations, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant_id, period) DO UPDATE SET operations = max(operations, excluded.operations), updated_at = excluded.updated_at`,
        ).bind(tenantId, period, used, now),
      ),
    );
    const sql = this.ctx.storage.sql;
    for (const [period, used] of dirty) {
      if (this.#unflushed.get(period) === used) this.#unflushed.delete(period);
      sql.exec("UPDATE usage SET flushed = max(flushed, ?) WHERE period = ?", used, period);
    }
  }
}
