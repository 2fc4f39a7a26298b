/**
 * D1 schema (drizzle-orm). D1 is shared by the three Workers and holds what the platform needs to
 * find a tenant and decide about a request: tenants, API keys, usage, settings, tenant rules. It also
 * holds a read-only projection of each TenantVault's key metadata that the vault's outbox feeds.
 * D1 never decides whether a key exists or may be used: the vault does (architecture §8). Audit
 * events are not here: each tenant's chain lives in its vault only, so no crypto operation writes
 * to this one shared database (architecture §9); only each log's archive lag is (`audit_archive_status`).
 *
 * Every tenant table carries `tenant_id`; uniqueness is scoped by tenant; enums are CHECKed.
 * Times are integer milliseconds since the Unix epoch (UTC).
 * The storage contract, column by column, is in schema/README.md.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { KEY_ORIGINS, KEY_STATES, VERSION_STATES } from "../workers/shared/key-states.ts";
import { PLACEMENTS } from "../workers/shared/placement.ts";

export const PLANS = ["free", "pro", "enterprise"] as const;
export const TENANT_STATUSES = ["active", "suspended"] as const;
export const JURISDICTIONS = ["eu", "fedramp"] as const;
export { KEY_STATES };
export const TENANT_RULE_KINDS = ["ip_allow", "operation_deny"] as const;

const inList = (column: string, values: readonly string[]) =>
  sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(", ")})`);

export const tenants = sqliteTable(
  "tenants",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    plan: text("plan", { enum: PLANS }).notNull(),
    status: text("status", { enum: TENANT_STATUSES }).notNull().default("active"),
    jurisdiction: text("jurisdiction", { enum: JURISDICTIONS }),
    // Namespace of the tenant's Durable Objects (workers/shared/placement.ts): the jurisdiction for
    // tenants created since residency is enforced, 'default' for every tenant created before.
    placement: text("placement", { enum: PLACEMENTS }).notNull().default("default"),
    // Per-tenant overrides of the plan's limits; NULL = the plan's value.
    ratePerSecond: integer("rate_per_second"),
    burst: integer("burst"),
    monthlyOperations: integer("monthly_operations"),
    maxKeys: integer("max_keys"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  () => [
    check("tenants_plan_check", inList("plan", PLANS)),
    check("tenants_status_check", inList("status", TENANT_STATUSES)),
    check("tenants_jurisdiction_check", sql`${sql.raw("jurisdiction")} IS NULL OR ${inList("jurisdiction", JURISDICTIONS)}`),
    check("tenants_placement_check", inList("placement", PLACEMENTS)),
    check("tenants_limits_check", sql.raw(
      "(rate_per_second IS NULL OR rate_per_second > 0) AND (burst IS NULL OR burst > 0) AND " +
        "(monthly_operations IS NULL OR monthly_operations >= 0) AND (max_keys IS NULL OR max_keys >= 0)",
    )),
  ],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull().references(() => tenants.id),
    name: text("name").notNull(),
    // First 12 characters of the token, for display only (architecture §2).
    prefix: text("prefix").notNull(),
    // Hex HMAC-SHA-256(pepper, token); the token itself is never stored.
    tokenHash: text("token_hash").notNull(),
    pepperVersion: integer("pepper_version").notNull(),
    // JSON array of scope names, already expanded from the role.
    scopes: text("scopes").notNull(),
    role: text("role"),
    // JSON array of key ids this API key is restricted to; NULL = every key of the tenant.
    keyIds: text("key_ids"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at"),
    revokedAt: integer("revoked_at"),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [
    uniqueIndex("api_keys_token_hash_idx").on(t.tokenHash),
    uniqueIndex("api_keys_tenant_id_idx").on(t.tenantId, t.id),
    index("api_keys_tenant_created_idx").on(t.tenantId, t.createdAt),
  ],
);

/** Projection of the vault's keys (fed by the outbox; `projected_seq` guards against stale events). */
export const keys = sqliteTable(
  "keys",
  {
    tenantId: text("tenant_id").notNull().references(() => tenants.id),
    id: text("id").notNull(),
    name: text("name"),
    algorithm: text("algorithm").notNull(),
    purpose: text("purpose").notNull(),
    state: text("state", { enum: KEY_STATES }).notNull(),
    origin: text("origin", { enum: KEY_ORIGINS }).notNull().default("generated"),
    primaryVersion: integer("primary_version").notNull(),
    minDecryptionVersion: integer("min_decryption_version").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    deletionDate: integer("deletion_date"),
    projectedSeq: integer("projected_seq").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    check("keys_state_check", inList("state", KEY_STATES)),
    check("keys_origin_check", inList("origin", KEY_ORIGINS)),
    index("keys_tenant_algorithm_idx").on(t.tenantId, t.algorithm),
  ],
);

export const keyVersions = sqliteTable(
  "key_versions",
  {
    tenantId: text("tenant_id").notNull().references(() => tenants.id),
    keyId: text("key_id").notNull(),
    version: integer("version").notNull(),
    state: text("state", { enum: VERSION_STATES }).notNull(),
    createdAt: integer("created_at").notNull(),
    projectedSeq: integer("projected_seq").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.keyId, t.version] }),
    check("key_versions_state_check", inList("state", VERSION_STATES)),
  ],
);

/** Operations per tenant per calendar month (UTC), as `YYYY-MM`. */
export const usage = sqliteTable(
  "usage",
  {
    tenantId: text("tenant_id").notNull().references(() => tenants.id),
    period: text("period").notNull(),
    operations: integer("operations").notNull().default(0),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.period] }),
    check("usage_operations_check", sql.raw("operations >= 0")),
  ],
);

/** Tenant-defined policy rules (architecture §4 rule 5). */
export const tenantRules = sqliteTable(
  "tenant_rules",
  {
    tenantId: text("tenant_id").notNull().references(() => tenants.id),
    id: text("id").notNull(),
    kind: text("kind", { enum: TENANT_RULE_KINDS }).notNull(),
    value: text("value").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    check("tenant_rules_kind_check", inList("kind", TENANT_RULE_KINDS)),
  ],
);

/** Platform-wide settings (e.g. emergency fail-open), one JSON value per name. */
export const platformSettings = sqliteTable("platform_settings", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  expiresAt: integer("expires_at"),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * How far each audit log's archive to R2 is behind (architecture §9), one row per log: a tenant's id,
 * or 'platform' for the platform's own log, so no foreign key. The kms vault upserts its row after each
 * archive attempt that archived or failed (never per operation); `/ready` and `/metrics` read the
 * aggregate. A row is a report, not the truth: the vault's own storage decides what is archived.
 */
export const auditArchiveStatus = sqliteTable(
  "audit_archive_status",
  {
    log: text("log").primaryKey(),
    headSeq: integer("head_seq").notNull(),
    // Every event up to this seq is in R2 (0: none yet).
    archivedThrough: integer("archived_through").notNull(),
    // Time of the oldest event not yet in R2; NULL when every event is.
    oldestUnarchivedAt: integer("oldest_unarchived_at"),
    // The last archive write's error while it keeps failing; NULL after a success.
    lastError: text("last_error"),
    updatedAt: integer("updated_at").notNull(),
  },
);
