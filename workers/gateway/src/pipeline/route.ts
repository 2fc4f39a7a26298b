/**
 * Stage 7: route to the handler, which forwards to the kms Worker (kms/client.ts) with the context
 * stage 4 injected. The handler receives what it needs, built once here: its validated input,
 * `call` (tenant id, API key id, request id; the tenant id only ever from stage 3) and `keyId`, the
 * key stage 6 resolved for the request.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { CallContext } from "../../../shared/rpc.ts";
import type { AppEnv } from "../app-env.ts";
import type { AnyRoute, HandlerContext, Schema } from "../http/route-spec.ts";
import { callContext } from "../kms/client.ts";

function handlerContext(c: Context<AppEnv>, spec: AnyRoute): HandlerContext<Schema, Schema, Schema> {
  const call = spec.access.kind === "tenant" ? callContext(c.get("auth"), c.get("requestId")) : undefined;
  return {
    ...c.get("input"),
    get call(): CallContext {
      if (call === undefined) throw new Error(`route ${spec.path}: only tenant routes have a caller's call context`);
      return call;
    },
    get keyId(): string {
      const id = c.get("keyId");
      if (id === undefined) throw new Error(`route ${spec.path}: the route names no key`);
      return id;
    },
  };
}

export function route(spec: AnyRoute): MiddlewareHandler<AppEnv> {
  return async (c) => spec.handler(c, handlerContext(c, spec));
}
