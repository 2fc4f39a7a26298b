/**
 * Node-side setup for the workerd test projects: fixed test secrets and the auxiliary Workers
 * (kms, policy) bundled the way wrangler bundles them, configured from their own wrangler.toml.
 */
import { build } from "esbuild";
import { readFileSync, renameSync } from "node:fs";
import path from "node:path";

export const TEST_SECRETS = {
  ADMIN_TOKEN: "test-admin-token-0123456789abcdef0123456789abcdef",
  // 32 bytes, base64.
  API_KEY_PEPPER: "cGVwcGVyLXBlcHBlci1wZXBwZXItcGVwcGVyLTAxMjM=",
  KMS_KEK: "a2VrLWtlay1rZWsta2VrLWtlay1rZWsta2VrLTAxMjM=",
} as const;

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Reads the few fields the tests need from a Worker's wrangler.toml (flat keys only). */
function tomlString(source: string, key: string): string {
  const match = new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, "m").exec(source);
  if (!match?.[1]) throw new Error(`wrangler.toml has no ${key}`);
  return match[1];
}

/**
 * Bundles a Worker once per test run. The plugin asks for its options each time it starts a pool
 * worker, several at a time; rebuilding in place then let one workerd read a half-written bundle.
 * The bundle is written beside its final name and renamed into place, so a reader sees a whole file.
 */
const bundles = new Map<string, Promise<string>>();

function bundleOnce(name: "kms" | "policy"): Promise<string> {
  let bundled = bundles.get(name);
  if (bundled === undefined) {
    bundled = bundle(name);
    bundles.set(name, bundled);
  }
  return bundled;
}

async function bundle(name: "kms" | "policy"): Promise<string> {
  const outfile = path.join(ROOT, ".wrangler", "test-bundles", `${name}.js`);
  const partial = `${outfile}.${process.pid}.partial`;
  await build({
    entryPoints: [path.join(ROOT, "workers", name, "src", "index.ts")],
    outfile: partial,
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
  renameSync(partial, outfile);
  return outfile;
}

export async function auxiliaryWorker(name: "kms" | "policy") {
  const toml = readFileSync(path.join(ROOT, "workers", name, "wrangler.toml"), "utf8");
  const outfile = await bundleOnce(name);
  const common = {
    name: tomlString(toml, "name"),
    modules: true,
    scriptPath: outfile,
    compatibilityDate: tomlString(toml, "compatibility_date"),
    d1Databases: { DB: "00000000-0000-4000-8000-000000000000" },
  };
  if (name === "kms") {
    return {
      ...common,
      bindings: { KMS_KEK: TEST_SECRETS.KMS_KEK },
      durableObjects: { VAULT: { className: "TenantVault", useSQLite: true } },
    };
  }
  return common;
}
