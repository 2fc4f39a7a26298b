/**
 * Node-side setup for the workerd test projects: fixed test secrets and the auxiliary Workers
 * (kms, policy). The vitest plugin reads only the main Worker's wrangler config; the auxiliary ones
 * get their Miniflare options from wrangler itself (`unstable_getMiniflareWorkerOptions`, the call the
 * plugin makes for the main Worker), so compatibility date and flags, D1, Durable Objects, service
 * bindings and vars are those of their own wrangler.toml, never a copy. Only the code and the secrets
 * are ours: the entry point bundled with esbuild the way wrangler bundles it, and every
 * `secrets.required` name filled from TEST_SECRETS.
 */
import { build } from "esbuild";
import type { Json } from "miniflare";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";

export const TEST_SECRETS = {
  ADMIN_TOKEN: "test-admin-token-0123456789abcdef0123456789abcdef",
  // 32 bytes, base64.
  API_KEY_PEPPER: "cGVwcGVyLXBlcHBlci1wZXBwZXItcGVwcGVyLTAxMjM=",
  KMS_KEK: "a2VrLWtlay1rZWsta2VrLWtlay1rZWsta2VrLTAxMjM=",
} as const;

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The TEST_SECRETS value of every secret a wrangler config requires; throws on one the tests lack. */
function requiredTestSecrets(config: { secrets?: { required?: string[] } }, configPath: string): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const name of config.secrets?.required ?? []) {
    if (!Object.hasOwn(TEST_SECRETS, name)) throw new Error(`${configPath} requires secret ${name}, which TEST_SECRETS lacks`);
    secrets[name] = TEST_SECRETS[name as keyof typeof TEST_SECRETS];
  }
  return secrets;
}

/**
 * Bundles a Worker's entry point into one module. The plugin asks for the options each time it
 * starts a runtime, so the file may be rewritten while another runtime loads it: it is written
 * under a temporary name and renamed into place, so a reader sees one whole bundle or the other.
 */
let bundlesWritten = 0;
async function bundle(name: string, entryPoint: string): Promise<string> {
  const outfile = path.join(ROOT, ".wrangler", "test-bundles", `${name}.js`);
  const { outputFiles } = await build({
    entryPoints: [entryPoint],
    outfile,
    write: false,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*"],
    sourcemap: "inline",
    logLevel: "error",
  });
  const [output] = outputFiles;
  if (outputFiles.length !== 1 || !output) throw new Error(`esbuild gave ${outputFiles.length} files for ${name}`);
  const partial = `${outfile}.${process.pid}-${++bundlesWritten}.tmp`;
  mkdirSync(path.dirname(outfile), { recursive: true });
  writeFileSync(partial, output.contents);
  renameSync(partial, outfile);
  return outfile;
}

/** `vars`: values that replace the config's own for the tests (never a secret). */
export async function auxiliaryWorker(name: "kms" | "policy", vars: Record<string, string> = {}) {
  const configPath = path.join(ROOT, "workers", name, "wrangler.toml");
  const config = unstable_readConfig({ config: configPath });
  const { workerOptions, main } = unstable_getMiniflareWorkerOptions(config);
  if (!config.name || !main) throw new Error(`${configPath} has no name or main`);
  const outfile = await bundle(name, main);
  // Module rules and the root they resolve against are for wrangler's own bundling; the bundle
  // above is one self-contained module, which workerd must not look for under the config's folder.
  const { modulesRules: _modulesRules, rootPath: _rootPath, ...derived } = workerOptions;
  return {
    ...derived,
    name: config.name,
    modules: true,
    scriptPath: outfile,
    // The config's vars as Miniflare JSON bindings; their declared type does not narrow to an object here.
    bindings: { ...(derived.bindings as Record<string, Json> | undefined), ...vars, ...requiredTestSecrets(config, configPath) },
  };
}
