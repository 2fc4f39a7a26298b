#!/usr/bin/env node
// Builds @pqkms/client into dist/: each entry bundled by esbuild as one ESM file for any runtime
// (platform neutral: Node >= 20, browsers, Workers, Deno, Bun), and the library's type declarations
// (tsc, clients/js/tsconfig.build.json) behind dist/index.d.ts, so `import { Pqkms } from
// "@pqkms/client"` is typed from another package.
//
// The package's own dependencies (the noble libraries, commander, cli-progress) stay imports: npm
// installs them with the package, and an application that also uses noble gets one copy, not two.
// The service modules the client shares (workers/shared/**, workers/kms/src/crypto/**) are
// relative imports, so they are bundled in: one implementation of each format, on both ends.
//
// Root `npm run build` and scripts/ensure-deps.mjs run this too.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(packageDir, "dist");

/** What is built: src/<entry>.ts → dist/<entry>.js, for any runtime. */
export const ENTRIES = ["index"];
/** The `pqkms` command (src/cli.ts → dist/cli.js, run by bin/pqkms.js): Node only, it reads files and stdin. */
export const NODE_ENTRIES = ["cli"];

/** Only the library has declarations; the entries above are bundled from it. */
const TYPES_ROOT = "types/clients/js/src/index.js";

/** tsc keeps the sources' `.ts` import specifiers in .d.ts files; consumers resolve `.js` ones. */
function rewriteSpecifiers(dir) {
  for (const file of readdirSync(dir, { recursive: true })) {
    const full = path.join(dir, String(file));
    if (!full.endsWith(".d.ts")) continue;
    const text = readFileSync(full, "utf8");
    writeFileSync(full, text.replace(/(["'])(\.{1,2}\/[^"']+)\.ts\1/g, "$1$2.js$1"));
  }
}

export async function buildClient() {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  const common = { outdir: dist, bundle: true, format: "esm", target: "es2022", packages: "external", sourcemap: true, legalComments: "none", logLevel: "warning" };
  await build({ ...common, entryPoints: ENTRIES.map((entry) => ({ in: path.join(packageDir, "src", `${entry}.ts`), out: entry })), platform: "neutral" });
  await build({ ...common, entryPoints: NODE_ENTRIES.map((entry) => ({ in: path.join(packageDir, "src", `${entry}.ts`), out: entry })), platform: "node", target: "node20" });
  const tsc = path.join(packageDir, "..", "..", "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(process.execPath, [tsc, "-p", path.join(packageDir, "tsconfig.build.json")], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`tsc could not emit the declarations:\n${result.stdout}${result.stderr}`);
  rewriteSpecifiers(path.join(dist, "types"));
  writeFileSync(path.join(dist, "index.d.ts"), `export * from "./${TYPES_ROOT}";\n`);
  const size = readFileSync(path.join(dist, "index.js")).length;
  console.log(`@pqkms/client: ${[...ENTRIES, ...NODE_ENTRIES].map((e) => `dist/${e}.js`).join(", ")} (index ${(size / 1024).toFixed(1)} KiB) and dist/index.d.ts`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    await buildClient();
  } catch (error) {
    console.error(`client build: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
