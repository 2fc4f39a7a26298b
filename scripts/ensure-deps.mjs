#!/usr/bin/env node
// Installs dependencies with `npm ci` when node_modules is missing or older than package-lock.json,
// so `npm start` and `npm test` work as the very first command on a fresh clone, then puts the API
// reference's renderer and the web console where the gateway serves them (docs-assets.mjs). Runs on any Node (the
// machine's own may be older than the Node 24 the project pins as a devDependency).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { ensureDocsAssets } from "./docs-assets.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const lock = path.join(root, "package-lock.json");
const installed = path.join(root, "node_modules", ".package-lock.json");
const pinnedNode = path.join(root, "node_modules", ".bin", "node");

const stale =
  !existsSync(installed) || !existsSync(pinnedNode) || statSync(installed).mtimeMs < statSync(lock).mtimeMs;

if (stale) {
  console.error("pqkms: installing dependencies (npm ci)…");
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

ensureDocsAssets();

// @pqkms/client's dist/ (its `prepare` builds it on `npm ci`; this rebuilds it when the sources are
// newer, so tests that import the built package never see a stale one).
const client = path.join(root, "clients", "js");
const built = path.join(client, "dist", "index.js");
const newestSource = Math.max(
  ...readdirSync(path.join(client, "src"), { recursive: true }).map((file) => statSync(path.join(client, "src", String(file))).mtimeMs),
);
if (!existsSync(built) || statSync(built).mtimeMs < newestSource) {
  const { buildClient } = await import("../clients/js/scripts/build.mjs");
  await buildClient();
}
