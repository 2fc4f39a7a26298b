/**
 * The automatic-rotation fields of a key's create and PATCH bodies (architecture §5). The period is
 * checked by the same pure parser the vault uses (rotation-period.ts), so a refusal here and there
 * read alike: `body.rotation_period: …`.
 */
import * as z from "zod";
import { KEEP_DECRYPTION_VERSIONS, parseRotationPeriod } from "../../../shared/rotation-period.ts";

const { min: KEEP_MIN, max: KEEP_MAX } = KEEP_DECRYPTION_VERSIONS;

export const RotationPeriod = z
  .string()
  .max(40)
  .superRefine((text, ctx) => {
    const parsed = parseRotationPeriod(text);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.error.detail ?? "not a rotation period" });
  })
  .describe(
    "Rotate automatically every this long: an ISO 8601 duration of whole units from one day to ten years (P30D, P6M, P1Y, PT24H, P1Y2M10DT2H; weeks only alone, as P2W). Years and months are calendar months in UTC; the first rotation is one period after it is set",
  );

export const KeepDecryptionVersions = z
  .number()
  .int()
  .min(KEEP_MIN)
  .max(KEEP_MAX)
  .describe(`After each rotation (automatic or manual), raise min_decryption_version to primary_version minus this (${KEEP_MIN}–${KEEP_MAX}): the primary and this many versions before it stay decryptable`);
