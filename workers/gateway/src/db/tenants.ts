/**
 * Tenant rows in D1: the platform admin's view. Pure mapping to the API shape lives here too, so
 * every route renders a tenant the same way.
 */
import { asc, eq, gt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../../../schema/d1.ts";
import { effectiveLimits, type Limits } from "../../../shared/plans.ts";

export type TenantRow = typeof schema.tenants.$inferSelect;
export type NewTenantRow = typeof schema.tenants.$inferInsert;

export const database = (db: D1Database) => drizzle(db, { schema });

export async function findTenant(db: D1Database, id: string): Promise<TenantRow | undefined> {
  return database(db).select().from(schema.tenants).where(eq(schema.tenants.id, id)).get();
}

/**
 * One page of tenants in id order (the primary key's index), from after `cursor` (the last id of
 * the previous page); `next` is null on the last page. One row more than the page is read to
 * know whether another page follows.
 */
export async function listTenants(db: D1Database, limit: number, cursor: string | undefined): Promise<{ rows: TenantRow[]; next: string | null }> {
  const query = database(db).select().from(schema.tenants);
  const rows = await (cursor === undefined ? query : query.where(gt(schema.tenants.id, cursor))).orderBy(asc(schema.tenants.id)).limit(limit + 1).all();
  const page = rows.slice(0, limit);
  return { rows: page, next: rows.length > limit ? page[page.length - 1]!.id : null };
}

export async function updateTenant(
  db: D1Database,
  id: string,
  changes: Partial<Pick<TenantRow, "plan" | "status" | "jurisdiction" | "placement" | "ratePerSecond" | "burst" | "monthlyOperations" | "maxKeys">>,
  now: number,
): Promise<TenantRow | undefined> {
  return database(db)
    .update(schema.tenants)
    .set({ ...changes, updatedAt: nextRevision(now) })
    .where(eq(schema.tenants.id, id))
    .returning()
    .get();
}

/**
 * `updated_at` doubles as the tenant's revision, by which the policy caches the tenant's facts: it
 * must change on every change, even two within one millisecond.
 */
function nextRevision(now: number) {
  return sql<number>`max(${schema.tenants.updatedAt} + 1, ${now})`;
}

/** Marks a change to the tenant's policy facts (its rules) without changing the row otherwise. */
export function bumpTenantRevision(db: D1Database, id: string, now: number) {
  return database(db).update(schema.tenants).set({ updatedAt: nextRevision(now) }).where(eq(schema.tenants.id, id));
}

export function tenantLimits(row: TenantRow): Limits {
  return effectiveLimits(row.plan, {
    ratePerSecond: row.ratePerSecond,
    burst: row.burst,
    monthlyOperations: row.monthlyOperations,
    maxKeys: row.maxKeys,
  });
}

export function renderTenant(row: TenantRow) {
  const limits = tenantLimits(row);
  return {
    id: row.id,
    name: row.name,
    plan: row.plan,
    status: row.status,
    jurisdiction: row.jurisdiction,
    placement: row.placement,
    limits: {
      rate_per_second: limits.ratePerSecond,
      burst: limits.burst,
      monthly_operations: limits.monthlyOperations,
      max_keys: limits.maxKeys,
    },
    limit_overrides: {
      rate_per_second: row.ratePerSecond,
      burst: row.burst,
      monthly_operations: row.monthlyOperations,
      max_keys: row.maxKeys,
    },
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
  };
}
