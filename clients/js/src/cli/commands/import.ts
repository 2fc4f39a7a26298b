/**
 * `pqkms import-jobs …` and `pqkms keys import`: bring a key's material made elsewhere into a key
 * created with `--origin imported` (README "Key import"). The material is sealed here, in this
 * process, to the import job's public key (HPKE, `sealImportMaterial`); only `enc ‖ ct` is sent.
 */
import { Option, type Command } from "commander";
import type * as T from "../../client/types.ts";
import { parsePublicKey, sealImportMaterial } from "../../offline/index.ts";
import type { Context } from "../context.ts";
import { decodeBase64Text, readFileBytes, readPublicKeyFile } from "../io.ts";
import { record, table, type Column } from "../output.ts";
import { keyText } from "./keys.ts";

const WRAPPING = ["ML-KEM-768", "X-Wing"] as const;
/** Larger than any stored secret of the catalog (HMAC-SHA-512: 128 bytes), as bytes or base64. */
const MAX_MATERIAL_FILE = 4096;

const JOB_COLUMNS: Column<T.ImportJob>[] = [
  ["id", (j) => j.id],
  ["wrapping", (j) => j.wrapping_algorithm],
  ["state", (j) => j.state],
  ["created", (j) => j.created_at],
  ["expires", (j) => j.expires_at],
  ["used", (j) => j.used_at],
  ["key id", (j) => j.key_id],
];

function jobText(job: T.ImportJob): string {
  return (
    record([
      ["id", job.id],
      ["wrapping algorithm", job.wrapping_algorithm],
      ["state", job.state],
      ["created", job.created_at],
      ["expires", job.expires_at],
      ["used", job.used_at],
      ["key id", job.key_id],
    ]) + `\n${job.public_key.pem.trimEnd()}\n`
  );
}

export function registerImport(program: Command, keys: Command, ctx: Context): void {
  const jobs = program.command("import-jobs").description("one-use wrapping keys for importing key material");

  jobs
    .command("create")
    .description("make an import job (24 hours, one import); prints its public key")
    .addOption(new Option("--wrapping-algorithm <kem>", "the job's KEM").choices(WRAPPING).default("ML-KEM-768"))
    .action(async (o: { wrappingAlgorithm: (typeof WRAPPING)[number] }) => {
      const job = await ctx.client().importJobs.create({ wrapping_algorithm: o.wrappingAlgorithm });
      ctx.print(job, () => jobText(job));
    });

  jobs
    .command("list")
    .description("list import jobs (every page)")
    .action(async () => {
      const all = await ctx.client().importJobs.list().toArray();
      ctx.print({ import_jobs: all, next_cursor: null }, () => table(all, JOB_COLUMNS));
    });

  jobs
    .command("get <id>")
    .description("one import job and its public key")
    .action(async (id: string) => {
      const job = await ctx.client().importJobs.get(id);
      ctx.print(job, () => jobText(job));
    });

  keys
    .command("import <key>")
    .description("import a key's stored secret (architecture §7 layout) as its next version, sealed here to an import job")
    .requiredOption("-m, --material <file>", "the secret: raw bytes (base64 text with --base64)")
    .option("--import-job <id>", "an active import job of this tenant (default: a new one)")
    .addOption(new Option("--wrapping-algorithm <kem>", "the KEM of the new job").choices(WRAPPING).default("ML-KEM-768"))
    .option("--expected-public-key <file>", "refuse material that does not yield this public key (PEM, SPKI DER, JWK, or the endpoint's JSON)")
    .option("--base64", "the material file is base64 text")
    .action(async (key: string, o: { material: string; importJob?: string; wrappingAlgorithm: (typeof WRAPPING)[number]; expectedPublicKey?: string; base64?: boolean }) => {
      const client = ctx.client();
      let material = await readFileBytes(ctx.io, o.material, MAX_MATERIAL_FILE, "the key material");
      if (o.base64) material = decodeBase64Text(material, o.material);
      const expectedPublicKey = o.expectedPublicKey === undefined ? undefined : parsePublicKey(await readPublicKeyFile(ctx.io, o.expectedPublicKey)).raw;
      try {
        const { algorithm } = await client.keys.get(key);
        const job = o.importJob === undefined ? await client.importJobs.create({ wrapping_algorithm: o.wrappingAlgorithm }) : await client.importJobs.get(o.importJob);
        const wrappedMaterial = await sealImportMaterial(job, { algorithm, material });
        const imported = await client.keys.import(key, { importJobId: job.id, wrappedMaterial, expectedPublicKey });
        ctx.print(imported, () => keyText(imported));
      } finally {
        material.fill(0);
      }
    });
}
