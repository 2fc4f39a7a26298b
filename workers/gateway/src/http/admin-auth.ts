/**
 * Guards shared by admin and tenant routes: `requireConfig` turns a missing or malformed secret
 * into 503 `misconfigured` before anything else runs; `requireAdmin` checks the platform admin's
 * Bearer token in constant time. A tenant API key is never an admin credential.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { timingSafeEqualText } from "../auth/token.ts";
import { loadConfig } from "../config.ts";
import { bearerToken } from "./credentials.ts";
import { ApiError } from "./problem.ts";

export const requireConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  const loaded = await loadConfig(c.env);
  if (!loaded.ok) throw new ApiError("misconfigured", "The service is not configured; see /ready");
  c.set("config", loaded.value);
  await next();
};

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const bearer = bearerToken(c.req.header("authorization"));
  if (!bearer || !timingSafeEqualText(bearer, c.get("config").adminToken)) {
    throw new ApiError("invalid_admin_token", "Send the platform admin token as a Bearer token", {
      // RFC 6750 §3: error="invalid_token" only when a token was sent and refused.
      headers: { "WWW-Authenticate": bearer ? 'Bearer realm="pqkms-admin", error="invalid_token"' : 'Bearer realm="pqkms-admin"' },
    });
  }
  await next();
};
