/**
 * `pqkms api-keys …` and `pqkms policy-rules …`: who may call, with which scopes, from where.
 */
import { Argument, Option, type Command } from "commander";
import type * as T from "../../client/types.ts";
import { collect } from "../args.ts";
import type { Context } from "../context.ts";
import { record, table, type Column } from "../output.ts";

const ROLES = ["admin", "operator", "app", "auditor"] as const;
const SCOPES = ["keys:read", "keys:write", "crypto:encrypt", "crypto:decrypt", "crypto:sign", "crypto:verify", "api-keys:manage", "audit:read"] as const;
type Scope = (typeof SCOPES)[number];

const API_KEY_COLUMNS: Column<T.ApiKey>[] = [
  ["id", (k) => k.id],
  ["name", (k) => k.name],
  ["prefix", (k) => k.prefix],
  ["role", (k) => k.role],
  ["scopes", (k) => k.scopes],
  ["keys", (k) => k.key_ids],
  ["expires", (k) => k.expires_at],
  ["revoked", (k) => k.revoked_at],
  ["last used", (k) => k.last_used_at],
];

const RULE_COLUMNS: Column<T.PolicyRule>[] = [
  ["id", (r) => r.id],
  ["kind", (r) => r.kind],
  ["value", (r) => r.value],
];

export function registerAccess(program: Command, ctx: Context): void {
  const apiKeys = program.command("api-keys").description("the tenant's API keys");

  apiKeys
    .command("list")
    .description("list API keys (never their tokens)")
    .action(async () => {
      const all = await ctx.client().apiKeys.list();
      ctx.print({ api_keys: all }, () => table(all, API_KEY_COLUMNS));
    });

  apiKeys
    .command("create")
    .description("create an API key; its token is printed this once")
    .requiredOption("-n, --name <name>", "display name")
    .addOption(new Option("--role <role>", "a role (or give --scope)").choices(ROLES))
    .addOption(new Option("--scope <scope>", "a scope to grant (repeatable)").choices(SCOPES).argParser(collect as (v: string, p: unknown) => string[]))
    .option("--key-id <id>", "restrict it to this key (repeatable)", collect)
    .option("--expires-at <time>", "RFC 3339 expiry time")
    .action(async (o: { name: string; role?: (typeof ROLES)[number]; scope?: Scope[]; keyId?: string[]; expiresAt?: string }) => {
      const created = await ctx.client().apiKeys.create({ name: o.name, role: o.role, scopes: o.scope, key_ids: o.keyId, expires_at: o.expiresAt });
      ctx.print(created, () =>
        record([
          ["id", created.id],
          ["name", created.name],
          ["role", created.role],
          ["scopes", created.scopes],
          ["keys", created.key_ids],
          ["expires", created.expires_at],
          ["token", created.token],
        ]) + "(the token is shown only this once)\n",
      );
    });

  apiKeys
    .command("revoke <id>")
    .description("revoke an API key at once")
    .action(async (id: string) => {
      await ctx.client().apiKeys.revoke(id);
      ctx.print({ revoked: id }, () => `revoked API key ${id}\n`);
    });

  const rules = program.command("policy-rules").description("the tenant's source-IP allow-list and operation denies");

  rules
    .command("list")
    .description("list the rules")
    .action(async () => {
      const all = await ctx.client().policyRules.list();
      ctx.print({ rules: all }, () => table(all, RULE_COLUMNS));
    });

  rules
    .command("create")
    .description("add a rule: ip_allow CIDR, or operation_deny OPERATION (e.g. crypto.sign)")
    .addArgument(new Argument("<kind>", "the rule's kind").choices(["ip_allow", "operation_deny"]))
    .argument("<value>", "a CIDR range, or an operation name")
    .action(async (kind: string, value: string) => {
      const rule = await ctx.client().policyRules.create({ kind, value } as T.CreatePolicyRuleRequest);
      ctx.print(rule, () => table([rule], RULE_COLUMNS));
    });

  rules
    .command("delete <id>")
    .description("remove a rule")
    .action(async (id: string) => {
      await ctx.client().policyRules.delete(id);
      ctx.print({ deleted: id }, () => `deleted rule ${id}\n`);
    });
}
