/**
 * The `pqkms` command line: commander 14 parses the arguments; each command is a few lines over
 * the typed client (or the offline functions), printing a table or `--json`. Failures become one
 * stderr line and a documented exit code (errors.ts).
 */
import { Command, CommanderError } from "commander";
import { VERSION } from "../client/transport.ts";
import { registerAccess } from "./commands/access.ts";
import { registerAliases } from "./commands/aliases.ts";
import { registerAudit } from "./commands/audit.ts";
import { registerData } from "./commands/data.ts";
import { registerImport } from "./commands/import.ts";
import { registerKeys } from "./commands/keys.ts";
import { registerSigning } from "./commands/signing.ts";
import { Context } from "./context.ts";
import { describeFailure, EXIT, EXIT_CODES_HELP, type ExitCode } from "./errors.ts";
import type { Io } from "./io.ts";

const CONFIG_HELP = `Configuration (flags override the environment, which overrides the profile):
  PQKMS_URL         the gateway, e.g. http://localhost:8787 (or --url)
  PQKMS_API_KEY     the tenant API key (never a flag: command lines are visible in ps)
  PQKMS_PROFILE     the profile to use (or --profile; default: "default" when the file has one)
  PQKMS_CONFIG      the config file (default ~/.config/pqkms/config.json), mode 600:
                    {"profiles": {"default": {"url": "...", "api_key": "..."}}}`;

/** Builds the program for one run. */
export function buildProgram(io: Io): { program: Command; ctx: Context } {
  const program = new Command("pqkms");
  const ctx = new Context(io, program);
  program
    .description("pqkms: post-quantum key management from the command line")
    .version(VERSION, "-V, --version")
    .option("--url <url>", "the gateway URL (overrides PQKMS_URL and the profile)")
    .option("--profile <name>", "a profile of the config file")
    .option("--json", "print the API's JSON (bytes as base64) instead of tables")
    .option("-q, --quiet", "no progress bars or notes on stderr")
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`pqkms: ${text.replace(/^error: /, "").trim().replace(/\s*\n\s*/g, " ")} (code=usage)\n`),
    })
    .addHelpText("after", `\n${CONFIG_HELP}\n\n${EXIT_CODES_HELP}\n`);
  const keys = registerKeys(program, ctx);
  registerData(program, ctx);
  registerSigning(program, ctx);
  registerAliases(program, ctx);
  registerAccess(program, ctx);
  registerAudit(program, ctx);
  registerImport(program, keys, ctx);
  return { program, ctx };
}

/** Runs the CLI on `argv` (the arguments after the program name); resolves with the exit code. */
export async function run(argv: readonly string[], io: Io): Promise<ExitCode> {
  const { program, ctx } = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return ctx.exitCode;
  } catch (error) {
    // Commander has already printed its message (or the help, or the version).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const { line, exit } = describeFailure(error);
    io.stderr.write(`${line}\n`);
    return exit;
  }
}
