#!/usr/bin/env node
// `npm run deploy`: the three Workers to Cloudflare, in the order their bindings need.
//   1. the offline build within its size budgets (scripts/build.mjs);
//   2. a Cloudflare login (`wrangler login`, or CLOUDFLARE_API_TOKEN + CLOUDFLARE_ACCOUNT_ID);
//   3. every required secret present on its Worker or given with --secrets-file, before any change;
//   4. the D1 database `pqkms`: created when the configs still hold the placeholder id (an existing
//      database of that name is reused), and its id written into the three wrangler.toml files;
//   5. the D1 migrations, applied remotely;
//   6. the R2 bucket `pqkms-audit` (the kms Worker's AUDIT_ARCHIVE: archived audit segments), created
//      when the account has none of that name;
//   7. `wrangler deploy` of kms, policy, then the gateway (its service bindings need the other two).
//
//   npm run deploy -- --dry-run                  step 1 only, plus what the real run would do; offline
//   npm run deploy -- --secrets-file prod.env    NAME=value lines (unquoted); each Worker gets only its own
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "./build.mjs";
import { ensureDocsAssets } from "./docs-assets.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const wranglerBin = path.join(root, "node_modules", ".bin", "wrangler");
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true" };

// The gateway's static assets (the API reference's renderer) are generated, not committed.
ensureDocsAssets();

const DATABASE_NAME = "pqkms";
const PLACEHOLDER_DATABASE_ID = "00000000-0000-4000-8000-000000000000";
/** The bucket of workers/kms/wrangler.toml's AUDIT_ARCHIVE binding. */
const AUDIT_BUCKET = "pqkms-audit";
/** Deploy order: a service binding must name a Worker that already exists. */
const WORKERS = [
  { name: "kms", config: "workers/kms/wrangler.toml", secrets: ["KMS_KEK", "KMS_KEKS", "KMS_KEK_ACTIVE"] },
  { name: "policy", config: "workers/policy/wrangler.toml", secrets: [] },
  { name: "gateway", config: "wrangler.toml", secrets: ["ADMIN_TOKEN", "API_KEY_PEPPER", "METRICS_TOKEN"] },
];
/** Seconds before a wrangler call that only talks to the API is given up, so nothing hangs. */
const API_TIMEOUT_MS = 120_000;

class DeployError extends Error {}

function step(message) {
  console.log(`\n== ${message}`);
}

