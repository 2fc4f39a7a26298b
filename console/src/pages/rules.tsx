/**
 * The policy rules a request passes (architecture §4), in the order the policy Worker evaluates
 * them; a denial names one of them, and the audit log and error lines link here. The tenant's own
 * rules (IP allow-list, operation denies) are listed from GET /v1/policy-rules.
 */
import { ErrorNote, useLoad } from "../components.tsx";
import type { Ctx } from "../context.ts";
import { formatTime, missingScope } from "../format.ts";

const BUILT_IN: [string, string][] = [
  ["tenant_status", "The tenant exists and is not suspended."],
  ["scopes", "The API key holds the scope the operation needs."],
  ["key_restriction", "An API key restricted to some keys uses only those keys (and not the whole audit archive)."],
  ["plan_algorithm", "The tenant's plan allows the key's algorithm for this operation."],
  ["plan_max_keys", "Creating a key stays within the plan's key count."],
  ["monthly_quota", "The tenant's monthly operations stay within its quota."],
  ["tenant_ip_allow", "Once the tenant has an IP allow-list, requests come from an address on it (the tenant's own rules, below)."],
  ["tenant_operation_deny", "The tenant has not denied this operation (the tenant's own rules, below)."],
];

export function RulesPage(props: { ctx: Ctx; rule: string | null }) {
  const missing = missingScope(props.ctx.scopes, "api-keys:manage");
  const own = useLoad(() => (missing === null ? props.ctx.api.policyRules() : Promise.resolve(null)), [missing]);
  return (
    <section aria-labelledby="rules-title">
      <h1 id="rules-title">Policy rules</h1>
      <p class="muted">Every request passes these in order; the first that denies it is the one the error and the audit log name.</p>
      <table class="list">
        <thead><tr><th scope="col">Rule</th><th scope="col">What it checks</th></tr></thead>
        <tbody>
          {BUILT_IN.map(([name, text]) => (
            <tr id={`rule-${name}`} class={props.rule === name ? "selected" : ""} aria-current={props.rule === name ? "true" : undefined}>
              <td><code>{name}</code></td>
              <td>{text}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.rule !== null && !BUILT_IN.some(([name]) => name === props.rule) && <p class="notice">No rule named <code>{props.rule}</code>.</p>}
      <h2>This tenant's rules</h2>
      {missing !== null ? <p class="needs">{missing}: cannot list them</p> : null}
      <ErrorNote error={own.error} />
      {own.value && (own.value.rules.length === 0 ? <p class="muted">None.</p> : (
        <table class="list">
          <thead><tr><th scope="col">Kind</th><th scope="col">Value</th><th scope="col">Created</th></tr></thead>
          <tbody>{own.value.rules.map((r) => <tr><td>{r.kind}</td><td><code>{r.value}</code></td><td>{formatTime(r.created_at)}</td></tr>)}</tbody>
        </table>
      ))}
    </section>
  );
}
