#!/usr/bin/env node
// Copies the API reference renderer (swagger-ui-dist, a devDependency) into the gateway's static
// assets folder, workers/gateway/assets/docs/, which wrangler.toml's [assets] serves through the
// Worker at /docs/<file>, and builds the web console beside it (console-assets.mjs). The folder is
// generated, never committed: `npm start`, `npm test`, `npm run typecheck` and `npm run deploy` run
// this first. Plain fs and esbuild, any Node, no network.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureConsoleAssets } from "./console-assets.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const source = path.join(root, "node_modules", "swagger-ui-dist");
export const DOCS_ASSETS_DIR = path.join(root, "workers", "gateway", "assets", "docs");

/** The renderer's files the page loads, and its licence, which travels with it. */
const FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"];

export function ensureDocsAssets() {
  if (!existsSync(path.join(source, "package.json"))) {
    throw new Error("pqkms: node_modules/swagger-ui-dist is missing; run npm ci");
  }
  mkdirSync(DOCS_ASSETS_DIR, { recursive: true });
  for (const file of FILES) {
    const from = path.join(source, file);
    const to = path.join(DOCS_ASSETS_DIR, file);
    if (existsSync(to) && statSync(to).size === statSync(from).size && readFileSync(to).equals(readFileSync(from))) continue;
    copyFileSync(from, to);
  }
  ensureConsoleAssets();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureDocsAssets();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
