/**
 * The route registry: each route is declared once — method, path, access, zod schemas, handler —
 * and from that one declaration the gateway mounts the pipeline stages in DESIGN §3 order,
 * validates input (400 naming the field), answers 405 for a known path with another method, and
 * generates /openapi.json.
 */
import type { Context, Hono, MiddlewareHandler } from "hono";
import * as z from "zod";
import type { ErrorCode } from "../../../shared/errors.ts";
import { OPERATIONS, type Operation } from "../../../shared/operations.ts";
import type { AppEnv } from "../app-env.ts";
import { requireAdmin, requireConfig } from "./admin-auth.ts";
import { ApiError } from "./problem.ts";
import { requireApiKey } from "../pipeline/api-key.ts";
import { injectContext } from "../pipeline/context.ts";
import { authorize, checkPolicy, policyRequest } from "../pipeline/policy.ts";
import { rateLimit } from "../pipeline/rate-limit.ts";
import { isSkipped } from "../pipeline/skip.ts";
import { resolveTenant } from "../pipeline/tenant.ts";
import { keyIdFromPath, resolveAliasName, resolveKeyRef } from "../pipeline/key-ref.ts";

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

/** Unknown fields and parameters are named, the way Google Cloud APIs answer "Unknown name". */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return `unknown name ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
  return issue.message;
}

function describeIssues(where: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${[where, ...issue.path.map(String)].join(".")}: ${issueMessage(issue)}`)
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

/** A route without a query or body schema takes none: anything sent is named and refused. */
function refuseUnexpected(where: string, value: unknown): undefined {
  if (value === undefined) return undefined;
  const names = typeof value === "object" && value !== null && !Array.isArray(value) ? Object.keys(value) : null;
  if (names === null) throw new ApiError("invalid_request", `${where}: this operation takes no ${where}`);
  if (names.length > 0) throw new ApiError("invalid_request", `${where}: unknown name ${names.map((n) => JSON.stringify(n)).join(", ")}`);
  return undefined;
}

async function parseInput(c: Context<AppEnv>, spec: AnyRoute): Promise<RouteInput<Schema, Schema, Schema>> {
  const body = spec.body ? validate("body", spec.body, (await readJsonBody(c)) ?? {}) : refuseUnexpected("body", await readJsonBody(c));
  return {
    params: spec.params ? validate("path", spec.params, c.req.param()) : undefined,
    query: spec.query ? validate("query", spec.query, c.req.query()) : refuseUnexpected("query", c.req.query()),
    body,
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
  const nameOperation: MiddlewareHandler<AppEnv> = async (c, next) => {
    c.set("operation", access.operation);
    await next();
  };
  return [nameOperation, requireConfig, requireApiKey, resolveTenant, injectContext, rateLimit(OPERATIONS[access.operation].cost)];
}

/**
 * Stage 6 around input validation. Authorization comes first: a caller without the operation's
 * scope, or whose key restriction leaves out the key in the path, is refused (403, audited) before
 * its body is read, so a malformed body never tells it more than "not allowed". Then the input is
 * validated (400 naming the field), and the policy engine decides with everything the rules need,
 * the algorithm on create included. Where only the input names the key (`keyFrom`: key-less
 * decrypt, an alias's new target), its key restriction is checked as soon as the input is read.
 */
async function authorizeThenValidate(c: Context<AppEnv>, spec: AnyRoute): Promise<RouteInput<Schema, Schema, Schema>> {
  const access = spec.access;
  if (access.kind !== "tenant") return parseInput(c, spec);
  const auth = c.get("auth");
  const target = (keyId: string | null) => ({ operation: access.operation, keyId, algorithm: null });
  const segment = access.keyParam === undefined ? null : (c.req.param(access.keyParam) ?? "");
  // The key id as the path spells it, so that a denial is audited against the key it named.
  authorize(c, policyRequest(auth, target(segment === null ? null : keyIdFromPath(segment)), c.get("requestId"), null));
  let keyId: string | null = null;
  if (segment !== null) {
    keyId = await resolveKeyRef(c, segment);
  } else if (access.aliasParam !== undefined) {
    keyId = await resolveAliasName(c, c.req.param(access.aliasParam) ?? "", "alias_not_found");
  }
  if (keyId !== null) {
    authorize(c, policyRequest(auth, target(keyId), c.get("requestId"), null));
    c.set("keyId", keyId);
  }
  const input = await parseInput(c, spec);
  const named = access.keyFrom?.(input) ?? null;
  if (named !== null) {
    keyId = named;
    authorize(c, policyRequest(auth, target(keyId), c.get("requestId"), null));
    c.set("keyId", keyId);
  }
  const full = { operation: access.operation, keyId, algorithm: access.algorithm?.(input) ?? null };
  await checkPolicy(c, policyRequest(auth, full, c.get("requestId"), c.get("quota")));
  return input;
}

export function mountRoutes(app: Hono<AppEnv>, routes: readonly AnyRoute[]): void {
  for (const spec of routes) {
    const handle: MiddlewareHandler<AppEnv> = async (c) => spec.handler(c, await authorizeThenValidate(c, spec));
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
