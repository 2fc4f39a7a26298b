/**
 * Test projects (`npm test` runs them all; `npx vitest run --project <name>` runs one):
 * - `node`: quick and plain. Pure modules, conformance vectors from test/vectors and cross-checks of
 *   our crypto against independent implementations (Node 24's OpenSSL, @hpke/*, liboqs), all in
 *   Node: no Worker is started.
 * - `interop` (test/node/interop): the public API checked by those same implementations, over HTTP
 *   from Node, against all three Workers started from their wrangler configs with wrangler's
 *   createTestHarness, as `wrangler dev` runs them: one set for the run, shared with `client`
 *   (test/support/shared-workers.ts, the globalSetup of both).
 * - `client` (clients/js/test, test/browser): the SDK and the `pqkms` CLI end to end, and the web
 *   console in Chromium, against that same set; the SDK's offline parts against independent
 *   implementations.
 * - `workers`: the three Workers in workerd with real service bindings, real local D1 (migrations
 *   applied) and real Durable Objects. The gateway is the main Worker, configured by the plugin from
 *   wrangler.toml; kms and policy run beside it as auxiliary Workers, as they are deployed: bundled
 *   with esbuild, every other option derived by wrangler from their own wrangler.toml
 *   (test/support/workers-setup.ts), so the two cannot drift apart.
 * - `vault`: the kms Worker as main Worker, for tests that reach inside the TenantVault DO.
 *
 * `isolate: false` in every project: each project's files share one worker (one workerd for the
 * Workers projects) instead of starting one per file, which was most of the suite's CPU (for
 * interop and client alone, a fork per file cost ~30 s of CPU).
 * Every test makes its own tenants, keys and vaults (random ids) and restores what it stubs, so
 * files cannot see each other's state; `npx vitest run --sequence.shuffle` checks that order does
 * not matter.
 */
import { execFileSync } from "node:child_process";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { configDefaults, defineConfig } from "vitest/config";
import { TEST_AUDIT_SEGMENT_EVENTS } from "./test/support/test-vars.ts";
import { auxiliaryWorker, TEST_SECRETS } from "./test/support/workers-setup.ts";

// The gateway's [assets] folder (the API reference's renderer) is generated from node_modules; a
// bare `npx vitest` on a fresh clone must find it too, not only `npm test`.
execFileSync(process.execPath, ["scripts/docs-assets.mjs"], { stdio: "inherit" });

const migrations = await readD1Migrations("./schema/migrations");

export default defineConfig({
  test: {
    // Workers tests spend much of their time waiting on workerd (a separate process), so on a
    // 2-core machine three test files at a time keep both cores busy; the default (cores - 1) idles.
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: ["test/node/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/node/interop/**"],
          testTimeout: 30_000,
          isolate: false,
        },
      },
      {
        test: {
          name: "interop",
          environment: "node",
          globalSetup: ["./test/support/shared-workers.ts"],
          isolate: false,
          include: ["test/node/interop/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "client",
          environment: "node",
          globalSetup: ["./test/support/shared-workers.ts"],
          isolate: false,
          include: ["clients/js/test/**/*.test.ts", "test/browser/**/*.test.ts"],
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ADMIN_TOKEN: TEST_SECRETS.ADMIN_TOKEN,
                API_KEY_PEPPER: TEST_SECRETS.API_KEY_PEPPER,
                TEST_MIGRATIONS: migrations,
              },
              workers: [
                await auxiliaryWorker("kms", { AUDIT_SEGMENT_EVENTS: String(TEST_AUDIT_SEGMENT_EVENTS) }),
                await auxiliaryWorker("policy"),
              ],
            },
          })),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
          isolate: false,
          setupFiles: ["./test/support/apply-migrations.ts"],
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest(async () => ({
            wrangler: { configPath: "./workers/kms/wrangler.toml" },
            miniflare: {
              bindings: { KMS_KEK: TEST_SECRETS.KMS_KEK, TEST_MIGRATIONS: migrations },
            },
          })),
        ],
        test: {
          name: "vault",
          include: ["test/vault/**/*.test.ts"],
          isolate: false,
          setupFiles: ["./test/support/apply-migrations.ts"],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
