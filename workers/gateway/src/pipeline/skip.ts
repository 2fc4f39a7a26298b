/**
 * Stage 1 (architecture §3): the paths that bypass API-key authentication. Everything else is either a
 * tenant route behind stages 2–6 or an admin route behind the admin token; the route registry
 * refuses at start-up to mount a route that is neither.
 */

export const SKIP_PATHS: ReadonlySet<string> = new Set(["/health", "/ready", "/metrics", "/openapi.json", "/docs", "/docs/:file", "/console", "/console/:file"]);

export function isSkipped(path: string): boolean {
  return SKIP_PATHS.has(path);
}
