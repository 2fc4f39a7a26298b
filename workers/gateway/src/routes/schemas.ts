/** Response schemas shared by several routes (documentation in /openapi.json; never secret fields). */
import * as z from "zod";
import { PLANS, TENANT_STATUSES, JURISDICTIONS } from "../../../../schema/d1.ts";
import { ERROR_CODES } from "../../../shared/errors.ts";
import { ROLE_NAMES, SCOPES } from "../../../shared/scopes.ts";

const Limits = z.object({
  rate_per_second: z.number(),
  burst: z.number(),
  monthly_operations: z.number(),
  max_keys: z.number(),
});

export const TenantSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  plan: z.enum(PLANS),
  status: z.enum(TENANT_STATUSES),
  jurisdiction: z.enum(JURISDICTIONS).nullable(),
  limits: Limits,
  limit_overrides: z.object({
    rate_per_second: z.number().nullable(),
    burst: z.number().nullable(),
    monthly_operations: z.number().nullable(),
    max_keys: z.number().nullable(),
  }),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});

export const ApiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe("First 12 characters of the token, for recognising it"),
  role: z.enum(ROLE_NAMES).nullable(),
  scopes: z.array(z.enum(SCOPES)),
  key_ids: z.array(z.uuid()).nullable(),
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime().nullable(),
  revoked_at: z.iso.datetime().nullable(),
  last_used_at: z.iso.datetime().nullable(),
});

export const CreatedApiKeySchema = ApiKeySchema.extend({
  token: z.string().describe("The API key itself. Shown once, at creation; store it now."),
});

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  code: z.enum(ERROR_CODES as [string, ...string[]]),
  request_id: z.string(),
  rule: z.string().optional(),
});

export const IdParam = z.object({ id: z.uuid({ message: "must be a UUID" }) });

export const KeySchema = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  description: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  algorithm: z.string(),
  purpose: z.enum(["encrypt", "sign"]),
  state: z.enum(["enabled", "disabled", "pending_deletion", "destroyed"]),
  primary_version: z.number().int(),
  min_decryption_version: z.number().int(),
  deletion_window_days: z.number().int(),
  versions: z.array(z.object({ version: z.number().int(), state: z.enum(["enabled", "destroyed"]), created_at: z.iso.datetime() })),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
  deletion_date: z.iso.datetime().nullable(),
});

export const PublicKeySchema = z.object({
  key_id: z.uuid(),
  version: z.number().int(),
  algorithm: z.string(),
  format: z.enum(["raw", "spki", "pem", "jwk"]),
  public_key: z.union([
    z.string().describe("base64 for raw and spki; PEM text for pem"),
    z.object({ kty: z.literal("AKP"), alg: z.string(), pub: z.string(), kid: z.string() }).describe("JWK (AKP)"),
  ]),
});

const b64 = (what: string) => z.string().describe(`${what}, base64`);

export const CiphertextSchema = z.object({ ciphertext: b64("PQK envelope"), key_version: z.number().int() });
export const RewrappedSchema = CiphertextSchema.extend({ source_version: z.number().int() });
export const DataKeySchema = CiphertextSchema.extend({
  algorithm: z.literal("AES-256-GCM"),
  plaintext: b64("the data key itself, only when asked for; use it, then discard it").optional(),
});
export const PlaintextSchema = z.object({ plaintext: b64("plaintext"), key_version: z.number().int() });
export const EncapsulationSchema = z.object({ ciphertext: b64("KEM ciphertext"), shared_secret: b64("shared secret"), key_version: z.number().int() });
export const SharedSecretSchema = z.object({ shared_secret: b64("shared secret"), key_version: z.number().int() });
export const SignatureSchema = z.object({ signature: b64("signature"), key_version: z.number().int() });
export const VerificationSchema = z.object({ valid: z.boolean(), key_version: z.number().int() });
