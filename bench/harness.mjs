// The three Workers (gateway, kms, policy) in one workerd, production-like for benchmarks: wrangler's
// createTestHarness (fresh in-memory storage, D1 migrations applied, throwaway secrets) with the
// local observability collector off (X_LOCAL_OBSERVABILITY=false). Used by bench/direct-server.mjs
// (for bench/http.mjs) and bench/cold.mjs.
//
// The harness's own URL is served by wrangler's second (proxy) workerd. `directUrl` is the entry
// socket of the workerd that runs the Workers, found from /proc: requests sent there never touch
// the proxy (bench/README.md says how that is checked).
import { randomBytes } from "node:crypto";
import { OFFLINE_ENV, listeningPorts, root, workerdRoles } from "./lib.mjs";
import { ensureDocsAssets } from "../scripts/docs-assets.mjs";

export async function startWorkers() {
  Object.assign(process.env, OFFLINE_ENV, { X_LOCAL_OBSERVABILITY: "false" });
  // The gateway serves the API reference's renderer from workers/gateway/assets (npm start copies it).
  ensureDocsAssets();
  const adminToken = randomBytes(32).toString("base64url");
  const { createTestHarness } = await import("wrangler");
  const harness = createTestHarness({
    root,
    workers: [
      { configPath: "wrangler.toml", secrets: { ADMIN_TOKEN: adminToken, API_KEY_PEPPER: randomBytes(32).toString("base64") } },
      { configPath: "workers/kms/wrangler.toml", secrets: { KMS_KEK: randomBytes(32).toString("base64") } },
      { configPath: "workers/policy/wrangler.toml" },
    ],
  });
  try {
    const t0 = performance.now();
    const { url } = await harness.listen();
    await harness.getWorker().applyD1Migrations("DB");
    const startupMs = performance.now() - t0;
    const proxyUrl = new URL(url);
    const roles = workerdRoles(process.pid, Number(proxyUrl.port));
    if (roles.proxy.length !== 1 || roles.workers.length !== 1) {
      throw new Error(`expected one proxy and one Workers' workerd, found ${JSON.stringify(roles)}`);
    }
    // One listening socket is the entry, used as is (so bench/cold.mjs's first request is the first
    // the Workers see); with more, the entry is the one that answers the gateway's /health.
    const ports = listeningPorts(roles.workers[0]);
    if (ports.length === 1) return { harness, directUrl: `http://127.0.0.1:${ports[0]}`, proxyUrl: proxyUrl.origin, ...roles, adminToken, startupMs };
    for (const port of ports) {
      const candidate = `http://127.0.0.1:${port}`;
      try {
        const response = await fetch(`${candidate}/health`, { signal: AbortSignal.timeout(5000) });
        const body = await response.text();
        if (response.status === 200 && body.includes('"ok"')) {
          return { harness, directUrl: candidate, proxyUrl: proxyUrl.origin, ...roles, adminToken, startupMs };
        }
      } catch {
        // not an HTTP socket
      }
    }
    throw new Error("the Workers' workerd has no socket that answers GET /health");
  } catch (error) {
    await harness.close().catch(() => undefined);
    throw error;
  }
}
