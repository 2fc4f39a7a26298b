/**
 * Stage 3: resolve the tenant from the API key. Order matters for cost and for what leaks:
 * the checksum turns away garbage with no I/O; then HMAC-with-pepper and one D1 lookup by hash;
 * then the key's own state (revoked, expired, pepper version) and the tenant's status (judgeKey,
 * pipeline/key-verdict.ts).
 * A D1 failure is 503, never 401 and never allow.
 *
 * Resolved keys may be served from this isolate's memory for `API_KEY_CACHE_TTL_SECONDS`
 * (at most 10 s, architecture §2): that is the documented bound for a revocation or suspension made
 * elsewhere to take effect. Revocation through this isolate evicts at once.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { type ApiKeyRow, findKeyByHash, touchLastUsed } from "../db/api-keys.ts";
import type { TenantRow } from "../db/tenants.ts";
import { hashToken, hasValidChecksum, timingSafeEqualText } from "../auth/token.ts";
import { ApiError } from "../http/problem.ts";
import { judgeKey } from "./key-verdict.ts";

const LAST_USED_RESOLUTION_MS = 60_000;
const CACHE_MAX_ENTRIES = 1_000;

interface Resolved {
  key: ApiKeyRow;
  tenant: TenantRow;
  cachedUntil: number;
}

/** Bounded, TTL'd cache of resolved keys, by token hash. */
const resolvedKeys = new Map<string, Resolved>();

export function evictResolvedKey(apiKeyId: string): void {
  for (const [hash, entry] of resolvedKeys) if (entry.key.id === apiKeyId) resolvedKeys.delete(hash);
}

export function evictTenant(tenantId: string): void {
  for (const [hash, entry] of resolvedKeys) if (entry.tenant.id === tenantId) resolvedKeys.delete(hash);
}

async function lookup(db: D1Database, hash: string, now: number, ttlMs: number): Promise<Resolved | undefined> {
  const hit = resolvedKeys.get(hash);
  if (hit && hit.cachedUntil > now) return hit;
  resolvedKeys.delete(hash);
  let found: Awaited<ReturnType<typeof findKeyByHash>>;
  try {
    found = await findKeyByHash(db, hash);
  } catch {
    throw new ApiError("database_unavailable");
  }
  if (!found) return undefined;
  const resolved = { ...found, cachedUntil: now + ttlMs };
  if (ttlMs > 0) {
    if (resolvedKeys.size >= CACHE_MAX_ENTRIES) resolvedKeys.delete(resolvedKeys.keys().next().value as string);
    resolvedKeys.set(hash, resolved);
  }
  return resolved;
}

/**
 * Stage 3 with its clock: `now` decides key expiry and the cache's TTL. The Worker passes
 * `Date.now`; tests pass a clock they move.
 */
export function resolveTenant(now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = c.get("apiKeyToken");
    const config = c.get("config");
    if (!hasValidChecksum(token)) throw new ApiError("invalid_api_key");
    const hash = await hashToken(config.pepper, token);
    const at = now();
    const resolved = await lookup(c.env.DB, hash, at, config.apiKeyCacheTtlMs);
    // The lookup matched on the hash; compare again in constant time so no code path depends on a
    // variable-time string comparison of secret-derived values.
    if (!resolved || !timingSafeEqualText(resolved.key.tokenHash, hash)) throw new ApiError("invalid_api_key");

    const verdict = judgeKey(resolved.key, resolved.tenant, config.pepperVersion, at);
    if (verdict === "tenant_suspended") throw new ApiError("tenant_suspended", "The tenant is suspended");
    if (verdict !== "ok") throw new ApiError("invalid_api_key");

    if (resolved.key.lastUsedAt === null || at - resolved.key.lastUsedAt > LAST_USED_RESOLUTION_MS) {
      resolved.key.lastUsedAt = at;
      c.executionCtx.waitUntil(touchLastUsed(c.env.DB, resolved.key.id, at).catch(() => undefined));
    }
    c.set("resolvedKey", resolved);
    await next();
  };
}
