/**
 * The rate-limit headers of a tenant response, from the limiter's decision, following
 * draft-ietf-httpapi-ratelimit-headers (structured fields): `RateLimit-Policy: "tenant";q=<burst>;
 * w=<seconds to refill>` and `RateLimit: "tenant";r=<remaining>;t=<seconds until full>`, and on a
 * refusal `Retry-After` (RFC 9110 §10.2.3) in whole seconds, at least 1. Pure.
 */
import type { Limits } from "../../../shared/plans.ts";
import type { GcraDecision } from "./gcra.ts";

export function rateLimitHeaders(limits: Pick<Limits, "ratePerSecond" | "burst">, decision: GcraDecision): Record<string, string> {
  const window = Math.max(1, Math.ceil(limits.burst / limits.ratePerSecond));
  const headers: Record<string, string> = {
    "RateLimit-Policy": `"tenant";q=${limits.burst};w=${window}`,
    RateLimit: `"tenant";r=${decision.remaining};t=${Math.ceil(decision.resetMs / 1000)}`,
  };
  if (!decision.allowed) headers["Retry-After"] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
  return headers;
}
