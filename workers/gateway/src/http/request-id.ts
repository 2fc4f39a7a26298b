/**
 * Request id and the headers every response carries: `X-Request-ID` (the client's, if well-formed,
 * else a fresh UUID), `Cache-Control: no-store` (responses may hold key material metadata and are
 * never cacheable), and `X-Content-Type-Options: nosniff`.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";

export const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

export function chooseRequestId(offered: string | undefined, generate: () => string): string {
  return offered !== undefined && REQUEST_ID_PATTERN.test(offered) ? offered : generate();
}

export function setStandardHeaders(headers: Headers, requestId: string): void {
  headers.set("X-Request-ID", requestId);
  headers.set("Cache-Control", "no-store");
  headers.set("X-Content-Type-Options", "nosniff");
}

export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requestId = chooseRequestId(c.req.header("x-request-id"), () => crypto.randomUUID());
  c.set("requestId", requestId);
  await next();
  setStandardHeaders(c.res.headers, requestId);
};
