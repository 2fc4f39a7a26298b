/**
 * TenantVault Durable Object: one per tenant (`idFromName(tenantId)`), SQLite-backed; the source of
 * truth for the tenant's keys. Reached only through the kms Worker's RPC entrypoint. It remembers
 * the tenant it belongs to and refuses calls for any other tenant id.
 */
import { DurableObject } from "cloudflare:workers";
import { fail, ok, type Result } from "../../../shared/errors.ts";
import type { CallContext, VaultSummary } from "../../../shared/rpc.ts";
import { migrate } from "./migrations.ts";

export class TenantVault extends DurableObject<KmsEnv> {
  constructor(ctx: DurableObjectState, env: KmsEnv) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql));
  }

  /** Binds this vault to its tenant on first use; afterwards only that tenant id is accepted. */
  #claim(tenantId: string): boolean {
    const sql = this.ctx.storage.sql;
    const owner = sql.exec<{ value: string }>("SELECT value FROM vault_meta WHERE name = 'tenant_id'").toArray()[0]?.value;
    if (owner === undefined) {
      sql.exec("INSERT INTO vault_meta (name, value) VALUES ('tenant_id', ?)", tenantId);
      return true;
    }
    return owner === tenantId;
  }

  async summary(call: CallContext): Promise<Result<VaultSummary>> {
    if (!this.#claim(call.tenantId)) return fail("internal_error", "vault tenant mismatch");
    const row = this.ctx.storage.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM keys WHERE state != 'destroyed'")
      .toArray()[0];
    return ok({ tenantId: call.tenantId, keyCount: row?.n ?? 0 });
  }
}
