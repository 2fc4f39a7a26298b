/**
 * `pqkms keys …`: create, list, read, change, rotate, enable/disable and schedule or cancel the
 * deletion of keys, and `pqkms keys versions …` for one version at a time.
 */
import { Option, type Command } from "commander";
import type * as T from "../../client/types.ts";
import { keyValue, positiveInteger } from "../args.ts";
import type { Context } from "../context.ts";
import { record, table, type Column } from "../output.ts";

const ALGORITHMS = [
  "ML-KEM-512",
  "ML-KEM-768",
  "ML-KEM-1024",
  "X-Wing",
  "ML-DSA-44",
  "ML-DSA-65",
  "ML-DSA-87",
  "Composite-ML-DSA-65-P256",
  "SLH-DSA-SHA2-128s",
  "SLH-DSA-SHA2-128f",
  "AES-256-GCM",
  "ChaCha20-Poly1305",
  "HMAC-SHA-256",
  "HMAC-SHA-384",
  "HMAC-SHA-512",
] as const satisfies readonly T.Algorithm[];

const STATES = ["enabled", "disabled", "pending_deletion", "destroyed"] as const;

const KEY_COLUMNS: Column<T.Key>[] = [
  ["id", (k) => k.id],
  ["name", (k) => k.name],
  ["algorithm", (k) => k.algorithm],
  ["purpose", (k) => k.purpose],
  ["state", (k) => k.state],
  ["primary", (k) => k.primary_version],
  ["created", (k) => k.created_at],
];

const VERSION_COLUMNS: Column<T.KeyVersion>[] = [
  ["version", (v) => v.version],
  ["state", (v) => v.state],
  ["created", (v) => v.created_at],
  ["destruction", (v) => v.destruction_date],
  ["last used", (v) => v.last_used_at],
];

/** One key: its fields, then its versions. */
export function keyText(key: T.Key): string {
  const fields = record([
    ["id", key.id],
    ["name", key.name],
    ["description", key.description],
    ["algorithm", key.algorithm],
    ["purpose", key.purpose],
    ["state", key.state],
    ["labels", key.labels],
    ["primary version", key.primary_version],
    ["min decryption version", key.min_decryption_version],
    ["rotation period", key.rotation_period],
    ["next rotation", key.next_rotation_at],
    ["keep decryption versions", key.keep_decryption_versions],
    ["deletion window (days)", key.deletion_window_days],
    ["deletion date", key.deletion_date],
    ["created", key.created_at],
    ["updated", key.updated_at],
  ]);
  return `${fields}\n${table(key.versions, VERSION_COLUMNS)}`;
}

function keyCommand(ctx: Context, parent: Command, name: string, summary: string, call: (id: string) => Promise<T.Key>): Command {
  return parent
    .command(name)
    .description(summary)
    .argument("<key>", "an id or alias:NAME")
    .action(async (key: string) => {
      const answer = await call(key);
      ctx.print(answer, () => keyText(answer));
    });
}

