/**
 * RateLimiter Durable Object: one per tenant (`idFromName(tenantId)`), SQLite-backed. It is the
 * single owner of the tenant's GCRA state, so decisions are exact under any concurrency: `check`
 * reads and writes synchronously, with no await in between, and a DO runs one such call at a time.
 * The TAT (whole microseconds, see gcra.ts) is persisted so an evicted or restarted limiter keeps
 * its memory.
 */
import { DurableObject } from "cloudflare:workers";
import { gcra, type GcraDecision, type GcraLimits } from "./gcra.ts";

export interface RateLimitCheck extends GcraLimits {
  cost: number;
}

export class RateLimiter extends DurableObject<Env> {
  #tat: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS gcra (id INTEGER PRIMARY KEY CHECK (id = 1), tat REAL NOT NULL)");
    const row = sql.exec<{ tat: number }>("SELECT tat FROM gcra WHERE id = 1").toArray()[0];
    this.#tat = row?.tat ?? 0;
  }

  check(request: RateLimitCheck): GcraDecision {
    const decision = gcra(this.#tat, Date.now(), request.cost, request);
    if (decision.allowed) {
      this.ctx.storage.sql.exec("INSERT OR REPLACE INTO gcra (id, tat) VALUES (1, ?)", decision.tat);
      this.#tat = decision.tat;
    }
    return decision;
  }
}
