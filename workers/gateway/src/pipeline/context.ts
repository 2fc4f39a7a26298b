/**
 * Stage 4: inject the caller's context. The tenant id comes only from the key resolved in stage 3:
 * no header, path segment, query parameter or body field can set or change it. The request id is
 * established earlier (see request-id.ts) so that even a stage-2 failure carries it.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { parseKeyRestriction, parseScopes } from "../db/api-keys.ts";
import { tenantLimits } from "../db/tenants.ts";

export const injectContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { key, tenant } = c.get("resolvedKey");
  c.set("auth", {
    tenantId: tenant.id,
    apiKeyId: key.id,
    scopes: parseScopes(key),
    keyRestriction: parseKeyRestriction(key),
    tenant,
    limits: tenantLimits(tenant),
    sourceIp: c.req.header("cf-connecting-ip") ?? null,
  });
  await next();
};
