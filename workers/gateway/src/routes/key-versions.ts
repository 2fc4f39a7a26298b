/**
 * Per-version control routes (architecture §5): disable, enable, schedule or cancel the destruction of
 * one version of a key, so a compromised version is retired while the others keep working. The
 * primary version refuses to be disabled or destroyed (rotate first). The vault decides and audits;
 * these routes validate input and name the operation for the policy stage.
 */
import * as z from "zod";
import { DELETION_WINDOW_DAYS } from "../../../shared/key-states.ts";
import type { Operation } from "../../../shared/operations.ts";
import type { VersionActionName } from "../../../shared/rpc.ts";
import { route } from "../http/route-spec.ts";
import { callKms } from "../kms/client.ts";
import { KeyVersion } from "./inputs.ts";
import { KeySchema } from "./schemas.ts";

const { min: MIN_DAYS, max: MAX_DAYS } = DELETION_WINDOW_DAYS;

const VersionParams = z.strictObject({
  key: z.string().describe("The key id (a UUID), or alias:NAME for the key an alias points to"),
  version: z.coerce.number().pipe(KeyVersion).describe("The version number"),
});

const ScheduleDestruction = z.strictObject({
  days: z
    .number()
    .int()
    .min(MIN_DAYS)
    .max(MAX_DAYS)
    .optional()
    .describe(`Days until the version's secret is destroyed, ${MIN_DAYS}–${MAX_DAYS} (default: the key's deletion_window_days)`),
});

const ACTIONS: { path: string; action: VersionActionName; operation: Operation; operationId: string; summary: string }[] = [
  {
    path: "disable", action: "disable", operation: "keys.versions.disable", operationId: "disableKeyVersion",
    summary: "Disable one version: it no longer decrypts, signs, verifies or decapsulates (not the primary: rotate first)",
  },
  { path: "enable", action: "enable", operation: "keys.versions.enable", operationId: "enableKeyVersion", summary: "Enable a disabled version" },
  {
    path: "schedule-destruction", action: "schedule_destruction", operation: "keys.versions.schedule-destruction", operationId: "scheduleKeyVersionDestruction",
    summary: "Destroy one version's secret material after 7–30 days; it is unusable meanwhile (not the primary: rotate first)",
  },
  {
    path: "cancel-destruction", action: "cancel_destruction", operation: "keys.versions.cancel-destruction", operationId: "cancelKeyVersionDestruction",
    summary: "Cancel a version's scheduled destruction (the version comes back disabled)",
  },
];

export const keyVersionRoutes = ACTIONS.map(({ path, action, operation, operationId, summary }) =>
  route({
    method: "post",
    path: `/v1/keys/:key/versions/:version/${path}`,
    summary,
    operationId,
    errors: ["conflict"],
    tag: "keys",
    access: { kind: "tenant", operation, keyParam: "key" },
    params: VersionParams,
    ...(action === "schedule_destruction" ? { body: ScheduleDestruction } : {}),
    responses: { 200: { description: "The key, with every version's state", schema: KeySchema } },
    handler: async (c, { params, body, call, keyId }) => {
      const days = (body as { days?: number } | undefined)?.days ?? null;
      return c.json(await callKms(() => c.env.KMS.changeVersionState(call, keyId, params.version, action, days)));
    },
  }),
);
