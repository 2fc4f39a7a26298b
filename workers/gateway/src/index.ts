/**
 * pqkms gateway Worker: the only public entry point. Exports the HTTP handler and the per-tenant
 * RateLimiter Durable Object class; everything else is imported from the modules beside it.
 */
import { createApp } from "./app.ts";

export { MetricsStore } from "./metrics/metrics-store.ts";
export { RateLimiter } from "./rate-limit/rate-limiter.ts";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
