/**
 * Tenants (admin token): the list, page by page (GET /admin/v1/tenants); create one (its first
 * admin API key shown once), look one up by id, change its plan, override its limits, suspend or
 * reactivate it. Every change goes through a confirmation that says what it does.
 */
import { useState } from "preact/hooks";
import type { ApiKey, Plan, Tenant } from "../api.ts";
import { ConfirmDialog, CopyButton, ErrorNote, useLoad, type Confirmation } from "../components.tsx";
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
        <dt>Overrides</dt><dd><LimitOverrides ctx={ctx} tenant={tenant} changed={props.changed} ask={setConfirmation} /></dd>
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

const LIMIT_FIELDS = [
  ["rate_per_second", "Requests per second"],
  ["burst", "Burst"],
  ["monthly_operations", "Operations a month"],
  ["max_keys", "Keys"],
] as const;
type LimitField = (typeof LIMIT_FIELDS)[number][0];

/** The tenant's own limits over its plan's; an empty field is the plan's value (null clears an override). */
function LimitOverrides(props: { ctx: Ctx; tenant: Tenant; changed: (t: Tenant) => void; ask: (c: Confirmation) => void }) {
  const { tenant } = props;
  const initial = () => Object.fromEntries(LIMIT_FIELDS.map(([f]) => [f, tenant.limit_overrides[f] === null ? "" : String(tenant.limit_overrides[f])])) as Record<LimitField, string>;
  const [values, setValues] = useState(initial);
  const change = Object.fromEntries(LIMIT_FIELDS.map(([f]) => [f, values[f].trim() === "" ? null : Number(values[f])])) as Record<LimitField, number | null>;
  const described = LIMIT_FIELDS.map(([f, label]) => `${label}: ${change[f] === null ? "the plan's" : change[f]}`).join("; ");
  return (
    <form class="row" aria-label={`Limit overrides of ${tenant.name}`} onSubmit={(e) => {
      e.preventDefault();
      props.ask({
        title: `Change the limits of ${tenant.name}?`,
        consequences: `${described}. They apply to its next request; a monthly quota below what it has used this month refuses its operations until the month ends.`,
        confirmLabel: "Change limits",
        run: async () => props.changed(await props.ctx.api.updateTenant(tenant.id, { limits: change })),
      });
    }}>
      {LIMIT_FIELDS.map(([f, label]) => (
        <label>{label} <input type="number" min={0} step={1} name={f} placeholder={`plan: ${tenant.limits[f]}`} value={values[f]} onInput={(e) => setValues({ ...values, [f]: e.currentTarget.value })} /></label>
      ))}
      <button type="submit">Save limits…</button>
    </form>
  );
}

/** Every tenant, 20 to a page; "Manage" opens one below. */
function TenantList(props: { ctx: Ctx; open: (t: Tenant) => void; revision: number }) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useLoad(() => props.ctx.api.listTenants(cursor), [cursor, props.revision]);
  return (
    <div>
      <ErrorNote error={page.error} />
      {page.value && (
        <table class="list" aria-label="Tenants">
          <thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Plan</th><th scope="col">Status</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
          <tbody>
            {page.value.tenants.map((t) => (
              <tr>
                <td>{t.name}</td><td><code>{t.id}</code></td><td>{t.plan}</td><td>{t.status}</td><td>{formatTime(t.created_at)}</td>
                <td><button type="button" class="link" aria-label={`Manage ${t.name}`} onClick={() => props.open(t)}>Manage</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class="pager">
        <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>Previous tenants</button>
        <button type="button" disabled={!page.value?.next_cursor} onClick={() => page.value?.next_cursor && setCursors([...cursors, page.value.next_cursor])}>Next tenants</button>
      </div>
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
  const [revision, setRevision] = useState(0);
  const show = (t: Tenant) => {
    setTenant(t);
    setRevision((r) => r + 1);
  };
  return (
    <section class="panel" aria-labelledby="tenants-title">
      <h2 id="tenants-title">Tenants</h2>
      <TenantList ctx={ctx} revision={revision} open={(t) => {
        setFirstKey(null);
        setTenant(t);
      }} />
      <form class="row" aria-label="Create a tenant" onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        ctx.api.createTenant(name.trim(), plan).then((created) => {
          show(created.tenant);
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
      {tenant && <TenantFacts key={`${tenant.id} ${tenant.updated_at}`} ctx={ctx} tenant={tenant} changed={show} />}
    </section>
  );
}
