/**
 * Stage 2: extract the API key. `x-api-key` is the primary header; `Authorization: Bearer` is also
 * accepted. Two different keys in one request is ambiguous and refused.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { bearerToken } from "../http/bearer.ts";
import { ApiError } from "../http/problem.ts";

export type Extracted = { ok: true; token: string } | { ok: false; reason: "missing" | "ambiguous" };

export function extractApiKey(headers: Headers): Extracted {
  const header = headers.get("x-api-key")?.trim() || null;
  const bearer = bearerToken(headers.get("authorization"));
  if (header && bearer && header !== bearer) return { ok: false, reason: "ambiguous" };
  const token = header ?? bearer;
  return token ? { ok: true, token } : { ok: false, reason: "missing" };
}

export const requireApiKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const extracted = extractApiKey(c.req.raw.headers);
  if (!extracted.ok) {
    if (extracted.reason === "ambiguous") throw new ApiError("invalid_api_key", "x-api-key and Authorization carry different keys");
    throw new ApiError("missing_api_key", "Send the API key in the x-api-key header");
  }
  c.set("apiKeyToken", extracted.token);
  await next();
};
