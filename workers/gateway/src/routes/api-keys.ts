/**
 * Tenant self-service API keys (architecture §2, §5). A key can only mint keys with a subset of its own
 * scopes and key restriction, expiring no later than itself: `api-keys:manage` is not a way to
 * escalate privilege, nor to turn a short-lived key into a permanent one.
 */
import * as z from "zod";
import { findKey, listKeys, renderApiKey, revokeKey } from "../db/api-keys.ts";
import { ApiKeyCreateSchema, insertApiKey, issueApiKey, type ApiKeySpec } from "../auth/issue.ts";
import type { AuthContext } from "../app-env.ts";
import { ApiError } from "../http/problem.ts";
import { route } from "../http/route-spec.ts";
import { auditTenantChange } from "../kms/client.ts";
import { evictResolvedKey } from "../pipeline/tenant.ts";
import { ApiKeySchema, CreatedApiKeySchema, IdParam } from "./schemas.ts";

export type Caller = Pick<AuthContext, "scopes" | "keyRestriction"> & { expiresAt: number | null };

/** Pure: why the caller may not mint this key, or null when it may. */
export function escalation(caller: Caller, spec: ApiKeySpec): string | null {
  const extra = spec.scopes.filter((s) => !caller.scopes.includes(s));
  if (extra.length > 0) return `cannot grant scopes this API key does not hold: ${extra.join(", ")}`;
  if (caller.expiresAt !== null && (spec.expiresAt === null || spec.expiresAt > caller.expiresAt)) {
    return `an expiring API key can only create keys that expire no later than it does (${new Date(caller.expiresAt).toISOString()})`;
  }
  if (caller.keyRestriction !== null) {
    if (spec.keyIds === null) return "a key-restricted API key can only create keys restricted to its own key ids";
    const outside = spec.keyIds.filter((id) => !caller.keyRestriction?.includes(id));
    if (outside.length > 0) return "cannot grant access to key ids outside this API key's restriction";
  }
  return null;
}

export const apiKeyRoutes = [
  route({
    method: "post",
    path: "/v1/api-keys",
    summary: "Create an API key for this tenant (token shown once)",
    operationId: "createApiKey",
    tag: "api-keys",
    access: { kind: "tenant", operation: "api-keys.create" },
    body: ApiKeyCreateSchema,
    responses: { 201: { description: "Created", schema: CreatedApiKeySchema } },
    handler: async (c, { body, call }) => {
      const auth = c.get("auth");
      const { spec, row, token } = await issueApiKey(c.get("config"), { input: body, tenantId: auth.tenantId, createdBy: auth.apiKeyId, now: Date.now() }, (candidate) => {
        const denied = escalation({ ...auth, expiresAt: c.get("resolvedKey").key.expiresAt }, candidate);
        if (denied) throw new ApiError("access_denied", denied, { rule: "scopes" });
      });
      const scopes = spec.scopes.join(" ");
      await auditTenantChange(c.env, call, "api-keys.create", `api key ${row.id} (${row.prefix}…) scopes: ${scopes}`);
      await insertApiKey(c.env.DB, row).run();
      return c.json(renderApiKey(row, token), 201);
    },
  }),
  route({
    method: "get",
    path: "/v1/api-keys",
    summary: "List this tenant's API keys (never tokens or hashes)",
    operationId: "listApiKeys",
    tag: "api-keys",
    access: { kind: "tenant", operation: "api-keys.list" },
    responses: { 200: { description: "API keys, newest first", schema: z.object({ api_keys: z.array(ApiKeySchema).describe("API keys, newest first") }).meta({ id: "ApiKeyList", description: "The tenant's API keys" }) } },
    handler: async (c) => {
      const rows = await listKeys(c.env.DB, c.get("auth").tenantId);
      return c.json({ api_keys: rows.map((row) => renderApiKey(row)) });
    },
  }),
  route({
    method: "delete",
    path: "/v1/api-keys/:id",
    summary: "Revoke an API key of this tenant",
    operationId: "revokeApiKey",
    tag: "api-keys",
    access: { kind: "tenant", operation: "api-keys.revoke" },
    params: IdParam,
    errors: ["api_key_not_found"],
    responses: { 204: { description: "Revoked" } },
    handler: async (c, { params, call }) => {
      const auth = c.get("auth");
      const id = params.id.toLowerCase();
      const existing = await findKey(c.env.DB, auth.tenantId, id);
      if (!existing || existing.revokedAt !== null) throw new ApiError("api_key_not_found");
      await auditTenantChange(c.env, call, "api-keys.revoke", `api key ${id}`);
      const revoked = await revokeKey(c.env.DB, auth.tenantId, id, Date.now());
      if (!revoked) throw new ApiError("api_key_not_found");
      evictResolvedKey(revoked.id);
      return c.body(null, 204);
    },
  }),
];
