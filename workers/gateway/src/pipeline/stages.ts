/**
 * The gateway pipeline (architecture §3), in order. Every route is mounted behind the stages its access
 * implies (http/routes.ts):
 *
 *   1. skip        skip.ts        public paths (/health, /openapi.json, …) bypass stages 2–6
 *   2. API key     api-key.ts     401 missing_api_key
 *   3. tenant      tenant.ts      401 invalid_api_key, 403 tenant_suspended
 *   4. context     context.ts     the caller's tenant, key, scopes
 *   5. rate limit  rate-limit.ts  429 rate_limited, 503 rate_limiter_unavailable
 *   6. policy      policy.ts      403 with the rule, 503 policy_unavailable (fail-open.ts)
 *   7. route       route.ts       the handler, which calls the kms Worker (kms/client.ts)
 *
 * Admin routes take the admin token instead of stages 2–6; every non-public route first needs a
 * valid configuration (503 misconfigured).
 */
import type { MiddlewareHandler } from "hono";
import { OPERATIONS, type Operation } from "../../../shared/operations.ts";
import type { AppEnv } from "../app-env.ts";
import { requireAdmin, requireConfig } from "../http/admin-auth.ts";
import { readInput } from "../http/input.ts";
import type { AnyRoute } from "../http/route-spec.ts";
import { requireApiKey } from "./api-key.ts";
import { injectContext } from "./context.ts";
import { policy } from "./policy.ts";
import { rateLimit } from "./rate-limit.ts";
import { route } from "./route.ts";
import { isSkipped } from "./skip.ts";
import { resolveTenant } from "./tenant.ts";

/** Names the catalog operation of a tenant route, for audit and metrics. */
function nameOperation(operation: Operation): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("operation", operation);
    await next();
  };
}

export interface PipelineOptions {
  /**
   * The clock of stages 3 and 5 (key expiry and the key cache; the rate limiter). Absent at the
   * Worker edge: stage 3 reads `Date.now` and the limiter its own clock. Tests pass one they move.
   */
  clock?: () => number;
}

/** The middleware chain of one route, in architecture §3 order, ending with its handler. */
export function stagesFor(spec: AnyRoute, options: PipelineOptions = {}): MiddlewareHandler<AppEnv>[] {
  const access = spec.access;
  const skipped = isSkipped(spec.path);
  if (access.kind === "public") {
    if (!skipped) throw new Error(`route ${spec.path}: public routes must be on the skip list`);
    return [readInput(spec), route(spec)];
  }
  if (skipped) throw new Error(`route ${spec.path}: a skip-listed path cannot require authentication`);
  if (access.kind === "admin") return [requireConfig, requireAdmin, readInput(spec), route(spec)];
  return [
    nameOperation(access.operation),
    requireConfig,
    requireApiKey,
    resolveTenant(options.clock),
    injectContext,
    // The usage route's one limiter call also brings the month's per-day counts (routes/tenant.ts).
    rateLimit(OPERATIONS[access.operation].cost, options.clock, access.operation === "usage.read"),
    policy(access, spec, options.clock),
    route(spec),
  ];
}
