/**
 * `pqkms audit list|verify`, `pqkms tenant` and `pqkms usage`: what was done with the tenant's keys
 * (why a call was denied: the event's outcome and rule), whether the log's hash chain holds, the
 * tenant, and this month's operations against the plan.
 */
import { Option, type Command } from "commander";
import type * as T from "../../client/types.ts";
import { positiveInteger } from "../args.ts";
import type { Context } from "../context.ts";
import { EXIT } from "../errors.ts";
import { record, table, type Column } from "../output.ts";

const OUTCOMES = ["allowed", "denied", "failed"] as const;

const EVENT_COLUMNS: Column<T.AuditEvent>[] = [
  ["seq", (e) => e.seq],
  ["time", (e) => e.time],
  ["operation", (e) => e.operation],
  ["outcome", (e) => e.outcome],
  ["rule", (e) => e.rule],
  ["key id", (e) => e.key_id],
  ["ver", (e) => e.key_version],
  ["request id", (e) => e.request_id],
  ["detail", (e) => e.detail],
];

interface ListFlags {
  keyId?: string;
  operation?: string;
  requestId?: string;
  outcome?: (typeof OUTCOMES)[number];
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
  all?: boolean;
}

export function registerAudit(program: Command, ctx: Context): void {
  const audit = program.command("audit").description("the tenant's audit log");

  audit
    .command("list")
    .description("list audit events, newest first: one page, or every page with --all")
    .option("--key-id <id>", "only events about this key")
    .option("--operation <name>", "only this operation, e.g. crypto.sign or keys.disable")
    .option("--request-id <id>", "only the events of this request (an error's request_id)")
    .addOption(new Option("--outcome <outcome>", "only this outcome").choices(OUTCOMES))
    .option("--from <time>", "at or after: YYYY-MM-DD or RFC 3339")
    .option("--to <time>", "at or before: YYYY-MM-DD or RFC 3339")
    .option("--limit <n>", "events per page (1-100)", positiveInteger)
    .option("--cursor <cursor>", "the page after this cursor (printed after each page)")
    .option("--all", "follow next_cursor to the end")
    .action(async (o: ListFlags) => {
      const query = { key_id: o.keyId, operation: o.operation as T.AuditEventsQuery["operation"], request_id: o.requestId, outcome: o.outcome, from: o.from, to: o.to, limit: o.limit };
      const client = ctx.client();
      if (o.all) {
        const events = await client.audit.events(query).toArray();
        ctx.print({ events, next_cursor: null }, () => table(events, EVENT_COLUMNS));
        return;
      }
      const page = await client.audit.eventsPage({ ...query, cursor: o.cursor });
      ctx.print(page, () => table(page.events, EVENT_COLUMNS));
      if (page.next_cursor !== null && !ctx.json) ctx.note(`more events: add --cursor ${page.next_cursor} (or --all)`);
    });

  audit
    .command("verify")
    .description("check the log's hash chain (exit 1 if it is broken)")
    .addOption(new Option("--from <basis>", "from the latest signed checkpoint, or over every event the service holds").choices(["checkpoint", "window"]).default("checkpoint"))
    .action(async (o: { from: "checkpoint" | "window" }) => {
      const verdict = await ctx.client().audit.verify({ from: o.from });
      ctx.print(verdict, () =>
        record([
          ["valid", verdict.valid],
          ["checked", verdict.checked],
          ["basis", verdict.basis],
          ["from seq", verdict.from_seq],
          ["to seq", verdict.to_seq],
          ["first broken", verdict.first_broken],
          ["note", verdict.note],
        ]),
      );
      if (!verdict.valid) ctx.exitCode = EXIT.failure;
    });

  program
    .command("tenant")
    .description("the caller's tenant: plan, status, limits, key count")
    .action(async () => {
      const tenant = await ctx.client().tenant.get();
      ctx.print(tenant, () =>
        record([
          ["id", tenant.id],
          ["name", tenant.name],
          ["plan", tenant.plan],
          ["status", tenant.status],
          ["placement", tenant.placement],
          ["limits", tenant.limits],
          ["keys", tenant.key_count],
          ["created", tenant.created_at],
        ]),
      );
    });

  program
    .command("usage")
    .description("this month's operations against the plan's quota")
    .action(async () => {
      const usage = await ctx.client().tenant.usage();
      ctx.print(usage, () =>
        record([
          ["plan", usage.plan],
          ["period", usage.period],
          ["operations", usage.operations],
          ["monthly quota", usage.monthly_operations],
          ["remaining", usage.remaining],
          ["resets at", usage.resets_at],
        ]),
      );
    });
}
