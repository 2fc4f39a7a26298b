/**
 * The three Workers (gateway, kms, policy) started from Node with wrangler's createTestHarness, as
 * `wrangler dev` runs them: real service bindings, one local D1 shared by all three (migrations
 * applied here: the harness does not apply them by itself), real Durable Objects, in-memory storage.
 * Secrets come only from these options (fixed TEST_SECRETS), so no .dev.vars is needed and any
 * present is overridden for these names. No vitest import: a project's globalSetup starts it too.
 */
import path from "node:path";
import { createTestHarness } from "wrangler";
import { TEST_SECRETS } from "./workers-setup.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

// Offline and quiet whatever the shell exports (as .ci/run and the root .env do for the CLI): no
// cf-object fetch, no telemetry, and no .env lines injected into the Workers as secrets.
process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV = "false";
process.env.WRANGLER_HIDE_BANNER = "true";

export interface RunningWorkers {
  /** The gateway's local URL: a separate process or a browser can call it. */
  readonly url: string;
  /** A request to the gateway, the only public Worker. */
  fetch(input: string, init: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** `kmsVars` override the kms Worker's wrangler.toml vars (e.g. a smaller AUDIT_SEGMENT_EVENTS). */
export async function startWorkers(options: { kmsVars?: Record<string, string> } = {}): Promise<RunningWorkers> {
  const harness = createTestHarness({
    root: ROOT,
    workers: [
      {
        configPath: "./wrangler.toml",
        secrets: { ADMIN_TOKEN: TEST_SECRETS.ADMIN_TOKEN, API_KEY_PEPPER: TEST_SECRETS.API_KEY_PEPPER },
      },
      { configPath: "./workers/kms/wrangler.toml", secrets: { KMS_KEK: TEST_SECRETS.KMS_KEK }, ...(options.kmsVars === undefined ? {} : { vars: options.kmsVars }) },
      { configPath: "./workers/policy/wrangler.toml" },
    ],
  });
  const { url } = await harness.listen();
  await harness.getWorker().applyD1Migrations("DB");
  return {
    url: url.toString(),
    fetch: async (input, init) => (await harness.fetch(input, init as never)) as unknown as Response,
    close: () => harness.close(),
  };
}
