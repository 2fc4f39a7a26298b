#!/usr/bin/env node
// `npm run deploy`: the internal Workers first (the gateway's service bindings need them), then the
// gateway. Needs a Cloudflare account (wrangler login or CLOUDFLARE_API_TOKEN); see README "Deploy".
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDocsAssets } from "./docs-assets.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// The gateway's static assets (the API reference's renderer) are generated, not committed.
ensureDocsAssets();
const wrangler = path.join(root, "node_modules", ".bin", "wrangler");

for (const config of ["workers/kms/wrangler.toml", "workers/policy/wrangler.toml", "wrangler.toml"]) {
  console.log(`\n== wrangler deploy -c ${config}`);
  const result = spawnSync(wrangler, ["deploy", "-c", config], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
