/**
 * One set of Workers for the whole run (the `interop` and `client` projects' globalSetup): started
 * before the first of those projects' files and closed after the last, instead of once per file or
 * once per project (each start bundles three Workers and boots workerd: ~3 s and ~4 s of CPU).
 * Files reach it through `sharedApi()` or `useTenant()` (test/node/interop/harness.ts); each makes
 * its own tenants, so they cannot see each other's keys. A file that needs other Worker settings
 * starts its own (`useTenant(name, { kmsVars })`).
 *
 * Each project's globalSetup runs in the main process but is loaded by that project's own module
 * runner, so a module-level variable would not be shared: the set lives on `globalThis`, counted by
 * the projects using it, and the last teardown closes it.
 */
import type { TestProject } from "vitest/node";
import { startWorkers, type RunningWorkers } from "./workers-harness.ts";

interface Shared {
  readonly workers: Promise<RunningWorkers>;
  users: number;
}

const KEY = Symbol.for("pqkms.test.sharedWorkers");
const slot = globalThis as { [KEY]?: Shared };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const shared = (slot[KEY] ??= { workers: startWorkers(), users: 0 });
  shared.users += 1;
  const workers = await shared.workers;
  project.provide("pqkmsUrl", workers.url);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    delete slot[KEY];
    await workers.close();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The shared Workers' gateway URL. */
    pqkmsUrl: string;
  }
}
