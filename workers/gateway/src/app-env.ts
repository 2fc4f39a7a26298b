/** Hono's environment for the gateway: bindings from `wrangler types`, variables set by the pipeline. */
import type { Operation } from "../../shared/operations.ts";
import type { Limits } from "../../shared/plans.ts";
import type { QuotaFacts } from "../../shared/rpc.ts";
import type { UsageDay } from "./rate-limit/usage-days.ts";
import type { Scope } from "../../shared/scopes.ts";
import type { GatewayConfig } from "./config.ts";
import type { ApiKeyRow } from "./db/api-keys.ts";
import type { RouteInput, Schema } from "./http/route-spec.ts";
import type { TenantRow } from "./db/tenants.ts";

/** The caller as stage 4 establishes it; the only source of the tenant id for later stages. */
export interface AuthContext {
  tenantId: string;
  apiKeyId: string;
  scopes: Scope[];
  keyRestriction: string[] | null;
  tenant: TenantRow;
  limits: Limits;
  sourceIp: string | null;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: GatewayConfig;
    auth: AuthContext;
    apiKeyToken: string;
    resolvedKey: { key: ApiKeyRow; tenant: TenantRow };
    /** This request's monthly-quota reservation, from stage 5. */
    quota: QuotaFacts;
    /** This month's operations per UTC day, from stage 5, on `GET /v1/usage` only. */
    usageDays: UsageDay[];
    /** The RateLimit headers of the latest stage-5 decision (a batch's extra charge replaces them). */
    rateLimitHeaders: Record<string, string>;
    /** The catalog operation of a tenant route (audit, metrics). */
    operation: Operation;
    /** The key the request names (its `{key}` segment, an alias's target, the input), resolved in stage 6 (pipeline/key-ref.ts). */
    keyId: string;
    /** The route's validated input: by stage 6 on tenant routes, before the handler on the others. */
    input: RouteInput<Schema, Schema, Schema>;
  };
}
