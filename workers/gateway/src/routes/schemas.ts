/** Response schemas shared by several routes (documentation in /openapi.json; never secret fields). */
import { PLACEMENTS } from "../../../shared/placement.ts";
import * as z from "zod";
import { KEY_ORIGINS, KEY_STATES, VERSION_STATES } from "../../../shared/key-states.ts";
import { PLANS, TENANT_STATUSES, JURISDICTIONS } from "../../../../schema/d1.ts";
import { ERROR_CODES } from "../../../shared/errors.ts";
import { ROLE_NAMES, SCOPES } from "../../../shared/scopes.ts";

/** Description of a base64 field: its encoding and its size limits in bytes after decoding. */
export function base64Field(what: string, maxBytes?: number, minBytes = 0): string {
  const size =
    maxBytes === undefined ? "" : minBytes === maxBytes ? `; exactly ${maxBytes} bytes` : minBytes > 0 ? `; ${minBytes}–${maxBytes} bytes` : `; at most ${maxBytes} bytes`;
  return `${what}. base64 (RFC 4648 §4; base64url, §5, accepted on input)${size ? `${size} after decoding` : ""}`;
}

const timestamp = (what: string) => z.iso.datetime().describe(`${what} (RFC 3339, UTC)`);

const Limits = z
  .object({
    rate_per_second: z.number().describe("Requests per second the tenant's rate limit refills"),
    burst: z.number().describe("Requests the tenant may send at once (the rate limit's bucket size)"),
    monthly_operations: z.number().describe("Operations per calendar month (UTC) before 403 quota_exceeded"),
    max_keys: z.number().describe("Keys the tenant may hold (destroyed keys do not count)"),
  })
  .meta({ id: "TenantLimits", description: "The limits in force: the plan's, with the tenant's overrides applied" });

const override = (what: string) => z.number().nullable().describe(`${what}; null: the plan's value applies`);

export const TenantSchema = z
  .object({
    id: z.uuid().describe("The tenant's id"),
    name: z.string().describe("Display name"),
    plan: z.enum(PLANS).describe("Plan: sets default limits and the algorithms the tenant may use"),
    status: z.enum(TENANT_STATUSES).describe("A suspended tenant's requests answer 403 tenant_suspended"),
    jurisdiction: z.enum(JURISDICTIONS).nullable().describe("Data jurisdiction the tenant is bound to, if any"),
    placement: z.enum(PLACEMENTS).describe("Namespace the tenant's vault and rate limiter live in: its jurisdiction, or default for tenants created before residency"),
    limits: Limits.describe("The limits in force"),
    limit_overrides: z
      .object({
        rate_per_second: override("Override of rate_per_second"),
        burst: override("Override of burst"),
        monthly_operations: override("Override of monthly_operations"),
        max_keys: override("Override of max_keys"),
      })
      .describe("Per-tenant overrides of the plan's limits"),
    created_at: timestamp("When the tenant was created"),
    updated_at: timestamp("When the tenant last changed"),
  })
  .meta({ id: "Tenant", description: "A tenant: one customer, isolated from every other" });

export const ApiKeySchema = z
  .object({
    id: z.uuid().describe("The API key's id (not the token)"),
    name: z.string().describe("Display name"),
    prefix: z.string().describe("First 12 characters of the token, for recognising it"),
    role: z.enum(ROLE_NAMES).nullable().describe("The role the key was created with, or null when it was given scopes directly"),
    scopes: z.array(z.enum(SCOPES)).describe("The scopes the key holds"),
    key_ids: z.array(z.uuid()).nullable().describe("The only keys this API key may use, or null for all of the tenant's keys"),
    created_at: timestamp("When the API key was created"),
    expires_at: z.iso.datetime().nullable().describe("When the API key stops working (RFC 3339, UTC), or null if never"),
    revoked_at: z.iso.datetime().nullable().describe("When the API key was revoked (RFC 3339, UTC), or null"),
    last_used_at: z.iso.datetime().nullable().describe("When the API key was last used (RFC 3339, UTC; updated at most every few minutes), or null"),
  })
  .meta({ id: "ApiKey", description: "An API key's metadata; never its token or hash" });

