/**
 * `pqkms sign|verify|public-key`: signatures made by the service, checked by the service or offline
 * with only the public key (the kms's own verification, run locally), and public keys in each format.
 */
import { Option, type Command } from "commander";
import { toBase64 } from "../../../../../workers/shared/base64.ts";
import { verify as verifyOffline } from "../../offline/index.ts";
import { positiveInteger, utf8 } from "../args.ts";
import type { Context } from "../context.ts";
import { CliError, EXIT } from "../errors.ts";
import { checkTerminal, decodeBase64Text, openInput, readAll, readFileBytes, readPublicKeyFile, writeOutput } from "../io.ts";
import { json } from "../output.ts";
import { whileWaiting } from "../progress.ts";

/** The largest message the API signs (external μ is the way past it, with the library). */
const MAX_MESSAGE = 256 * 1024;
/** Larger than any signature of the catalog (SLH-DSA-SHA2-128s: 7856 B), as raw bytes or base64. */
const MAX_SIGNATURE_FILE = 64 * 1024;

export function registerSigning(program: Command, ctx: Context): void {
  program
    .command("sign")
    .description(`sign a message (at most ${MAX_MESSAGE} bytes) with a signing key`)
    .requiredOption("-k, --key <key>", "a signing key: id or alias:NAME")
    .option("-i, --in <file>", "the message ('-' or absent: stdin)")
    .option("-o, --out <file>", "the signature ('-' or absent: stdout)")
    .option("--context <text>", "FIPS 204/205 context string (UTF-8, at most 255 bytes); verify needs the same")
    .option("--base64", "the signature as base64 text instead of binary")
    .action(async (flags: { key: string; in?: string; out?: string; context?: string; base64?: boolean }) => {
      const client = ctx.client();
      checkTerminal(ctx.io, flags.out, { binary: !ctx.json && !flags.base64 });
      const message = await readAll(openInput(ctx.io, flags.in), MAX_MESSAGE, "the message");
      // SLH-DSA takes seconds per signature: a bar appears on a terminal if the call is not back soon.
      const answer = await whileWaiting(ctx.io, ctx.quiet, "signing", client.keys.sign(flags.key, message, { context: utf8(flags.context) }));
      if (ctx.json) return writeOutput(ctx.io, flags.out, json(answer));
      if (flags.base64) return writeOutput(ctx.io, flags.out, `${toBase64(answer.signature)}\n`);
      await writeOutput(ctx.io, flags.out, answer.signature, { binary: true });
    });

  program
    .command("verify")
    .description("check a signature, with the service (--key) or offline (--public-key); exit 1 if it is not valid")
    .option("-k, --key <key>", "the signing key: id or alias:NAME (asks the service)")
    .option("-p, --public-key <file>", "its public key (PEM, SPKI DER, JWK, or `pqkms public-key --json` output): no call to the service")
    .requiredOption("-s, --signature <file>", "the signature (binary, or base64 with --base64)")
    .option("-i, --in <file>", "the message ('-' or absent: stdin)")
    .option("--context <text>", "the context string the signer used (UTF-8)")
    .addOption(new Option("--key-version <n>", "with --key: the version that signed (default: the primary)").argParser(positiveInteger))
    .option("--base64", "the signature file is base64 text")
    .action(async (flags: { key?: string; publicKey?: string; signature: string; in?: string; context?: string; keyVersion?: number; base64?: boolean }) => {
      if ((flags.key === undefined) === (flags.publicKey === undefined)) throw new CliError("give --key (the service verifies) or --public-key (offline), one of them");
      let signature = await readFileBytes(ctx.io, flags.signature, MAX_SIGNATURE_FILE, "the signature");
      if (flags.base64) signature = decodeBase64Text(signature, flags.signature);
      const context = utf8(flags.context);
      let verdict: { valid: boolean; key_version?: number };
      if (flags.publicKey !== undefined) {
        const publicKey = await readPublicKeyFile(ctx.io, flags.publicKey);
        const message = await readAll(openInput(ctx.io, flags.in), MAX_MESSAGE, "the message");
        verdict = { valid: await verifyOffline(publicKey, message, signature, { context }) };
      } else {
        const message = await readAll(openInput(ctx.io, flags.in), MAX_MESSAGE, "the message");
        verdict = await ctx.client().keys.verify(flags.key!, message, signature, { context, keyVersion: flags.keyVersion });
      }
      ctx.print(verdict, () => (verdict.valid ? "valid\n" : "invalid\n"));
      if (!verdict.valid) ctx.exitCode = EXIT.failure;
    });

  program
    .command("public-key")
    .description("a key's public key: PEM or JWK text, SPKI DER or raw bytes; --json for the API's answer (with the key id and version seal needs)")
    .requiredOption("-k, --key <key>", "an asymmetric key: id or alias:NAME")
    .addOption(new Option("-f, --format <format>", "the form").choices(["pem", "jwk", "spki", "raw"]).default("pem"))
    .addOption(new Option("--key-version <n>", "the version (default: the primary)").argParser(positiveInteger))
    .option("-o, --out <file>", "write to this file ('-' or absent: stdout)")
    .option("--base64", "spki and raw as base64 text instead of binary")
    .action(async (flags: { key: string; format: "pem" | "jwk" | "spki" | "raw"; keyVersion?: number; out?: string; base64?: boolean }) => {
      const answer = await ctx.client().keys.publicKey(flags.key, { format: flags.format, version: flags.keyVersion });
      const value = answer.public_key;
      if (ctx.json) return writeOutput(ctx.io, flags.out, json(answer));
      if (typeof value === "string") return writeOutput(ctx.io, flags.out, value.endsWith("\n") ? value : `${value}\n`);
      if (value instanceof Uint8Array) {
        if (flags.base64) return writeOutput(ctx.io, flags.out, `${toBase64(value)}\n`);
        return writeOutput(ctx.io, flags.out, value, { binary: true });
      }
      await writeOutput(ctx.io, flags.out, `${JSON.stringify(value, null, 2)}\n`);
    });
}
