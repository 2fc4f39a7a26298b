// Builds the web console (console/src, TypeScript + Preact) with esbuild into the gateway's static
// assets, workers/gateway/assets/console/{app.js,app.css}, which the Worker serves at /console/<file>
// (workers/gateway/src/http/console-page.ts). Generated, never committed: scripts/docs-assets.mjs
// calls this, so `npm start`, `npm test`, `npm run build` and `npm run deploy` all build it first.
// Offline: everything the console needs is bundled, nothing is fetched at run time.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CONSOLE_ASSETS_DIR = path.join(root, "workers", "gateway", "assets", "console");

export function ensureConsoleAssets() {
  // Loaded here, not imported at the top: scripts/ensure-deps.mjs imports this module (through
  // docs-assets.mjs) before it has installed node_modules on a fresh clone.
  const { buildSync } = createRequire(import.meta.url)("esbuild");
  const result = buildSync({
    entryPoints: { app: path.join(root, "console", "src", "main.tsx") },
    bundle: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    jsx: "automatic",
    jsxImportSource: "preact",
    // @pqkms/client from its sources, not its built dist/ (which may be older than them). The
    // package is marked free of import-time effects ("sideEffects": false, as the noble libraries
    // are), so what the console does not call (offline seal/verify, streams, and the noble
    // libraries behind them) is left out of the bundle.
    alias: { "@pqkms/client": path.join(root, "clients", "js", "src", "index.ts") },
    minify: true,
    legalComments: "eof",
    write: false,
    outdir: CONSOLE_ASSETS_DIR,
    logLevel: "error",
  });
  const css = readFileSync(path.join(root, "console", "app.css"));
  mkdirSync(CONSOLE_ASSETS_DIR, { recursive: true });
  const outputs = [...result.outputFiles.map((f) => [f.path, Buffer.from(f.contents)]), [path.join(CONSOLE_ASSETS_DIR, "app.css"), css]];
  // Unchanged files are left alone, so a running `wrangler dev` does not reload for nothing.
  for (const [file, bytes] of outputs) {
    if (existsSync(file) && readFileSync(file).equals(bytes)) continue;
    writeFileSync(file, bytes);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureConsoleAssets();
  } catch (error) {
    console.error(`console: ${error.message}`);
    process.exit(1);
  }
}
