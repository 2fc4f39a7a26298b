/**
 * Node-side setup for the workerd test projects: fixed test secrets and the auxiliary Workers
 * (kms, policy) bundled the way wrangler bundles them, configured from their own wrangler.toml.
 */
import { build } from "esbuild";
import { readFileSync } from "node:fs";
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

export async function auxiliaryWorker(name: "kms" | "policy") {
  const dir = path.join(ROOT, "workers", name);
  const toml = readFileSync(path.join(dir, "wrangler.toml"), "utf8");
  const outfile = path.join(ROOT, ".wrangler", "test-bundles", `${name}.js`);
  await build({
    entryPoints: [path.join(dir, "src", "index.ts")],
    outfile,
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
