/**
 * Stage 3's decision, apart from its I/O: may this API key, of this tenant, be used at `now`?
 * Pure (the rows, the pepper version in force and the clock are parameters), so it is tested with
 * a table in Node (test/node/gateway/judge-key.test.ts). pipeline/tenant.ts maps the verdict to
 * 403 `tenant_suspended` or, for every other refusal, 401 `invalid_api_key` (architecture §2).
 */
import type { apiKeys, tenants } from "../../../../schema/d1.ts";

export type KeyVerdict = "ok" | "revoked" | "expired" | "stale_pepper" | "tenant_suspended";

/** The fields of an `api_keys` row the verdict reads. */
export type KeyFacts = Pick<typeof apiKeys.$inferSelect, "revokedAt" | "expiresAt" | "pepperVersion">;
/** The fields of a `tenants` row the verdict reads. */
export type TenantFacts = Pick<typeof tenants.$inferSelect, "status">;

/**
 * The key's own state first (revoked, then expired, then hashed under another pepper version), the
 * tenant's after: a dead key of a suspended tenant is 401, as if the tenant were active. Revocation
 * and expiry take effect at their instant (`<= now`).
 */
export function judgeKey(key: KeyFacts, tenant: TenantFacts, pepperVersion: number, now: number): KeyVerdict {
  if (key.revokedAt !== null && key.revokedAt <= now) return "revoked";
  if (key.expiresAt !== null && key.expiresAt <= now) return "expired";
  if (key.pepperVersion !== pepperVersion) return "stale_pepper";
  if (tenant.status !== "active") return "tenant_suspended";
  return "ok";
}