/** Runs wrangler. `capture`: returns its output instead of streaming it. */
function wrangler(args, { capture = false, timeout } = {}) {
  const result = spawnSync(wranglerBin, args, {
    cwd: root,
    env,
    encoding: "utf8",
    stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    ...(timeout === undefined ? {} : { timeout }),
  });
  if (result.error?.code === "ETIMEDOUT") {
    throw new DeployError(`\`wrangler ${args.join(" ")}\` gave no answer in ${timeout / 1000} s: is api.cloudflare.com reachable?`);
  }
  return { ok: result.status === 0, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

function parseJson(text, what) {
  const start = text.search(/[[{]/);
  try {
    return JSON.parse(text.slice(start));
  } catch {
    throw new DeployError(`could not read ${what} from wrangler's output:\n${text}`);
  }
}

/** The wrangler configs as wrangler reads them (required secrets, D1 binding). */
async function readConfigs() {
  const { experimental_readRawConfig } = await import("wrangler");
  return WORKERS.map((worker) => {
    const { rawConfig } = experimental_readRawConfig({ config: path.join(root, worker.config) });
    const database = (rawConfig.d1_databases ?? []).find((db) => db.database_name === DATABASE_NAME);
    return { ...worker, required: rawConfig.secrets?.required ?? [], databaseId: database?.database_id };
  });
}

/** Step 1, offline: the bundles within their size budgets (scripts/build.mjs). */
function buildWithinBudgets() {
  let failures;
  try {
    failures = build();
  } catch (error) {
    throw new DeployError(error instanceof Error ? error.message : String(error));
  }
  if (failures.length > 0) throw new DeployError(`the build failed; nothing was deployed:\n${failures.join("\n")}`);
}

function configuredDatabaseId(configs) {
  const ids = new Set(configs.filter((c) => c.databaseId !== undefined).map((c) => c.databaseId));
  if (ids.size !== 1) {
    throw new DeployError(`the wrangler.toml files name different D1 database ids (${[...ids].join(", ")}): make them one`);
  }
  return [...ids][0];
}

/** NAME=value lines (blank lines and # comments ignored), split by Worker; unknown names refused. */
function readSecretsFile(file) {
  const values = {};
  for (const line of readFileSync(path.resolve(file), "utf8").split("\n")) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = /^([A-Z][A-Z0-9_]*)=(.+)$/.exec(trimmed);
    if (!match) throw new DeployError(`${file}: expected NAME=value, got a line starting "${trimmed.slice(0, 12)}"`);
    values[match[1]] = match[2];
  }
  const known = WORKERS.flatMap((w) => w.secrets);
  const unknown = Object.keys(values).filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new DeployError(`${file}: unknown secret names ${unknown.join(", ")} (known: ${known.join(", ")})`);
  return values;
}

function checkLogin() {
  const whoami = wrangler(["whoami", "--json"], { capture: true, timeout: API_TIMEOUT_MS });
  // `whoami --json` prints {"loggedIn": false} and exits 1 without credentials; other failures print nothing.
  const answer = /^\s*\{/.test(whoami.stdout) ? parseJson(whoami.stdout, "the login state") : undefined;
  if (answer?.loggedIn === true) {
    console.log(`logged in${answer.email ? ` as ${answer.email}` : ""}`);
    return;
  }
  if (answer?.loggedIn === false) {
    throw new DeployError(
      "not logged in to Cloudflare: run `npx wrangler login`, or set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID " +
        "when the token reaches several accounts). Offline, `npm run deploy -- --dry-run` builds without deploying.",
    );
  }
  throw new DeployError(`could not check the Cloudflare login (network, or a bad CLOUDFLARE_API_TOKEN?):\n${whoami.stderr.trim()}`);
}

/** The id of the `pqkms` database, created if the account has none. */
function ensureDatabase() {
  const list = () => {
    const result = wrangler(["d1", "list", "--json"], { capture: true, timeout: API_TIMEOUT_MS });
    if (!result.ok) throw new DeployError(`wrangler d1 list failed:\n${result.stdout}${result.stderr}`);
    return parseJson(result.stdout, "the D1 databases").find((db) => db.name === DATABASE_NAME);
  };
  let database = list();
  if (database === undefined) {
    const created = wrangler(["d1", "create", DATABASE_NAME], { capture: true, timeout: API_TIMEOUT_MS });
    if (!created.ok) throw new DeployError(`wrangler d1 create ${DATABASE_NAME} failed:\n${created.stdout}${created.stderr}`);
    database = list();
    if (database === undefined) throw new DeployError(`D1 database ${DATABASE_NAME} was created but is not listed yet: run npm run deploy again`);
    console.log(`created D1 database ${DATABASE_NAME}: ${database.uuid}`);
  } else {
    console.log(`reusing the account's D1 database ${DATABASE_NAME}: ${database.uuid}`);
  }
  return database.uuid;
}

/** The audit archive's R2 bucket, created if the account has none of that name (an existing one is reused). */
function ensureAuditBucket() {
  if (wrangler(["r2", "bucket", "info", AUDIT_BUCKET], { capture: true, timeout: API_TIMEOUT_MS }).ok) {
    console.log(`reusing the account's R2 bucket ${AUDIT_BUCKET}`);
    return;
  }
  const created = wrangler(["r2", "bucket", "create", AUDIT_BUCKET], { capture: true, timeout: API_TIMEOUT_MS });
  if (!created.ok) throw new DeployError(`wrangler r2 bucket create ${AUDIT_BUCKET} failed:\n${created.stdout}${created.stderr}`);
  console.log(`created R2 bucket ${AUDIT_BUCKET}`);
}

/** Writes the id over the placeholder in each config's `database_id` line (comments and layout kept). */
function writeDatabaseId(id) {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw new DeployError(`unexpected D1 id "${id}"`);
  for (const { config } of WORKERS) {
    const file = path.join(root, config);
    const text = readFileSync(file, "utf8");
    const line = `database_id = "${PLACEHOLDER_DATABASE_ID}"`;
    if (!text.includes(line)) throw new DeployError(`${config}: no \`${line}\` line to replace`);
    writeFileSync(file, text.replace(line, `database_id = "${id}"`));
  }
  console.log("wrote the id into the three wrangler.toml files: commit them, so the next deploy uses the same database");
}

/** Names of required secrets neither set on the Worker nor in the secrets file. */
function missingSecrets(worker, given) {
  const wanted = worker.required.filter((name) => given[name] === undefined);
  if (wanted.length === 0) return [];
  const listed = wrangler(["secret", "list", "--format", "json", "-c", worker.config], { capture: true, timeout: API_TIMEOUT_MS });
  // A Worker that was never deployed has no secrets to list: everything it requires is missing.
  const present = listed.ok ? parseJson(listed.stdout, `${worker.name}'s secrets`).map((s) => s.name) : [];
  return wanted.filter((name) => !present.includes(name));
}

async function main() {
  const { values: flags } = parseArgs({ options: { "dry-run": { type: "boolean" }, "secrets-file": { type: "string" } } });
  const configs = await readConfigs();
  const secrets = flags["secrets-file"] === undefined ? {} : readSecretsFile(flags["secrets-file"]);
  const databaseId = configuredDatabaseId(configs);

  if (flags["dry-run"]) {
    step("build (offline)");
    buildWithinBudgets();
    step("dry run: a real deploy would now");
    console.log(
      [
        "- check the Cloudflare login (wrangler whoami)",
        ...configs
          .filter((c) => c.required.length > 0)
          .map((c) => `- check ${c.name} has ${c.required.join(", ")}${Object.keys(secrets).length > 0 ? " (or take them from the secrets file)" : ""}`),
        databaseId === PLACEHOLDER_DATABASE_ID
          ? `- create (or reuse) the D1 database ${DATABASE_NAME} and write its id into the three wrangler.toml files`
          : `- use the D1 database ${databaseId} named in the configs`,
        "- apply schema/migrations to it remotely",
        `- create (or reuse) the R2 bucket ${AUDIT_BUCKET}`,
        `- deploy ${configs.map((c) => c.name).join(", then ")}`,
      ].join("\n"),
    );
    return;
  }

  step("build");
  buildWithinBudgets();

  step("Cloudflare login");
  checkLogin();

  step("secrets");
  const missing = configs.flatMap((c) => missingSecrets(c, secrets).map((name) => ({ name, config: c.config })));
  if (missing.length > 0) {
    throw new DeployError(
      `required secrets are not set; nothing was changed:\n${missing.map((m) => `  npx wrangler secret put ${m.name} -c ${m.config}`).join("\n")}\n` +
        "A Worker that was never deployed cannot hold secrets yet: give them on the first deploy with " +
        "`npm run deploy -- --secrets-file <file>` (NAME=value lines; KMS_KEK = 32 random bytes, base64: keep a copy, it decrypts every key).",
    );
  }
  console.log("every required secret is set or given");

  step(`D1 database ${DATABASE_NAME}`);
  if (databaseId === PLACEHOLDER_DATABASE_ID) writeDatabaseId(ensureDatabase());
  else console.log(`using ${databaseId} from the configs`);

  step("D1 migrations (remote)");
  if (!wrangler(["d1", "migrations", "apply", "DB", "--remote", "-c", "wrangler.toml"]).ok) {
    throw new DeployError("the remote D1 migrations failed; nothing was deployed");
  }

  step(`R2 bucket ${AUDIT_BUCKET}`);
  ensureAuditBucket();

  const scratch = mkdtempSync(path.join(tmpdir(), "pqkms-deploy-"));
  try {
    for (const worker of configs) {
      step(`deploy ${worker.name} (${worker.config})`);
      const own = Object.entries(secrets).filter(([name]) => worker.secrets.includes(name));
      const args = ["deploy", "-c", worker.config];
      if (own.length > 0) {
        // JSON, not dotenv: wrangler expands `$VAR` in dotenv values. Secrets add to those already set.
        const file = path.join(scratch, `${worker.name}.json`);
        writeFileSync(file, JSON.stringify(Object.fromEntries(own)), { mode: 0o600 });
        args.push("--secrets-file", file);
      }
      if (!wrangler(args).ok) throw new DeployError(`deploying ${worker.name} failed${worker.name === "kms" ? "" : " (the Workers before it are deployed)"}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log("\ndeployed: kms, policy, gateway");
}

try {
  await main();
} catch (error) {
  if (!(error instanceof DeployError)) throw error;
  console.error(`\ndeploy: ${error.message}`);
  process.exit(1);
}
