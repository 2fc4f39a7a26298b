/**
 * Platform settings in D1. Today: emergency policy fail-open, a row whose `expires_at` is the end of
 * its window, so it turns itself off when the time is up with no timer (architecture §4).
 */
import { eq } from "drizzle-orm";
import * as schema from "../../../../schema/d1.ts";
import { database } from "./tenants.ts";

export const FAIL_OPEN = "policy_fail_open";

export interface FailOpenSetting {
  reason: string;
  enabledAt: number;
  until: number;
}

/** Pure: the setting in force at `now`, or null (absent or expired). */
export function activeFailOpen(setting: FailOpenSetting | null, now: number): FailOpenSetting | null {
  return setting !== null && setting.until > now ? setting : null;
}

export async function readFailOpen(db: D1Database): Promise<FailOpenSetting | null> {
  const row = await database(db).select().from(schema.platformSettings).where(eq(schema.platformSettings.name, FAIL_OPEN)).get();
  if (!row || row.expiresAt === null) return null;
  const value = JSON.parse(row.value) as { reason: string; enabled_at: number };
  return { reason: value.reason, enabledAt: value.enabled_at, until: row.expiresAt };
}

export async function writeFailOpen(db: D1Database, setting: FailOpenSetting): Promise<void> {
  const value = JSON.stringify({ reason: setting.reason, enabled_at: setting.enabledAt });
  await database(db)
    .insert(schema.platformSettings)
    .values({ name: FAIL_OPEN, value, expiresAt: setting.until, updatedAt: setting.enabledAt })
    .onConflictDoUpdate({ target: schema.platformSettings.name, set: { value, expiresAt: setting.until, updatedAt: setting.enabledAt } })
    .run();
}

export async function clearFailOpen(db: D1Database): Promise<boolean> {
  const removed = await database(db).delete(schema.platformSettings).where(eq(schema.platformSettings.name, FAIL_OPEN)).returning().all();
  return removed.length > 0;
}
