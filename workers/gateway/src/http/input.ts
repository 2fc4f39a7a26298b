/**
 * Input validation for every route: path, query and JSON body checked against the route's zod
 * schemas, failures answered 400 naming the field (one error envelope, validation included).
 * Unknown fields and parameters are refused by name.
 */
import type { Context, MiddlewareHandler } from "hono";
import type * as z from "zod";
import type { AppEnv } from "../app-env.ts";
import { ApiError } from "./problem.ts";
import type { AnyRoute, RouteInput, Schema } from "./route-spec.ts";

/** Unknown fields and parameters are named, the way Google Cloud APIs answer "Unknown name". */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return `unknown name ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
  return issue.message;
}

export function describeIssues(where: string, error: z.ZodError): string {
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

export async function parseInput(c: Context<AppEnv>, spec: AnyRoute): Promise<RouteInput<Schema, Schema, Schema>> {
  // No body at all is an empty object; a JSON `null` is a body, and not an object: refused.
  const raw = await readJsonBody(c);
  const body: unknown = spec.body ? validate("body", spec.body, raw === undefined ? {} : raw) : refuseUnexpected("body", raw);
  return {
    params: spec.params ? validate("path", spec.params, c.req.param()) : undefined,
    query: spec.query ? validate("query", spec.query, c.req.query()) : refuseUnexpected("query", c.req.query()),
    body,
  };
}

/** Reads and validates the input of a route that stage 6 does not guard (public and admin routes). */
export function readInput(spec: AnyRoute): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("input", await parseInput(c, spec));
    await next();
  };
}
