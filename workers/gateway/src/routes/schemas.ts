/** Response schemas shared by several routes (documentation in /openapi.json; never secret fields). */
import { z } from "zod";
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