export const CreatedApiKeySchema = ApiKeySchema.extend({
  token: z.string().describe("The API key itself. Shown once, at creation; store it now."),
}).meta({ id: "CreatedApiKey", description: "A new API key, with its token (shown only this once)" });

export const ProblemSchema = z
  .object({
    type: z.string().describe("A URI naming the kind of problem, one per code (https://pqkms.dev/problems/<code with dashes>)"),
    title: z.string().describe("The code's fixed human-readable title"),
    status: z.number().int().describe("The HTTP status, repeated"),
    detail: z.string().describe("What went wrong with this request; never secret values"),
    code: z.enum(ERROR_CODES as [string, ...string[]]).describe("The machine-readable error code, from a closed list"),
    request_id: z.string().describe("The request's id, as in the X-Request-ID response header"),
    rule: z.string().optional().describe("For a policy denial: the id of the rule that denied the request"),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details: the body of every failure" });

export const IdParam = z.object({ id: z.uuid({ message: "must be a UUID" }).describe("The id (a UUID)") });

export const KeyVersionSchema = z
  .object({
    version: z.number().int().describe("Version number, from 1"),
    state: z
      .enum(VERSION_STATES)
      .describe("Only an enabled version performs crypto operations; a destroyed version's secret material is gone"),
    created_at: timestamp("When the version was created"),
    destruction_date: z.iso.datetime().nullable().describe("When a scheduled destruction of this version happens (RFC 3339, UTC), or null"),
    last_used_at: z.iso
      .datetime()
      .nullable()
      .describe("When the version last performed a cryptographic operation, to the minute (RFC 3339, UTC), or null if never"),
  })
  .meta({ id: "KeyVersion", description: "One version of a key's material" });

export const KeySchema = z
  .object({
    id: z.uuid().describe("The key's id"),
    name: z.string().nullable().describe("Display name, or null"),
    description: z.string().nullable().describe("Free text, or null"),
    labels: z.record(z.string(), z.string()).describe("Labels: lowercase names to short values"),
    algorithm: z.string().describe("The key's algorithm, e.g. ML-KEM-768 or ML-DSA-65"),
    purpose: z.enum(["encrypt", "sign", "mac"]).describe("What the algorithm does: encrypt (KEMs, symmetric AEADs), sign, or mac (HMAC)"),
    state: z.enum(KEY_STATES).describe("Lifecycle state: only an enabled key performs crypto operations; pending_import: created for import, no material yet"),
    origin: z.enum(KEY_ORIGINS).describe("Where the key's material comes from: generated in the service, or imported (POST /v1/keys/{key}/import; never rotated by the service)"),
    primary_version: z.number().int().describe("The version new encryptions and signatures use"),
    min_decryption_version: z.number().int().describe("Older versions than this no longer decrypt or decapsulate"),
    deletion_window_days: z.number().int().describe("Days between scheduling deletion and destruction (7–30)"),
    versions: z.array(KeyVersionSchema).describe("Every version, oldest first"),
    created_at: timestamp("When the key was created"),
    updated_at: timestamp("When the key last changed"),
    deletion_date: z.iso.datetime().nullable().describe("When a scheduled destruction happens (RFC 3339, UTC), or null"),
    rotation_period: z.string().nullable().describe("Automatic rotation's period (ISO 8601 duration, e.g. P90D or P1Y), or null"),
    next_rotation_at: z.iso.datetime().nullable().describe("When automatic rotation is next due (RFC 3339, UTC), or null; a disabled key's waits until it is enabled"),
    keep_decryption_versions: z.number().int().nullable().describe("After each rotation, min_decryption_version is raised to primary_version minus this, or null"),
  })
  .meta({ id: "Key", description: "A key's metadata. Its secret material never leaves the service." });

export const KeyPageSchema = z
  .object({
    keys: z.array(KeySchema).describe("Keys, newest first"),
    next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page"),
  })
  .meta({ id: "KeyPage", description: "A page of keys" });

export const PublicKeySchema = z
  .object({
    key_id: z.uuid().describe("The key's id"),
    version: z.number().int().describe("The version this public key belongs to"),
    algorithm: z.string().describe("The key's algorithm"),
    format: z.enum(["raw", "spki", "pem", "jwk"]).describe("The format of public_key"),
    public_key: z
      .union([
        z.string().describe("base64 (RFC 4648 §4) for raw and spki; PEM text for pem"),
        z
          .object({
            kty: z.literal("AKP").describe("Key type: Algorithm Key Pair"),
            alg: z.string().describe("The JOSE algorithm name, e.g. ML-DSA-65"),
            pub: z.string().describe("The public key, base64url (RFC 4648 §5) without padding"),
            kid: z.string().describe("Key id: the key's id and version"),
          })
          .describe("JWK (AKP)"),
      ])
      .describe("The public key in the requested format"),
  })
  .meta({ id: "PublicKey", description: "A key version's public key" });

const b64 = (what: string) => z.string().describe(base64Field(what));
const keyVersion = z.number().int().describe("The key version that did the operation");
const envelope = b64("The PQK envelope: the ciphertext with everything needed to decrypt it except the key");

export const CiphertextSchema = z.object({ ciphertext: envelope, key_version: keyVersion }).meta({ id: "Ciphertext", description: "An envelope sealed under a key version" });
export const RewrappedSchema = z
  .object({ ciphertext: envelope, key_version: keyVersion, source_version: z.number().int().describe("The version the input envelope was sealed under") })
  .meta({ id: "Rewrapped", description: "An envelope resealed under the primary version" });
export const DataKeySchema = z
  .object({
    ciphertext: b64("The data key sealed in a PQK envelope; decrypt it later with this key"),
    key_version: keyVersion,
    algorithm: z.literal("AES-256-GCM").describe("What the data key is for"),
    plaintext: b64("The data key itself, 32 bytes, only when asked for; use it, then discard it").optional(),
  })
  .meta({ id: "DataKey", description: "A fresh data key, sealed (and in clear only when asked for)" });
export const PlaintextSchema = z.object({ plaintext: b64("The decrypted data"), key_version: keyVersion }).meta({ id: "Plaintext", description: "Decrypted data" });
export const EncapsulationSchema = z
  .object({ ciphertext: b64("The ML-KEM ciphertext to send to the key's holder"), shared_secret: b64("The 32-byte shared secret"), key_version: keyVersion })
  .meta({ id: "Encapsulation", description: "An ML-KEM encapsulation (FIPS 203)" });
export const SharedSecretSchema = z
  .object({ shared_secret: b64("The 32-byte shared secret (FIPS 203: a wrong ciphertext yields an unrelated secret, not an error)"), key_version: keyVersion })
  .meta({ id: "SharedSecret", description: "An ML-KEM decapsulation result" });
export const SignatureSchema = z.object({ signature: b64("The ML-DSA signature (FIPS 204)"), key_version: keyVersion }).meta({ id: "Signature", description: "A signature" });
export const VerificationSchema = z
  .object({ valid: z.boolean().describe("Whether the signature is valid for the message under that version"), key_version: z.number().int().describe("The key version checked") })
  .meta({ id: "Verification", description: "A signature verification result" });
export const MacSchema = z
  .object({ mac: b64("The full-length HMAC tag (RFC 2104): 32, 48 or 64 bytes for SHA-256, -384, -512"), key_version: keyVersion })
  .meta({ id: "Mac", description: "An HMAC tag" });
export const MacVerificationSchema = z
  .object({ valid: z.boolean().describe("Whether the tag is the message's HMAC under that version (false for a tag of the wrong length)"), key_version: z.number().int().describe("The key version checked") })
  .meta({ id: "MacVerification", description: "An HMAC tag check, compared in constant time" });
