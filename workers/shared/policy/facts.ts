/**
 * The facts a policy decision needs, read from D1 (architecture §4): the tenant's status, plan and key
 * limit, its own rules, and — only where the plan excludes some algorithm, or on create — the
 * algorithm of the key the request names and the tenant's key count, both from the vault's D1
 * projection. Used by the policy Worker, and by the gateway while emergency fail-open is on, so
 * that an outage of this Worker alone changes no decision. A failed read propagates: never allow.
 */
import { PLAN_LIMITS, planAllowsAlgorithm, type Plan } from "../plans.ts";
import type { PolicyRequest } from "../rpc.ts";
import type { PolicyFacts, TenantRuleFacts } from "./rules.ts";

interface TenantRow {
  status: "active" | "suspended";
  plan: Plan;
  max_keys: number | null;
}

/** True when the plan includes every algorithm, so a key's algorithm cannot change a decision. */
function planAllowsAllAlgorithms(plan: Plan): boolean {
  return planAllowsAlgorithm(plan, "X-Wing");
}

/**
 * The tenant's row and rules change rarely but are needed on every request: they are kept per
 * isolate for at most TENANT_FACTS_TTL_MS, keyed by the tenant's revision (its `updated_at`, which
 * every change to the tenant or its rules bumps). A change made through this isolate's gateway is
 * seen at once — the gateway sends the new revision — and everywhere else within the same bound
 * as a revoked API key (architecture §2: at most 10 s). Without a revision, nothing is cached.
 * The gateway also sends the tenant's row as its stage 3 resolved it (same bound), so on a miss
 * only the rules are read.
 */
const TENANT_FACTS_TTL_MS = 5_000;
const TENANT_FACTS_MAX_ENTRIES = 1_000;
const tenantFacts = new Map<string, { at: number; tenant: TenantRow | null; rules: TenantRuleFacts[] }>();

/** The row the gateway sent, when it is well-formed; anything else is read from D1 instead. */
function sentRow(request: PolicyRequest): TenantRow | null {
  const sent = request.tenant;
  if (typeof sent !== "object" || sent === null || request.tenantRevision === undefined) return null;
  if ((sent.status !== "active" && sent.status !== "suspended") || !Object.hasOwn(PLAN_LIMITS, sent.plan)) return null;
  if (sent.maxKeys !== null && !Number.isSafeInteger(sent.maxKeys)) return null;
  return { status: sent.status, plan: sent.plan, max_keys: sent.maxKeys };
}

async function readTenantFacts(db: D1Database, request: PolicyRequest, now: number) {
  const slot = request.tenantRevision === undefined ? null : `${request.tenantId}@${request.tenantRevision}`;
  const sent = sentRow(request);
  const hit = slot === null ? undefined : tenantFacts.get(slot);
  if (hit && now - hit.at < TENANT_FACTS_TTL_MS) return sent === null ? hit : { ...hit, tenant: sent };
  // The gateway's stage 3 read the tenant's row at this revision: only the rules are read here.
  const rules = db.prepare("SELECT kind, value FROM tenant_rules WHERE tenant_id = ?").bind(request.tenantId).all<TenantRuleFacts>();
  const [tenant, ruleRows] = await Promise.all([
    sent ?? db.prepare("SELECT status, plan, max_keys FROM tenants WHERE id = ?").bind(request.tenantId).first<TenantRow>(),
    rules,
  ]);
  const read = { at: now, tenant, rules: ruleRows.results };
  if (slot !== null) {
    if (tenantFacts.size >= TENANT_FACTS_MAX_ENTRIES) tenantFacts.delete(tenantFacts.keys().next().value as string);
    tenantFacts.set(slot, read);
  }
  return read;
}

export async function readFacts(db: D1Database, request: PolicyRequest, now: number): Promise<PolicyFacts> {
  const { tenant, rules } = await readTenantFacts(db, request, now);
  const facts: PolicyFacts = {
    now,
    tenant: tenant ? { status: tenant.status, plan: tenant.plan, maxKeys: tenant.max_keys ?? PLAN_LIMITS[tenant.plan].maxKeys } : null,
    keyAlgorithm: null,
    keyCount: null,
    tenantRules: rules,
  };
  if (!tenant) return facts;
  // A key not yet projected (created within the last second or so, or while the vault's outbox
  // cannot drain) is judged without its algorithm: rule 3 then allows its use.
  if (request.keyId !== null && request.algorithm === null && !planAllowsAllAlgorithms(tenant.plan)) {
    const row = await db
      .prepare("SELECT algorithm FROM keys WHERE tenant_id = ? AND id = ?")
      .bind(request.tenantId, request.keyId.toLowerCase())
      .first<{ algorithm: string }>();
    facts.keyAlgorithm = row?.algorithm ?? null;
  }
  // The projection trails the vault by its outbox drain (about a second): creates racing within
  // that window can each see room for one more. Only a count in the vault's create transaction
  // would make the limit exact.
  if (request.operation === "keys.create") {
    const row = await db
      .prepare("SELECT count(*) AS n FROM keys WHERE tenant_id = ? AND state != 'destroyed'")
      .bind(request.tenantId)
      .first<{ n: number }>();
    facts.keyCount = row?.n ?? 0;
  }
  return facts;
}
