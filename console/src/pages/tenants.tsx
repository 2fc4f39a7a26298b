/**
 * Tenants (admin token): create one (its first admin API key shown once), look one up by id, change
 * its plan, suspend or reactivate it. The API has no tenant list: a tenant is found by its id.
 * Limit overrides are set through PATCH /admin/v1/tenants/{id} (API reference).
 */
import { useState } from "preact/hooks";
import type { ApiKey, Plan, Tenant } from "../api.ts";
import { ConfirmDialog, CopyButton, ErrorNote, type Confirmation } from "../components.tsx";
import type { Ctx } from "../context.ts";
import { formatTime } from "../format.ts";

const PLANS: Plan[] = ["free", "pro", "enterprise"];

function TenantFacts(props: { ctx: Ctx; tenant: Tenant; changed: (t: Tenant) => void }) {
  const { ctx, tenant } = props;
  const [confirmation, setConfirmation] = useState<Confirmation | null>(null);
  const suspend = tenant.status === "active";
  return (
    <div>
      <h3>{tenant.name}</h3>
      <dl class="facts">
        <dt>Id</dt><dd><code>{tenant.id}</code></dd>
        <dt>Status</dt><dd>{tenant.status}</dd>
        <dt>Plan</dt>
        <dd>
          <label>
            Plan of {tenant.name}
            <select value={tenant.plan} onChange={(e) => {
              const plan = e.currentTarget.value as Plan;
              setConfirmation({
                title: `Move ${tenant.name} to the ${plan} plan?`,
                consequences: `Its rate limit, monthly quota, key count and allowed algorithms become the ${plan} plan's (its own overrides stay). Keys of an algorithm the plan does not allow stay readable: they decrypt and verify, but no longer encrypt, sign or rotate.`,
                confirmLabel: `Move to ${plan}`,
                run: async () => props.changed(await ctx.api.updateTenant(tenant.id, { plan })),
              });
            }}>
              {PLANS.map((p) => <option value={p}>{p}</option>)}
            </select>
          </label>
        </dd>
        <dt>Limits</dt><dd>{tenant.limits.rate_per_second}/s, burst {tenant.limits.burst}, {tenant.limits.monthly_operations} operations a month, {tenant.limits.max_keys} keys</dd>
        <dt>Placement</dt><dd>{tenant.placement}{tenant.jurisdiction ? ` (jurisdiction ${tenant.jurisdiction})` : ""}</dd>
        <dt>Created</dt><dd>{formatTime(tenant.created_at)}</dd>
      </dl>
      <button
        type="button"
        class={suspend ? "danger" : "primary"}
        onClick={() => setConfirmation({
          title: `${suspend ? "Suspend" : "Reactivate"} ${tenant.name}?`,
          consequences: suspend
            ? "Every request with any of its API keys answers 403 tenant_suspended until it is reactivated. Its keys and audit log are kept."
            : "Its API keys work again.",
          confirmLabel: suspend ? "Suspend" : "Reactivate",
          run: async () => props.changed(await ctx.api.updateTenant(tenant.id, { status: suspend ? "suspended" : "active" })),
        })}
      >
        {suspend ? "Suspend…" : "Reactivate…"}
      </button>
      <ConfirmDialog confirmation={confirmation} onClose={() => setConfirmation(null)} />
    </div>
  );
}

export function Tenants(props: { ctx: Ctx }) {
  const { ctx } = props;
  const [name, setName] = useState("");
  const [plan, setPlan] = useState<Plan>("free");
  const [lookup, setLookup] = useState("");
  const [tenant, setTenant] = useState<Tenant | null>(null);
  const [firstKey, setFirstKey] = useState<(ApiKey & { token: string }) | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <section class="panel" aria-labelledby="tenants-title">
      <h2 id="tenants-title">Tenants</h2>
      <form class="row" aria-label="Create a tenant" onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        ctx.api.createTenant(name.trim(), plan).then((created) => {
          setTenant(created.tenant);
          setFirstKey(created.api_key);
          setName("");
        }, setError);
      }}>
        <label>Tenant name <input required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
        <label>New tenant's plan <select value={plan} onChange={(e) => setPlan(e.currentTarget.value as Plan)}>{PLANS.map((p) => <option value={p}>{p}</option>)}</select></label>
        <button type="submit" class="primary" disabled={name.trim() === ""}>Create tenant</button>
      </form>
      <form class="row" aria-label="Find a tenant" onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        setFirstKey(null);
        ctx.api.getTenant(lookup.trim()).then(setTenant, setError);
      }}>
        <label class="grow">Tenant id <input required value={lookup} onInput={(e) => setLookup(e.currentTarget.value)} /></label>
        <button type="submit">Find</button>
      </form>
      <ErrorNote error={error} />
      {firstKey && (
        <div class="token" role="status">
          <p class="warning">The new tenant's first API key (role admin). Copy it now: it is shown only this once.</p>
          <pre tabIndex={0} aria-label="The new tenant's API key">{firstKey.token}</pre>
          <CopyButton text={firstKey.token} label="Copy the new tenant's API key" />
        </div>
      )}
      {tenant && <TenantFacts ctx={ctx} tenant={tenant} changed={setTenant} />}
    </section>
  );
}
