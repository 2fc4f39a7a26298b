/**
 * pqkms kms Worker: internal only. `KmsService` is the RPC entrypoint the gateway calls with an
 * already-authenticated context; every method forwards to the caller's own TenantVault DO, chosen
 * by the tenant id from that context. Key material exists in plaintext only inside the DO.
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import type { Result } from "../../shared/errors.ts";
import type { CallContext, VaultSummary } from "../../shared/rpc.ts";
import { kekReasons } from "./config.ts";

export { TenantVault } from "./vault/tenant-vault.ts";

export class KmsService extends WorkerEntrypoint<KmsEnv> {
  #vault(tenantId: string) {
    return this.env.VAULT.get(this.env.VAULT.idFromName(tenantId));
  }

  async vaultSummary(call: CallContext): Promise<Result<VaultSummary>> {
    return this.#vault(call.tenantId).summary(call);
  }

  async health(): Promise<{ reasons: string[] }> {
    return { reasons: kekReasons(this.env) };
  }
}

export default {
  fetch: () => new Response(null, { status: 404 }),
} satisfies ExportedHandler<KmsEnv>;
