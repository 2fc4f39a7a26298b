/**
 * /docs: the API reference, rendered in the browser from /openapi.json by Swagger UI. Its files
 * are served by this gateway (Workers Static Assets, binding ASSETS; copied from node_modules by
 * scripts/docs-assets.mjs), never from a CDN, so the page works offline. Unauthenticated (stage 1
 * skip list) and shows only the public API description.
 *
 * The page runs no inline script: the renderer and the few lines that start it are same-origin
 * files, and the Content-Security-Policy allows nothing else. Swagger UI sets element styles from
 * script (CSSOM), which `style-src 'self'` permits; it needs no inline <style> or style attribute.
 */
import type { Context } from "hono";
import type { AppEnv } from "../app-env.ts";
import type { AnyRoute } from "./route-spec.ts";
import { ApiError } from "./problem.ts";
import { PAGE_HEADERS, withHeaders } from "./with-headers.ts";

/** The renderer's files under /docs/ (workers/gateway/assets/docs/) and the page's own start-up script. */
export const DOCS_SCRIPT = "swagger-ui-bundle.js";
export const DOCS_STYLE = "swagger-ui.css";
export const DOCS_INIT = "init.js";
const ASSET_FILES = new Set([DOCS_SCRIPT, DOCS_STYLE, "LICENSE", "NOTICE"]);

export const DOCS_HEADERS: Record<string, string> = {
  "Content-Security-Policy": [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // swagger-ui.css draws its icons as data: SVG images.
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; "),
  ...PAGE_HEADERS,
};

/** Starts the renderer on /openapi.json: no validator badge (it would call a third-party service). */
const INIT_SCRIPT = `"use strict";
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#reference",
    deepLinking: true,
    validatorUrl: null,
    displayOperationId: true,
    displayRequestDuration: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 1,
    filter: true,
    persistAuthorization: false,
    tryItOutEnabled: false,
  });
});
`;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);

/** The page: the rendered reference, and a plain route index for readers without JavaScript. */
export function docsHtml(routes: readonly AnyRoute[]): string {
  const rows = routes
    .map((r) => `<tr><td>${r.method.toUpperCase()}</td><td><code>${escapeHtml(r.path)}</code></td><td>${escapeHtml(r.summary)}</td></tr>`)
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pqkms API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/${DOCS_STYLE}">
</head>
<body>
<div id="reference"></div>
<noscript>
<h1>pqkms API</h1>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p>
<table>
${rows}
</table>
</noscript>
<script src="/docs/${DOCS_SCRIPT}"></script>
<script src="/docs/${DOCS_INIT}"></script>
</body>
</html>
`;
}

export function docsPage(c: Context<AppEnv>, routes: readonly AnyRoute[]): Response {
  return withHeaders(c.html(docsHtml(routes)), DOCS_HEADERS);
}

/** One file of the reference: the start-up script from here, the renderer's files from ASSETS. */
export async function docsFile(c: Context<AppEnv>, file: string): Promise<Response> {
  if (file === DOCS_INIT) return withHeaders(c.body(INIT_SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8" }), DOCS_HEADERS);
  if (!ASSET_FILES.has(file)) throw new ApiError("not_found", `No file ${file} in /docs`);
  const asset = await c.env.ASSETS.fetch(new URL(`/docs/${file}`, c.req.url));
  // A missing asset is a build that skipped scripts/docs-assets.mjs: say so, do not pretend 404.
  if (!asset.ok) throw new ApiError("internal_error", "The API reference's files are missing from this deployment");
  return withHeaders(asset, DOCS_HEADERS);
}
