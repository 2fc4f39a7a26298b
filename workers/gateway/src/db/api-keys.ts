/**
 * API key rows in D1. A row holds the HMAC of the token, never the token. Lookups by hash join the
 * tenant so stage 3 of the pipeline resolves key and tenant in one query.
 */
import { and, desc, eq, isNull } from "drizzle-orm";
import * as schema from "../../../../schema/d1.ts";
import type { Scope } from "../../../shared/scopes.ts";
import { database, type TenantRow } from "./tenants.ts";

export type ApiKeyRow = typeof schema.apiKeys.$inferSelect;
export type NewApiKeyRow = typeof schema.apiKeys.$inferInsert;

export async function findKeyByHash(
  db: D1Database,
  tokenHash: string,
): Promise<{ key: ApiKeyRow; tenant: TenantRow } | undefined> {
  const row = await database(db)
    .select({ key: schema.apiKeys, tenant: schema.tenants })
    .from(schema.apiKeys)
    .innerJoin(schema.tenants, eq(schema.apiKeys.tenantId, schema.tenants.id))
    .where(eq(schema.apiKeys.tokenHash, tokenHash))
    .get();
  return row ?? undefined;
}

export async function listKeys(db: D1Database, tenantId: string): Promise<ApiKeyRow[]> {
  return database(db)
    .select()
    .from(schema.apiKeys)
    .where(eq(schema.apiKeys.tenantId, tenantId))
    .orderBy(desc(schema.apiKeys.createdAt), desc(schema.apiKeys.id))
    .all();
}

export async function findKey(db: D1Database, tenantId: string, id: string): Promise<ApiKeyRow | undefined> {
  return database(db)
    .select()
    .from(schema.apiKeys)
    .where(and(eq(schema.apiKeys.tenantId, tenantId), eq(schema.apiKeys.id, id)))
    .get();
}

/** Revokes one of the tenant's keys. Undefined when the tenant has no such (unrevoked) key. */
export async function revokeKey(db: D1Database, tenantId: string, id: string, now: number): Promise<ApiKeyRow | undefined> {
  return database(db)
    .update(schema.apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(schema.apiKeys.tenantId, tenantId), eq(schema.apiKeys.id, id), isNull(schema.apiKeys.revokedAt)))
    .returning()
    .get();
}

export async function touchLastUsed(db: D1Database, id: string, now: number): Promise<void> {
  await database(db).update(schema.apiKeys).set({ lastUsedAt: now }).where(eq(schema.apiKeys.id, id)).run();
}

export function parseScopes(row: ApiKeyRow): Scope[] {
  return JSON.parse(row.scopes) as Scope[];
}

export function parseKeyRestriction(row: ApiKeyRow): string[] | null {
  return row.keyIds === null ? null : (JSON.parse(row.keyIds) as string[]);
}

/** The API shape of an API key: never the token hash; the token only at creation. */
export function renderApiKey(row: ApiKeyRow, token?: string) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    scopes: parseScopes(row),
    key_ids: parseKeyRestriction(row),
    created_at: new Date(row.createdAt).toISOString(),
    expires_at: row.expiresAt === null ? null : new Date(row.expiresAt).toISOString(),
    revoked_at: row.revokedAt === null ? null : new Date(row.revokedAt).toISOString(),
    last_used_at: row.lastUsedAt === null ? null : new Date(row.lastUsedAt).toISOString(),
    ...(token === undefined ? {} : { token }),
  };
}
