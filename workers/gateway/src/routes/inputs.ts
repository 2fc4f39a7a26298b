/**
 * zod building blocks for key and crypto routes: base64 fields decoded to bytes with their size
 * limits (architecture §5: limits documented and enforced before any crypto), key ids, labels.
 */
import * as z from "zod";
import { fromBase64 } from "../../../shared/base64.ts";
import { REQUEST_ID_PATTERN } from "../http/request-id.ts";

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

/**
 * A base64 (or base64url) string, decoded, its size checked in bytes after decoding: limits are
 * stated as users count them ("at most 262144 bytes"), not in base64 characters. The 1 MiB body
 * limit bounds the text before any of this runs.
 */
export const bytes = (maxBytes: number, minBytes = 0) =>
  z.string().transform((text, ctx) => {
    const decoded = fromBase64(text);
    if (decoded === undefined) {
      ctx.addIssue({ code: "custom", message: "must be base64 (RFC 4648 §4 or §5), on one line" });
      return z.NEVER;
    }
    if (decoded.length > maxBytes) {
      ctx.addIssue({ code: "custom", message: `at most ${maxBytes} bytes (after base64 decoding); got ${decoded.length}` });
      return z.NEVER;
    }
    if (decoded.length < minBytes) {
      ctx.addIssue({ code: "custom", message: `at least ${minBytes} bytes (after base64 decoding); got ${decoded.length}` });
      return z.NEVER;
    }
    return decoded;
  });

/**
 * Object keys that JavaScript treats specially. JSON.parse makes them ordinary own properties, but
 * copying them into another object can change its prototype instead, so a label named `__proto__`
 * would vanish silently. They are refused by name.
 */
const RESERVED_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;

export const Labels = z
  .custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), { message: "must be an object of label: value" })
  .superRefine((labels, ctx) => {
    for (const name of Object.keys(labels)) {
      if (RESERVED_KEYS.has(name)) ctx.addIssue({ code: "custom", path: [name], message: `${JSON.stringify(name)} is a reserved name` });
    }
  })
  .pipe(
    z
      .record(z.string().regex(LABEL_KEY, "label keys: lowercase letter, then [a-z0-9_-], ≤ 63"), z.string().max(255))
      .refine((labels) => Object.keys(labels).length <= LIMITS.labels, `at most ${LIMITS.labels} labels`),
  )
  .describe(
    `Labels: at most ${LIMITS.labels}; names a lowercase letter then [a-z0-9_-], at most 63 characters ` +
      "(__proto__, constructor and prototype refused); values at most 255 characters",
  );

/** A `label` filter: `key:value`, exactly one label. */
export const LabelFilter = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}:.{0,255}$/, "key:value, with a label key as on create")
  .transform((text) => {
    const at = text.indexOf(":");
    return { key: text.slice(0, at), value: text.slice(at + 1) };
  });

/** A request id as `X-Request-ID` accepts it (http/request-id.ts). */
export const RequestId = z.string().regex(REQUEST_ID_PATTERN, "a request id as X-Request-ID carries it");

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * An inclusive time bound: a date (`2026-12-01`, UTC) or a date-time with offset (RFC 3339). A date
 * as `from` is the start of that day; as `to`, its last millisecond, so `to=2026-12-01` includes
 * the whole day. Returned as epoch ms.
 */
export const instantBound = (edge: "start" | "end") =>
  z
    .string()
    .refine((text) => DATE.test(text) || z.iso.datetime({ offset: true }).safeParse(text).success, {
      message: "a date (YYYY-MM-DD) or a date-time with offset (RFC 3339)",
    })
    .transform((text, ctx) => {
      const at = Date.parse(DATE.test(text) ? `${text}T00:00:00Z` : text);
      if (Number.isNaN(at)) {
        ctx.addIssue({ code: "custom", message: "not a real date" });
        return z.NEVER;
      }
      return DATE.test(text) && edge === "end" ? at + DAY_MS - 1 : at;
    });

// No length limit here: a too-long id must answer 404 like any other segment that names no key
// (pipeline/key-ref.ts), not 400.
export const KeyParam = z.strictObject({ key: z.string().describe("The key id (a UUID), or alias:NAME for the key an alias points to") });

const MAX_KEY_VERSION = 1_000_000;

/** A key version in the query string (coerced from text). */
export const VersionNumber = z.coerce.number().int().min(1).max(MAX_KEY_VERSION).describe("A key version (default: the primary version)");

/** A key version in a JSON body. */
export const KeyVersion = z.number().int().min(1).max(MAX_KEY_VERSION).describe("A key version (default: the primary version)");
