/**
 * Issuing API keys: one path for the platform admin (a tenant's first key, or any later one) and
 * for tenant self-service. The token is returned once and stored only as its HMAC.
 */
import * as z from "zod";
import * as schema from "../../../../schema/d1.ts";
import { fail, ok, type Result } from "../../../shared/errors.ts";
import { ROLE_NAMES, SCOPES, normalizeScopes, scopesForRole, type Role, type Scope } from "../../../shared/scopes.ts";
import type { GatewayConfig } from "../config.ts";
import type { ApiKeyRow } from "../db/api-keys.ts";
import { database } from "../db/tenants.ts";
import { ApiError } from "../http/problem.ts";
import { displayPrefix, formatToken, hashToken } from "./token.ts";

const MAX_KEY_LIFETIME_MS = 5 * 366 * 24 * 3600 * 1000;

export const ApiKeyCreateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100).describe("Display name, 1–100 characters"),
    role: z.enum(ROLE_NAMES).optional().describe("A named scope set (give role or scopes)"),
    scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length).optional().describe("The scopes to grant (give role or scopes)"),
    key_ids: z.array(z.uuid()).min(1).max(100).optional().describe("Restrict the API key to these keys, 1–100 ids"),
    expires_at: z.iso.datetime({ offset: true }).optional().describe("When the API key stops working (RFC 3339); default never"),
  })
  .refine((v) => (v.role === undefined) !== (v.scopes === undefined), {
    message: "give exactly one of role or scopes",
    path: ["role"],
  })
  .meta({ id: "CreateApiKeyRequest", description: "A new API key: a role or explicit scopes, optionally restricted to keys and expiring" });
export type ApiKeyCreate = z.output<typeof ApiKeyCreateSchema>;

export interface ApiKeySpec {
  tenantId: string;
  name: string;
  role: Role | null;
  scopes: Scope[];
  keyIds: string[] | null;
  expiresAt: number | null;
  createdBy: string;
}

/** Pure: turns a validated request into a key spec, or an `invalid_request` failure that names the unacceptable field. */
export function apiKeySpec(input: ApiKeyCreate, tenantId: string, createdBy: string, now: number): Result<ApiKeySpec> {
  const scopes = normalizeScopes(input.role ? scopesForRole(input.role) : (input.scopes ?? []));
  let expiresAt: number | null = null;
  if (input.expires_at !== undefined) {
    expiresAt = Date.parse(input.expires_at);
    if (expiresAt <= now) return fail("invalid_request", "body.expires_at: must be in the future");
    if (expiresAt - now > MAX_KEY_LIFETIME_MS) return fail("invalid_request", "body.expires_at: must be within 5 years");
  }
  const keyIds = input.key_ids ? [...new Set(input.key_ids.map((id) => id.toLowerCase()))] : null;
  return ok({ tenantId, name: input.name, role: input.role ?? null, scopes, keyIds, expiresAt, createdBy });
}

/** Builds the row and the token; the caller inserts the row (alone or in a batch). */
export async function mintApiKey(config: GatewayConfig, spec: ApiKeySpec, now: number): Promise<{ row: ApiKeyRow; token: string }> {
  const token = formatToken(crypto.getRandomValues(new Uint8Array(32)));
  const row: ApiKeyRow = {
    id: crypto.randomUUID(),
    tenantId: spec.tenantId,
    name: spec.name,
    prefix: displayPrefix(token),
    tokenHash: await hashToken(config.pepper, token),
    pepperVersion: config.pepperVersion,
    scopes: JSON.stringify(spec.scopes),
    role: spec.role,
    keyIds: spec.keyIds === null ? null : JSON.stringify(spec.keyIds),
    createdBy: spec.createdBy,
    createdAt: now,
    expiresAt: spec.expiresAt,
    revokedAt: null,
    lastUsedAt: null,
  };
  return { row, token };
}

/**
 * apiKeySpec then mintApiKey, for the routes that issue a key from a request: an unacceptable request
 * throws its invalid_request problem; `vet` sees the spec first and may throw to refuse it, before
 * anything is minted. The caller inserts the row.
 */
export async function issueApiKey(
  config: GatewayConfig,
  request: { input: ApiKeyCreate; tenantId: string; createdBy: string; now: number },
  vet?: (spec: ApiKeySpec) => void,
): Promise<{ spec: ApiKeySpec; row: ApiKeyRow; token: string }> {
  const spec = apiKeySpec(request.input, request.tenantId, request.createdBy, request.now);
  if (!spec.ok) throw new ApiError(spec.error.code, spec.error.detail);
  vet?.(spec.value);
  return { spec: spec.value, ...(await mintApiKey(config, spec.value, request.now)) };
}

export function insertApiKey(db: D1Database, row: ApiKeyRow) {
  return database(db).insert(schema.apiKeys).values(row);
}
