/**
 * Stage 2: extract the API key (http/credentials.ts reads it). No key is 401 `missing_api_key`;
 * two different keys in one request (`x-api-key` and `Authorization: Bearer`) is 401 `invalid_api_key`.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { extractApiKey } from "../http/credentials.ts";
import { ApiError } from "../http/problem.ts";

export const requireApiKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const extracted = extractApiKey(c.req.raw.headers);
  if (!extracted.ok) throw new ApiError(extracted.error.code, extracted.error.detail);
  c.set("apiKeyToken", extracted.value);
  await next();
};
