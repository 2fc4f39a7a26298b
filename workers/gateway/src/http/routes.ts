/**
 * The route registry: each route is declared once — method, path, access, zod schemas, handler —
 * and from that one declaration the gateway mounts the pipeline stages in DESIGN §3 order,
 * validates input (400 naming the field), answers 405 for a known path with another method, and
 * generates /openapi.json.
 */
import type { Context, Hono, MiddlewareHandler } from "hono";
import { z } from "zod";
import type { ErrorCode } from "../../../shared/errors.ts";
import { OPERATIONS, type Operation } from "../../../shared/operations.ts";
import type { AppEnv } from "../app-env.ts";
import { requireAdmin, requireConfig } from "./admin-auth.ts";
import { ApiError } from "./problem.ts";
import { requireApiKey } from "../pipeline/api-key.ts";
import { injectContext } from "../pipeline/context.ts";
import { checkPolicy, policyRequest } from "../pipeline/policy.ts";
import { rateLimit } from "../pipeline/rate-limit.ts";
import { isSkipped } from "../pipeline/skip.ts";
import { resolveTenant } from "../pipeline/tenant.ts";

export type Method = "get" | "post" | "patch" | "delete";
type Schema = z.ZodType | undefined;
type Infer<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P extends Schema, Q extends Schema, B extends Schema> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
}

export type Access<P extends Schema, Q extends Schema, B extends Schema> =
  | { kind: "public" }
  | { kind: "admin" }
  | {
      kind: "tenant";
      operation: Operation;
      /** Path parameter that names the key the operation acts on (policy: key restriction). */
      keyParam?: string;
      /** The algorithm the operation involves, when known from the input (policy: plan rule). */
      algorithm?: (input: RouteInput<P, Q, B>) => string | null;
    };

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
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  /** Failure codes the handler itself can answer, beyond those its access and input imply. */
  errors?: readonly ErrorCode[];
  /** The route honours an `Idempotency-Key` request header. */
  idempotencyKey?: boolean;
  handler: (c: Context<AppEnv>, input: RouteInput<P, Q, B>) => Response | Promise<Response>;
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

function describeIssues(where: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${[where, ...issue.path.map(String)].join(".")}: ${issue.message}`)
    .join("; ");
}

function validate<S extends z.ZodType>(where: string, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError("invalid_request", describeIssues(where, parsed.error));
  return parsed.data;
}

async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return undefined;
  const type = c.req.header("content-type");
  if (type !== undefined && !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new ApiError("unsupported_media_type", "Send the body as application/json");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("invalid_json", "The request body is not valid JSON");
  }
}

async function parseInput(c: Context<AppEnv>, spec: AnyRoute): Promise<RouteInput<Schema, Schema, Schema>> {
  return {
    params: spec.params ? validate("path", spec.params, c.req.param()) : undefined,
    query: spec.query ? validate("query", spec.query, c.req.query()) : undefined,
    body: spec.body ? validate("body", spec.body, (await readJsonBody(c)) ?? {}) : undefined,
  };
}

/** Stages 2–5 for tenant routes, in DESIGN §3 order; stage 6 needs the validated input. */
function stagesFor(spec: AnyRoute): MiddlewareHandler<AppEnv>[] {
  const access = spec.access;
  const skipped = isSkipped(spec.path);
  if (access.kind === "public") {
    if (!skipped) throw new Error(`route ${spec.path}: public routes must be on the skip list`);
    return [];
  }
  if (skipped) throw new Error(`route ${spec.path}: a skip-listed path cannot require authentication`);
  if (access.kind === "admin") return [requireConfig, requireAdmin];
  return [requireConfig, requireApiKey, resolveTenant, injectContext, rateLimit(OPERATIONS[access.operation].cost)];
}

export function mountRoutes(app: Hono<AppEnv>, routes: readonly AnyRoute[]): void {
  for (const spec of routes) {
    const handle: MiddlewareHandler<AppEnv> = async (c) => {
      const input = await parseInput(c, spec);
      const access = spec.access;
      if (access.kind === "tenant") {
        const keyId = access.keyParam ? (c.req.param(access.keyParam) ?? null) : null;
        const target = { operation: access.operation, keyId, algorithm: access.algorithm?.(input) ?? null };
        await checkPolicy(c, policyRequest(c.get("auth"), target, c.get("requestId"), c.get("quota")));
      }
      return spec.handler(c, input);
    };
    // Hono's typed overloads want a fixed-length tuple; the stages are a list built at start-up.
    const handlers = [...stagesFor(spec), handle] as [MiddlewareHandler<AppEnv>];
    app.on(spec.method.toUpperCase(), spec.path, ...handlers);
  }
}

function matches(pattern: string, path: string): boolean {
  const a = pattern.split("/");
  const b = path.split("/");
  return a.length === b.length && a.every((part, i) => part.startsWith(":") ? (b[i] ?? "") !== "" : part === b[i]);
}

/** Methods registered for a concrete path, for 405 `Allow`. */
export function allowedMethods(routes: readonly AnyRoute[], path: string): string[] {
  return [...new Set(routes.filter((r) => matches(r.path, path)).map((r) => r.method.toUpperCase()))];
}