/** Registers `pqkms keys …`; returns the `keys` command for the groups that add to it (import). */
export function registerKeys(program: Command, ctx: Context): Command {
  const keys = program.command("keys").description("create, list and manage keys");

  keys
    .command("create")
    .description("create a key")
    .addOption(new Option("-a, --algorithm <name>", "the key's algorithm").choices(ALGORITHMS).makeOptionMandatory())
    .option("-n, --name <name>", "display name")
    .option("--description <text>", "description")
    .option("--label <key=value>", "a label (repeatable)", keyValue)
    .option("--deletion-window-days <days>", "days between scheduling deletion and destruction", positiveInteger)
    .option("--rotation-period <period>", "rotate automatically, e.g. 90d")
    .option("--keep-decryption-versions <n>", "versions behind the primary that stay decryptable", positiveInteger)
    .addOption(new Option("--origin <origin>", "imported: no version until `pqkms keys import` gives it material").choices(["generated", "imported"]))
    .action(async (o: { algorithm: T.Algorithm; name?: string; description?: string; label?: Record<string, string>; deletionWindowDays?: number; rotationPeriod?: string; keepDecryptionVersions?: number; origin?: "generated" | "imported" }) => {
      const key = await ctx.client().keys.create({
        algorithm: o.algorithm,
        name: o.name,
        description: o.description,
        labels: o.label,
        deletion_window_days: o.deletionWindowDays,
        rotation_period: o.rotationPeriod,
        keep_decryption_versions: o.keepDecryptionVersions,
        origin: o.origin,
      });
      ctx.print(key, () => keyText(key));
    });

  keys
    .command("list")
    .description("list keys (every page)")
    .addOption(new Option("--algorithm <name>", "only keys of this algorithm").choices(ALGORITHMS))
    .addOption(new Option("--state <state>", "only keys in this state").choices(STATES))
    .option("--name <name>", "only keys with exactly this name")
    .option("--label <key:value>", "only keys with this label, e.g. env:prod")
    .option("--page-size <n>", "keys per request (1-100)", positiveInteger)
    .action(async (o: { algorithm?: T.Algorithm; state?: (typeof STATES)[number]; name?: string; label?: string; pageSize?: number }) => {
      const all = await ctx.client().keys.list({ algorithm: o.algorithm, state: o.state, name: o.name, label: o.label, limit: o.pageSize }).toArray();
      ctx.print({ keys: all, next_cursor: null }, () => table(all, KEY_COLUMNS));
    });

  keyCommand(ctx, keys, "get", "show a key and its versions", (k) => ctx.client().keys.get(k));
  keyCommand(ctx, keys, "rotate", "add a version and make it primary", (k) => ctx.client().keys.rotate(k));
  keyCommand(ctx, keys, "disable", "disable a key", (k) => ctx.client().keys.disable(k));
  keyCommand(ctx, keys, "enable", "enable a disabled key", (k) => ctx.client().keys.enable(k));
  keyCommand(ctx, keys, "cancel-deletion", "cancel a scheduled deletion (the key comes back disabled)", (k) => ctx.client().keys.cancelDeletion(k));

  keys
    .command("schedule-deletion <key>")
    .description("schedule the key's destruction")
    .option("--days <days>", "days until destruction (default: the key's deletion window)", positiveInteger)
    .action(async (key: string, o: { days?: number }) => {
      const answer = await ctx.client().keys.scheduleDeletion(key, { days: o.days });
      ctx.print(answer, () => keyText(answer));
    });

  keys
    .command("update <key>")
    .description("change a key's name, description, labels, minimum decryption version or rotation schedule")
    .option("-n, --name <name>", "new display name")
    .option("--description <text>", "new description")
    .option("--label <key=value>", "a label (repeatable; replaces the key's labels)", keyValue)
    .option("--min-decryption-version <n>", "versions older than this stop decrypting", positiveInteger)
    .option("--rotation-period <period>", "new rotation period, e.g. 90d ('none' removes it)")
    .option("--keep-decryption-versions <n>", "versions behind the primary that stay decryptable", positiveInteger)
    .action(async (key: string, o: { name?: string; description?: string; label?: Record<string, string>; minDecryptionVersion?: number; rotationPeriod?: string; keepDecryptionVersions?: number }) => {
      const changes: T.UpdateKeyRequest = {
        name: o.name,
        description: o.description,
        labels: o.label,
        min_decryption_version: o.minDecryptionVersion,
        rotation_period: o.rotationPeriod === "none" ? null : o.rotationPeriod,
        keep_decryption_versions: o.keepDecryptionVersions,
      };
      const answer = await ctx.client().keys.update(key, changes);
      ctx.print(answer, () => keyText(answer));
    });

  const versions = keys.command("versions").description("control one version of a key");
  const versionCommand = (name: string, summary: string, call: (key: string, version: number) => Promise<T.Key>) =>
    versions
      .command(name)
      .description(summary)
      .argument("<key>", "an id or alias:NAME")
      .argument("<version>", "the version number", positiveInteger)
      .action(async (key: string, version: number) => {
        const answer = await call(key, version);
        ctx.print(answer, () => keyText(answer));
      });
  versionCommand("disable", "disable one version", (k, v) => ctx.client().keys.versions.disable(k, v));
  versionCommand("enable", "enable a disabled version", (k, v) => ctx.client().keys.versions.enable(k, v));
  versionCommand("cancel-destruction", "cancel a version's scheduled destruction", (k, v) => ctx.client().keys.versions.cancelDestruction(k, v));
  versions
    .command("schedule-destruction")
    .description("schedule one version's destruction")
    .argument("<key>", "an id or alias:NAME")
    .argument("<version>", "the version number", positiveInteger)
    .option("--days <days>", "days until destruction (default: the key's deletion window)", positiveInteger)
    .action(async (key: string, version: number, o: { days?: number }) => {
      const answer = await ctx.client().keys.versions.scheduleDestruction(key, version, { days: o.days });
      ctx.print(answer, () => keyText(answer));
    });
  return keys;
}
