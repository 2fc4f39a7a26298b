/**
 * How the `pqkms` CLI fails: one line on stderr, `pqkms: <message> (code=…, rule=…, request_id=…)`,
 * and an exit code a script can branch on. The codes are documented in `pqkms --help` and the
 * package README; they never change meaning.
 */
import { PqkmsError } from "../client/errors.ts";

/** The CLI's exit codes. */
export const EXIT = {
  /** Done; for verify commands, the signature (or chain) is valid. */
  ok: 0,
  /** A verification answered false, a decryption failed, or any other failure not listed below. */
  failure: 1,
  /** Bad flags or arguments, missing or unsafe configuration, an input file that cannot be used. */
  usage: 2,
  /** The gateway refused the credential or the call (401, 403). */
  auth: 3,
  /** The key, alias, API key or route does not exist (404). */
  notFound: 4,
  /** Still rate limited (429) after the client's retries. */
  rateLimited: 5,
  /** No answer from the gateway (DNS, connection refused or reset, TLS). */
  network: 6,
  /** The gateway failed (5xx) or answered something the API does not document. */
  server: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The text appended to `pqkms --help`. */
export const EXIT_CODES_HELP = `Exit codes:
  0  done; verify: the signature is valid
  1  verify: the signature is not valid; decryption failed; any other failure
  2  usage: bad flags or arguments, missing or unsafe configuration, unusable input file
  3  authentication or authorization refused (401, 403)
  4  not found (404)
  5  rate limited (429) after retries
  6  network: no answer from the gateway
  7  server error (5xx) or an answer the API does not document`;

/** A failure the CLI itself detects (usage, configuration, local input). */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly code: string;
  readonly exit: ExitCode;

  constructor(message: string, options: { code?: string; exit?: ExitCode } = {}) {
    super(message);
    this.code = options.code ?? "usage";
    this.exit = options.exit ?? EXIT.usage;
  }
}

/** The exit code of a gateway or client failure, by HTTP status. */
export function exitCodeOf(error: PqkmsError): ExitCode {
  if (error.status === 0) return error.code === "network_error" ? EXIT.network : EXIT.server;
  if (error.status === 401 || error.status === 403) return EXIT.auth;
  if (error.status === 404) return EXIT.notFound;
  if (error.status === 429) return EXIT.rateLimited;
  if (error.status >= 500 || error.code === "invalid_response") return EXIT.server;
  return EXIT.failure;
}

/** The one stderr line and the exit code for anything a command threw. */
export function describeFailure(error: unknown): { line: string; exit: ExitCode } {
  // A stream whose data key the gateway would not unwrap: the gateway's reason is the one to show.
  if (error instanceof Error && error.name === "StreamDecryptError" && error.cause instanceof PqkmsError) return describeFailure(error.cause);
  if (error instanceof PqkmsError) {
    const facts = [`code=${error.code}`];
    if (error.rule !== undefined) facts.push(`rule=${error.rule}`);
    if (error.requestId !== undefined) facts.push(`request_id=${error.requestId}`);
    return { line: `pqkms: ${oneLine(error.detail)} (${facts.join(", ")})`, exit: exitCodeOf(error) };
  }
  if (error instanceof CliError) return { line: `pqkms: ${oneLine(error.message)} (code=${error.code})`, exit: error.exit };
  // Offline input errors (a public key file of the wrong form) are the caller's input: usage.
  if (error instanceof Error && error.name === "OfflineInputError") {
    const code = (error as Error & { code?: string }).code ?? "invalid_input";
    return { line: `pqkms: ${oneLine(error.message)} (code=${code})`, exit: EXIT.usage };
  }
  if (error instanceof Error && error.name === "StreamDecryptError") {
    const part = (error as Error & { part?: string }).part ?? "stream";
    return { line: `pqkms: ${oneLine(error.message)} (code=stream_${part.replace("-", "_")})`, exit: EXIT.failure };
  }
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : "error";
  return { line: `pqkms: ${oneLine(message)} (code=${code})`, exit: EXIT.failure };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}
