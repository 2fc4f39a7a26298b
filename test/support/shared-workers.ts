/**
 * A project's one set of Workers (the `interop` and `client` projects' globalSetup): started once
 * before the project's files and closed after them, instead of once per file (each start bundles
 * three Workers, which was most of those projects' CPU). Files reach it through `sharedApi()` or
 * `useTenant()` (test/node/interop/harness.ts); each makes its own tenants, so they cannot see each
 * other's keys. A file that needs other Worker settings starts its own (`useTenant(name, { kmsVars })`).
 */
import type { TestProject } from "vitest/node";
import { startWorkers } from "./workers-harness.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const workers = await startWorkers();
  project.provide("pqkmsUrl", workers.url);
  return () => workers.close();
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The shared Workers' gateway URL. */
    pqkmsUrl: string;
  }
}
