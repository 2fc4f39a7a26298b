/**
 * The shape of a route declaration: method, path, access, zod schemas, handler. Declared once per
 * route (routes/*.ts); the registry (routes.ts) mounts the pipeline stages from it and
 * /openapi.json is generated from it.
 */
import type { Context } from "hono";
import type * as z from "zod";
import type { ErrorCode } from "../../../shared/errors.ts";
import type { Operation } from "../../../shared/operations.ts";
import type { CallContext } from "../../../shared/rpc.ts";
import type { AppEnv } from "../app-env.ts";

export type Method = "get" | "post" | "patch" | "delete";
export type Schema = z.ZodType | undefined;
type Infer<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P extends Schema, Q extends Schema, B extends Schema> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
}

/**
 * What the registry hands a handler (stage 7): its validated input, the caller's context for kms
 * calls (tenant routes), and the key the request names, resolved before stage 6 (routes with a key).
 * Read `call` and `keyId` before `callKms`, never inside its closure: everything thrown in there
 * becomes 503 kms_unavailable.
 */
export interface HandlerContext<P extends Schema, Q extends Schema, B extends Schema> extends RouteInput<P, Q, B> {
  call: CallContext;
  keyId: string;
}

export type TenantAccess<P extends Schema = Schema, Q extends Schema = Schema, B extends Schema = Schema> = Extract<Access<P, Q, B>, { kind: "tenant" }>;

export type Access<P extends Schema, Q extends Schema, B extends Schema> =
  | { kind: "public" }
  | { kind: "admin" }
  | {
      kind: "tenant";
      operation: Operation;
      /** Path parameter that names the key the operation acts on, by id or `alias:NAME` (policy: key restriction). */
      keyParam?: string;
      /** Path parameter that names an alias: the key restriction is checked on the key it points to. */
      aliasParam?: string;
      /**
       * The key the validated input names (a body's `key_id`, an envelope's header), or null: its key
       * restriction can only be checked once the input is read, and then is, before the policy engine.
       */
      keyFrom?: (input: RouteInput<P, Q, B>) => string | null;
      /** The algorithm the operation involves, when known from the input (policy: plan rule). */
      algorithm?: (input: RouteInput<P, Q, B>) => string | null;
      /**
       * A batch route (architecture §5): the operation its validated body names and its item count.
       * From then on the request is that operation (scope, policy, audit), and stage 6 charges the
       * rate limit and quota for every item beyond the first that stage 5 charged.
       */
      batch?: (input: RouteInput<P, Q, B>) => { operation: Operation; items: number };
    };

/** One success answer: its body's schema or media type, and headers it carries beyond the standard ones. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
}

export interface RouteSpec<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined> {
  method: Method;
  /** Hono path syntax (`/v1/api-keys/:id`). */
  path: string;
  summary: string;
  /** Stable name of the operation in /openapi.json (client method name); derived when absent. */
  operationId?: string;
  tag: string;
  access: Access<P, Q, B>;
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, ResponseSpec>;
  /** Failure codes the handler itself can answer, beyond those its access and input imply. */
  errors?: readonly ErrorCode[];
  /** The route honours an `Idempotency-Key` request header. */
  idempotencyKey?: boolean;
  handler: (c: Context<AppEnv>, context: HandlerContext<P, Q, B>) => Response | Promise<Response>;
}

// The registry holds routes of many input types; their handlers are only ever called with the
// input their own schemas produced, so the element type is erased here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any>;

export function route<P extends Schema = undefined, Q extends Schema = undefined, B extends Schema = undefined>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec<P, Q, B> {
  return spec;
}
