/**
 * Emergency policy fail-open (architecture §4), platform admin only. While on, a policy-engine outage lets
 * requests through instead of 503 — each one audited as critical in its tenant's log — and it turns
 * itself off at `until`, checked on every request. It never bypasses authentication, rate limits,
 * or a deny the policy engine did return; while it is on, the gateway applies the engine's rules
 * itself (pipeline/fail-open.ts), so it opens only what cannot be read during the outage. Switching it
 * on or off is audited as critical in the platform's own audit log.
 */
import type { Context } from "hono";
import * as z from "zod";
import type { AppEnv } from "../app-env.ts";
import { activeFailOpen, clearFailOpen, readFailOpen, writeFailOpen } from "../db/settings.ts";
import { route } from "../http/route-spec.ts";
import { callKms, platformCallContext } from "../kms/client.ts";

export const MAX_FAIL_OPEN_MINUTES = 60;

const FailOpenBody = z.strictObject({
  minutes: z.number().int().min(1).max(MAX_FAIL_OPEN_MINUTES).default(5).describe(`How long, 1–${MAX_FAIL_OPEN_MINUTES} minutes (default 5)`),
  reason: z.string().trim().min(3).max(500).describe("Why, 3–500 characters; recorded in the platform audit log"),
});

const FailOpenStatus = z.object({
  enabled: z.boolean().describe("Whether emergency policy fail-open is on now"),
  until: z.iso.datetime().nullable().describe("When it switches itself off (RFC 3339, UTC), or null"),
  reason: z.string().nullable().describe("The reason given when it was switched on, or null"),
}).meta({ id: "FailOpenStatus", description: "Emergency policy fail-open status" });

async function status(db: D1Database, now: number) {
  const active = activeFailOpen(await readFailOpen(db), now);
  return { enabled: active !== null, until: active ? new Date(active.until).toISOString() : null, reason: active?.reason ?? null };
}

/** Every switch is a critical event in the platform's own audit log. */
function auditSwitch(c: Context<AppEnv>, operation: "policy.fail-open.enable" | "policy.fail-open.disable", detail: string) {
  const event = { operation, keyId: null, outcome: "allowed" as const, rule: null, severity: "critical" as const, detail };
  return callKms(() => c.env.KMS.recordEvent(platformCallContext(c.get("requestId")), event));
}

export const failOpenRoutes = [
  route({
    method: "get",
    path: "/admin/v1/policy/fail-open",
    summary: "Whether emergency policy fail-open is on, and until when",
    operationId: "getFailOpen",
    tag: "admin",
    access: { kind: "admin" },
    responses: { 200: { description: "Status", schema: FailOpenStatus } },
    handler: async (c) => c.json(await status(c.env.DB, Date.now())),
  }),
  route({
    method: "post",
    path: "/admin/v1/policy/fail-open",
    summary: "Switch emergency policy fail-open on for 1–60 minutes (default 5), with a reason",
    operationId: "enableFailOpen",
    tag: "admin",
    access: { kind: "admin" },
    errors: ["kms_unavailable"],
    body: FailOpenBody,
    responses: { 200: { description: "Status", schema: FailOpenStatus } },
    handler: async (c, { body }) => {
      const now = Date.now();
      const until = now + body.minutes * 60_000;
      // Audit first: if the critical audit event cannot be written, fail-open is not switched on.
      await auditSwitch(c, "policy.fail-open.enable", `for ${body.minutes} min until ${new Date(until).toISOString()}: ${body.reason}`);
      await writeFailOpen(c.env.DB, { reason: body.reason, enabledAt: now, until });
      return c.json(await status(c.env.DB, now));
    },
  }),
  route({
    method: "delete",
    path: "/admin/v1/policy/fail-open",
    summary: "Switch emergency policy fail-open off now",
    operationId: "disableFailOpen",
    tag: "admin",
    access: { kind: "admin" },
    errors: ["kms_unavailable"],
    responses: { 200: { description: "Status", schema: FailOpenStatus } },
    handler: async (c) => {
      const removed = await clearFailOpen(c.env.DB);
      await auditSwitch(c, "policy.fail-open.disable", removed ? "switched off by the platform admin" : "was not on");
      return c.json(await status(c.env.DB, Date.now()));
    },
  }),
];
