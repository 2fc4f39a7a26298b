/**
 * zod building blocks for key and crypto routes: base64 fields decoded to bytes with their size
 * limits (DESIGN §5: limits documented and enforced before any crypto), key ids, labels.
 */
import { z } from "zod";
import { fromBase64 } from "../../../shared/base64.ts";
import { ApiError } from "../http/problem.ts";

export const LIMITS = {
  plaintextBytes: 256 * 1024,
  ciphertextBytes: 300 * 1024,
  messageBytes: 256 * 1024,
  aadBytes: 8 * 1024,
  contextBytes: 255,
  muBytes: 64,
  signatureBytes: 8 * 1024,
  labels: 32,
  pageSize: 100,
} as const;

/** A base64 (or base64url) string, decoded, at most `maxBytes` long. */
export const bytes = (maxBytes: number, minBytes = 0) =>
  z
    .string()
    .max(Math.ceil(maxBytes / 3) * 4 + 4)
    .transform((text, ctx) => {
      const decoded = fromBase64(text);
      if (decoded === undefined) {
        ctx.addIssue({ code: "custom", message: "must be base64 (RFC 4648 §4 or §5)" });
        return z.NEVER;
      }
      if (decoded.length > maxBytes || decoded.length < minBytes) {
        ctx.addIssue({ code: "custom", message: `must decode to ${minBytes}–${maxBytes} bytes` });
        return z.NEVER;
      }
      return decoded;
    });

export const Labels = z
  .record(z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, "label keys: lowercase letter, then [a-z0-9_-], ≤ 63"), z.string().max(255))
  .refine((labels) => Object.keys(labels).length <= LIMITS.labels, `at most ${LIMITS.labels} labels`)
  .describe(`Labels: at most ${LIMITS.labels}; names a lowercase letter then [a-z0-9_-], at most 63 characters; values at most 255 characters`);

// No length limit here: a too-long id must answer 404 like any other non-UUID (see keyIdOf), not 400.
export const KeyParam = z.object({ key: z.string().describe("The key id (a UUID)") });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A key id from the path, normalised. Anything that is not a UUID cannot name a key, and answers
 * exactly like a key that does not exist (DESIGN §6). Call it before `callKms`, never inside its
 * closure: everything thrown in there becomes 503 kms_unavailable.
 */
export function keyIdOf(params: { key: string }): string {
  const id = params.key.toLowerCase();
  if (!UUID.test(id)) throw new ApiError("key_not_found");
  return id;
}

const MAX_KEY_VERSION = 1_000_000;

/** A key version in the query string (coerced from text). */
export const VersionNumber = z.coerce.number().int().min(1).max(MAX_KEY_VERSION).describe("A key version (default: the primary version)");

/** A key version in a JSON body. */
export const KeyVersion = z.number().int().min(1).max(MAX_KEY_VERSION).describe("A key version (default: the primary version)");
