/**
 * The route registry: each route is declared once (route-spec.ts) and mounted here behind the
 * pipeline stages its access implies, in architecture §3 order (pipeline/stages.ts). A known path asked
 * with another method answers 405 with `Allow`.
 */
import type { Hono, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";
import { stagesFor, type PipelineOptions } from "../pipeline/stages.ts";
import type { AnyRoute } from "./route-spec.ts";

export function mountRoutes(app: Hono<AppEnv>, routes: readonly AnyRoute[], options: PipelineOptions = {}): void {
  for (const spec of routes) {
    // Hono's typed overloads want a fixed-length tuple; the stages are a list built at start-up.
    const handlers = stagesFor(spec, options) as [MiddlewareHandler<AppEnv>];
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
