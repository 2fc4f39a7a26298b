/**
 * /console: the web console, a single page built from console/src by scripts/console-assets.mjs
 * into the gateway's static assets (workers/gateway/assets/console/, binding ASSETS). It is a
 * client of the public API like any other: it signs in with an API key (or the admin token) and
 * every call it makes passes the same pipeline stages. The page itself is unauthenticated (stage 1
 * skip list) and holds no tenant data.
 *
 * Its pages are client-side routes in the URL fragment (/console#/keys/<id>), so the gateway serves
 * one HTML shell. No inline script or style: the CSP allows same-origin files only, and the
 * console's own code never builds HTML from strings (tenant-written text is rendered as text).
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import { ApiError } from "./problem.ts";
import { PAGE_HEADERS, withHeaders } from "./with-headers.ts";

export const CONSOLE_SCRIPT = "app.js";
export const CONSOLE_STYLE = "app.css";
const ASSET_FILES = new Set([CONSOLE_SCRIPT, CONSOLE_STYLE]);

export const CONSOLE_HEADERS: Record<string, string> = {
  "Content-Security-Policy": [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    // The page's empty favicon (link rel=icon href="data:,"), so the browser asks for no /favicon.ico.
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    // Trusted Types (W3C): no string ever reaches an HTML or script sink (innerHTML, eval, …); the
    // console renders through the DOM API only, so any such write is a bug and throws.
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
  ].join("; "),
  ...PAGE_HEADERS,
  // The shell is tiny and the scripts change with each deployment: always ask again.
  "Cache-Control": "no-cache",
};

export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pqkms console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/${CONSOLE_STYLE}">
<script type="module" src="/console/${CONSOLE_SCRIPT}"></script>
</head>
<body>
<div id="app"></div>
<noscript><p>The pqkms console needs JavaScript. The API itself is described at <a href="/docs">/docs</a>.</p></noscript>
</body>
</html>
`;

export function consolePage(c: Context<AppEnv>): Response {
  return withHeaders(c.html(CONSOLE_HTML), CONSOLE_HEADERS);
}

/** One of the console's built files, from ASSETS. */
export async function consoleFile(c: Context<AppEnv>, file: string): Promise<Response> {
  if (!ASSET_FILES.has(file)) throw new ApiError("not_found", `No file ${file} in /console`);
  const asset = await c.env.ASSETS.fetch(new URL(`/console/${file}`, c.req.url));
  // A missing asset is a build that skipped scripts/console-assets.mjs: say so, do not pretend 404.
  if (!asset.ok) throw new ApiError("internal_error", "The console's files are missing from this deployment");
  return withHeaders(asset, CONSOLE_HEADERS);
}
