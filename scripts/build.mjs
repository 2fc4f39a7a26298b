#!/usr/bin/env node
// `npm run build`: bundles the three Workers offline exactly as `wrangler deploy` would upload them
// (`wrangler deploy --dry-run --outdir dist/<worker>`), prints each bundle's size raw and gzipped,
// and fails when a Worker is over its budget below. No Cloudflare account, no network.
//
// Budgets are on the gzipped size, the figure Cloudflare's script-size limits and cold starts care
// about. Each sits a margin above the measured size (README "Development"), so a change that adds a
// large dependency, or undoes minification or tree shaking, fails here rather than in production.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { buildClient } from "../clients/js/scripts/build.mjs";
import { ensureDocsAssets } from "./docs-assets.mjs";
import { offlineEnv, root, wrangler } from "./wrangler-env.mjs";

const KIB = 1024;

/** The one place the size budgets live: gzipped bytes per Worker. */
export const BUDGETS = {
  gateway: { config: "wrangler.toml", maxGzipBytes: 150 * KIB },
  // 61 KiB before the audit archive, checkpoints, HMAC, rotation schedules, per-version control,
  // batches and residency; 80 KiB with them. The room left is for key import.
  kms: { config: "workers/kms/wrangler.toml", maxGzipBytes: 96 * KIB },
  policy: { config: "workers/policy/wrangler.toml", maxGzipBytes: 8 * KIB },
};

const distDir = path.join(root, "dist");

/**
 * zod 4 registers all its locales on the namespace `z`. esbuild drops the unused ones only when zod
 * is imported as a namespace (`import * as z from "zod"`); `import { z } from "zod"` bundles every
 * locale (~370 KB). Caught here by name, so the message says what to change.
 */
const UNUSED_LOCALE = /node_modules\/zod\/v4\/locales\/(?!en\.js$)[^/]+\.js$/;

const kib = (bytes) => `${(bytes / KIB).toFixed(2)} KiB`;

/** Bundles one Worker into dist/<name>; returns the bundle's files and esbuild's metafile. */
function bundle(name, config) {
  const outdir = path.join(distDir, name);
  const metafile = path.join(distDir, "meta", `${name}.json`);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(path.dirname(metafile), { recursive: true });
  const result = spawnSync(
    wrangler,
    ["deploy", "--dry-run", "-c", config, "--outdir", outdir, "--metafile", metafile],
    { cwd: root, env: offlineEnv, encoding: "utf8", timeout: 120_000 },
  );
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
    throw new Error(`wrangler could not bundle ${name} (${config})${result.error ? `: ${result.error.message}` : ""}`);
  }
  // What would be uploaded: the modules, not the source maps or wrangler's README.
  const files = readdirSync(outdir, { recursive: true })
    .map((file) => path.join(outdir, String(file)))
    .filter((file) => statSync(file).isFile() && !file.endsWith(".map") && path.basename(file) !== "README.md");
  return { files, meta: JSON.parse(readFileSync(metafile, "utf8")) };
}

/** The inputs that contribute most to the bundle, for the message when a budget is exceeded. */
function largestInputs(meta, count) {
  const sizes = new Map();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
      const key = input.replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+).*$/, "$1 (package)");
      sizes.set(key, (sizes.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes].sort((a, b) => b[1] - a[1]).slice(0, count);
}

function unusedLocales(meta) {
  return Object.values(meta.outputs).flatMap((output) =>
    Object.entries(output.inputs ?? {})
      .filter(([input, { bytesInOutput }]) => bytesInOutput > 0 && UNUSED_LOCALE.test(input))
      .map(([input]) => input),
  );
}

export function build() {
  // The gateway's [assets] folder must exist for wrangler to bundle it.
  ensureDocsAssets();
  const failures = [];
  console.log("worker      raw          gzip         budget (gzip)");
  for (const [name, { config, maxGzipBytes }] of Object.entries(BUDGETS)) {
    const { files, meta } = bundle(name, config);
    let raw = 0;
    let gzip = 0;
    for (const file of files) {
      const bytes = readFileSync(file);
      raw += bytes.length;
      gzip += gzipSync(bytes).length;
    }
    const over = gzip > maxGzipBytes;
    console.log(
      `${name.padEnd(11)} ${kib(raw).padEnd(12)} ${kib(gzip).padEnd(12)} ${kib(maxGzipBytes)}${over ? "  OVER BUDGET" : ""}`,
    );
    const locales = unusedLocales(meta);
    if (locales.length > 0) {
      failures.push(
        `${name}: ${locales.length} zod locales are bundled; import zod as \`import * as z from "zod"\`, not \`import { z } from "zod"\``,
      );
    }
    if (over) {
      const top = largestInputs(meta, 8).map(([input, bytes]) => `    ${kib(bytes).padStart(12)}  ${input}`);
      failures.push(`${name}: ${kib(gzip)} gzipped is over its budget of ${kib(maxGzipBytes)} (scripts/build.mjs BUDGETS). Largest inputs (raw):\n${top.join("\n")}`);
    }
  }
  console.log(`bundles in ${path.relative(root, distDir)}/<worker>/`);
  return failures;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const failures = build();
    // The client library has no budget: it is not uploaded anywhere; its size is printed.
    await buildClient();
    if (failures.length > 0) {
      for (const failure of failures) console.error(`build: ${failure}`);
      process.exit(1);
    }
  } catch (error) {
    console.error(`build: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
