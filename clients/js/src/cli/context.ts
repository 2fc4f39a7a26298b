/**
 * What every command shares in one run: the process's streams, the global flags, the client (made
 * on first use, so `--help` and offline commands need no configuration) and the one way to print a
 * result: the API's JSON with `--json`, a human rendering otherwise.
 */
import type { Command } from "commander";
import { Pqkms } from "../client/pqkms.ts";
import { configPath, readConfigFile, resolveConfig } from "./config.ts";
import { EXIT, type ExitCode } from "./errors.ts";
import type { Io } from "./io.ts";
import { json } from "./output.ts";

export interface GlobalOptions {
  url?: string;
  profile?: string;
  json?: boolean;
  quiet?: boolean;
}

export class Context {
  readonly io: Io;
  /** The run's exit code when no error is thrown (a verification that answers false sets 1). */
  exitCode: ExitCode = EXIT.ok;
  readonly #program: Command;
  #client: Pqkms | undefined;

  constructor(io: Io, program: Command) {
    this.io = io;
    this.#program = program;
  }

  get options(): GlobalOptions {
    return this.#program.opts<GlobalOptions>();
  }

  get json(): boolean {
    return this.options.json === true;
  }

  get quiet(): boolean {
    return this.options.quiet === true;
  }

  /** The client for the configured gateway and API key (flags > environment > profile). */
  client(): Pqkms {
    if (this.#client === undefined) {
      const { url, profile } = this.options;
      const credentials = resolveConfig({ url, profile }, this.io.env, () => readConfigFile(configPath(this.io.env)), this.io.platform);
      this.#client = new Pqkms(credentials);
    }
    return this.#client;
  }

  /** Prints `value` as JSON with `--json`, else what `human` renders. */
  print(value: unknown, human: () => string): void {
    this.io.stdout.write(this.json ? json(value) : human());
  }

  /** A note for people on stderr (never with --quiet; never part of the output a script reads). */
  note(text: string): void {
    if (!this.quiet) this.io.stderr.write(`${text}\n`);
  }
}
