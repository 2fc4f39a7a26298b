/**
 * judgeKey (workers/gateway/src/pipeline/key-verdict.ts, stage 3 of the pipeline, architecture §2): may this API key, of this
 * tenant, be used at `now`? A pure function of the two rows, the pepper version in force and the
 * clock; the pipeline maps "tenant_suspended" to 403 and every other refusal to 401.
 */
import { describe, expect, it } from "vitest";
import type { apiKeys, tenants } from "../../../schema/d1.ts";
import { judgeKey, type KeyVerdict } from "../../../workers/gateway/src/pipeline/key-verdict.ts";

/** Whole rows as D1 returns them, so the table shows every field the verdict could read. */
type ApiKeyRow = typeof apiKeys.$inferSelect;
type TenantRow = typeof tenants.$inferSelect;

const NOW = 1_800_000_000_000;
const PEPPER_VERSION = 2;

const KEY: ApiKeyRow = {
  id: "00000000-0000-4000-8000-00000000a001",
  tenantId: "00000000-0000-4000-8000-00000000f001",
  name: "ci",
  prefix: "pqk_abcdefgh",
  tokenHash: "00".repeat(32),
  pepperVersion: PEPPER_VERSION,
  scopes: '["keys:read"]',
  role: null,
  keyIds: null,
  createdBy: "admin",
  createdAt: NOW - 86_400_000,
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
};

const TENANT: TenantRow = {
  id: KEY.tenantId,
  name: "Acme",
  plan: "pro",
  status: "active",
  jurisdiction: null,
  placement: "default",
  ratePerSecond: null,
  burst: null,
  monthlyOperations: null,
  maxKeys: null,
  createdAt: NOW - 86_400_000,
  updatedAt: NOW - 86_400_000,
};

interface Case {
  name: string;
  key?: Partial<ApiKeyRow>;
  tenant?: Partial<TenantRow>;
  pepperVersion?: number;
  want: KeyVerdict;
}

const CASES: Case[] = [
  { name: "active key of an active tenant", want: "ok" },
  { name: "key with a last-used time", key: { lastUsedAt: NOW - 1 }, want: "ok" },
  { name: "key restricted by role and key ids", key: { role: "operator", keyIds: '["k1"]' }, want: "ok" },

  { name: "revoked before now", key: { revokedAt: NOW - 1 }, want: "revoked" },
  { name: "revoked at exactly now", key: { revokedAt: NOW }, want: "revoked" },
  { name: "revocation dated after now is not yet in force", key: { revokedAt: NOW + 1 }, want: "ok" },

  { name: "expiry after now", key: { expiresAt: NOW + 1 }, want: "ok" },
  { name: "expiry far in the future", key: { expiresAt: NOW + 365 * 86_400_000 }, want: "ok" },
  { name: "expiry at exactly now", key: { expiresAt: NOW }, want: "expired" },
  { name: "expiry before now", key: { expiresAt: NOW - 1 }, want: "expired" },

  { name: "pepper version older than the one in force", key: { pepperVersion: PEPPER_VERSION - 1 }, want: "stale_pepper" },
  { name: "pepper version newer than the one in force", key: { pepperVersion: PEPPER_VERSION + 1 }, want: "stale_pepper" },
  { name: "pepper version in force is 1, key's is 1", key: { pepperVersion: 1 }, pepperVersion: 1, want: "ok" },

  { name: "suspended tenant", tenant: { status: "suspended" }, want: "tenant_suspended" },

  // Order: the key's own state is judged before the tenant's, revocation before expiry before pepper.
  { name: "revoked and expired: revoked", key: { revokedAt: NOW - 1, expiresAt: NOW - 1 }, want: "revoked" },
  { name: "expired with a stale pepper: expired", key: { expiresAt: NOW, pepperVersion: 1 }, want: "expired" },
  { name: "stale pepper of a suspended tenant: stale_pepper", key: { pepperVersion: 1 }, tenant: { status: "suspended" }, want: "stale_pepper" },
  { name: "revoked key of a suspended tenant: revoked", key: { revokedAt: NOW }, tenant: { status: "suspended" }, want: "revoked" },
  { name: "expired key of a suspended tenant: expired", key: { expiresAt: NOW - 1 }, tenant: { status: "suspended" }, want: "expired" },
];

describe("judgeKey", () => {
  it.each(CASES)("$name → $want", ({ key, tenant, pepperVersion, want }) => {
    expect(judgeKey({ ...KEY, ...key }, { ...TENANT, ...tenant }, pepperVersion ?? PEPPER_VERSION, NOW)).toBe(want);
  });

  it("does not modify the rows it judges", () => {
    const key = { ...KEY, revokedAt: NOW };
    const tenant = { ...TENANT, status: "suspended" as const };
    const before = JSON.stringify([key, tenant]);
    judgeKey(key, tenant, PEPPER_VERSION, NOW);
    expect(JSON.stringify([key, tenant])).toBe(before);
  });

  it("moves from ok to expired exactly at the expiry instant", () => {
    const key = { ...KEY, expiresAt: NOW };
    expect([NOW - 1, NOW, NOW + 1].map((at) => judgeKey(key, TENANT, PEPPER_VERSION, at))).toEqual(["ok", "expired", "expired"]);
  });
});
