/**
 * Plans and their limits (DESIGN §4). A tenant's effective limits are its plan's, with any
 * per-tenant override (set by a platform admin) taking precedence field by field.
 */

export const PLAN_LIMITS = {
  free: { ratePerSecond: 10, burst: 20, monthlyOperations: 10_000, maxKeys: 10 },
  pro: { ratePerSecond: 100, burst: 200, monthlyOperations: 5_000_000, maxKeys: 1_000 },
  enterprise: { ratePerSecond: 500, burst: 1_000, monthlyOperations: 500_000_000, maxKeys: 100_000 },
} as const satisfies Record<string, Limits>;

export type Plan = keyof typeof PLAN_LIMITS;

export interface Limits {
  ratePerSecond: number;
  burst: number;
  monthlyOperations: number;
  maxKeys: number;
}

export type LimitOverrides = { [K in keyof Limits]: number | null };

export function effectiveLimits(plan: Plan, overrides: LimitOverrides): Limits {
  const base = PLAN_LIMITS[plan];
  return {
    ratePerSecond: overrides.ratePerSecond ?? base.ratePerSecond,
    burst: overrides.burst ?? base.burst,
    monthlyOperations: overrides.monthlyOperations ?? base.monthlyOperations,
    maxKeys: overrides.maxKeys ?? base.maxKeys,
  };
}
