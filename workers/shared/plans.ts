/**
 * Plans and their limits (architecture §4). A tenant's effective limits are its plan's, with any
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

/**
 * Algorithms only `pro` and `enterprise` may create or use for new protection (architecture §4 rule 3):
 * hybrids and SLH-DSA. Any algorithm not listed here is open to every plan.
 */
export const PREMIUM_ALGORITHMS: ReadonlySet<string> = new Set([
  "X-Wing",
  "Composite-ML-DSA-65-P256",
  "SLH-DSA-SHA2-128s",
  "SLH-DSA-SHA2-128f",
]);

/** Plans whose tenants may send batches (`POST /v1/keys/{key}/batch`, architecture §5). */
export const BATCH_PLANS: ReadonlySet<Plan> = new Set(["pro", "enterprise"]);

/**
 * Plans whose tenants may import key material (import jobs and `POST /v1/keys/{key}/import`,
 * architecture §5), and the operations that rule covers (policy rule `plan_import`).
 */
export const IMPORT_PLANS: ReadonlySet<Plan> = new Set(["pro", "enterprise"]);
export const IMPORT_OPERATIONS: ReadonlySet<string> = new Set(["import-jobs.create", "import-jobs.list", "import-jobs.get", "keys.import"]);

export function planAllowsAlgorithm(plan: Plan, algorithm: string): boolean {
  return plan !== "free" || !PREMIUM_ALGORITHMS.has(algorithm);
}

/**
 * What a tenant may still do with a key its plan no longer allows (after a downgrade): read it,
 * manage its lifecycle, and decrypt, decapsulate or verify what it already protected — never
 * create, rotate, encrypt, encapsulate or sign anew. Data is never held hostage by a downgrade.
 */
export const OPERATIONS_AFTER_DOWNGRADE: ReadonlySet<string> = new Set([
  "keys.get",
  "keys.list",
  "keys.public-key",
  "keys.update",
  "keys.disable",
  "keys.enable",
  "keys.schedule-deletion",
  "keys.cancel-deletion",
  "keys.versions.disable",
  "keys.versions.enable",
  "keys.versions.schedule-destruction",
  "keys.versions.cancel-destruction",
  // An alias only names a key: every use through it meets this same rule on the key itself.
  "aliases.create",
  "aliases.list",
  "aliases.get",
  "aliases.update",
  "aliases.delete",
  "crypto.decrypt",
  "crypto.decapsulate",
  "crypto.verify",
  "crypto.verify-mac",
]);
