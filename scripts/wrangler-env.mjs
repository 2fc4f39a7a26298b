// Where the project's wrangler is, and the environment that keeps it offline (TOOLCHAIN: no
// telemetry, no Request.cf fetch, no .env lines injected into the Workers as secrets).
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const wrangler = path.join(root, "node_modules", ".bin", "wrangler");
export const offlineEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV: "false",
  WRANGLER_HIDE_BANNER: "true",
};
