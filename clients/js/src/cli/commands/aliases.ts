/**
 * `pqkms aliases …`: the tenant's names for its keys (`alias:NAME` works wherever a key id goes).
 */
import type { Command } from "commander";
import type * as T from "../../client/types.ts";
import type { Context } from "../context.ts";
import { table, type Column } from "../output.ts";

const ALIAS_COLUMNS: Column<T.Alias>[] = [
  ["name", (a) => a.name],
  ["key id", (a) => a.key_id],
  ["purpose", (a) => a.purpose],
  ["created", (a) => a.created_at],
  ["updated", (a) => a.updated_at],
];

export function registerAliases(program: Command, ctx: Context): void {
  const aliases = program.command("aliases").description("name keys");

  aliases
    .command("list")
    .description("list aliases (every page)")
    .option("--key-id <id>", "only the aliases of this key")
    .action(async (o: { keyId?: string }) => {
      const all = await ctx.client().aliases.list({ key_id: o.keyId }).toArray();
      ctx.print({ aliases: all, next_cursor: null }, () => table(all, ALIAS_COLUMNS));
    });

  aliases
    .command("create <name> <key-id>")
    .description("name a key")
    .action(async (name: string, keyId: string) => {
      const alias = await ctx.client().aliases.create({ name, key_id: keyId });
      ctx.print(alias, () => table([alias], ALIAS_COLUMNS));
    });

  aliases
    .command("update <name> <key-id>")
    .description("point an alias at another key of the same purpose")
    .action(async (name: string, keyId: string) => {
      const alias = await ctx.client().aliases.update(name, keyId);
      ctx.print(alias, () => table([alias], ALIAS_COLUMNS));
    });

  aliases
    .command("delete <name>")
    .description("delete an alias (the key stays)")
    .action(async (name: string) => {
      await ctx.client().aliases.delete(name);
      ctx.print({ deleted: name }, () => `deleted alias ${name}\n`);
    });
}
