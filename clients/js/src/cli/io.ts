/**
 * The CLI's byte plumbing: inputs from a file or stdin (`-`), looked at just far enough to tell a
 * small input from a large one without holding a large one in memory; outputs to stdout or to a
 * file written aside and renamed into place only when the whole output is complete, so a failure
 * (a stream chunk that does not authenticate, a refused call) never leaves a partial file under the
 * name asked for.
 */
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, renameSync, statSync, unlinkSync } from "node:fs";
import path from "node:path";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fromBase64 } from "../../../../workers/shared/base64.ts";
import { CliError, EXIT } from "./errors.ts";

/** Where the CLI reads and writes: the process's streams, passed in so tests and callers can swap them. */
export interface Io {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  platform: string;
}

/** An opened input: its bytes as they come, and its size when known (a regular file). */
export interface Input {
  name: string;
  size: number | undefined;
  chunks: AsyncIterator<Uint8Array>;
}

/** Opens `--in FILE` (or stdin for `-` or no flag). */
export function openInput(io: Io, file: string | undefined): Input {
  if (file === undefined || file === "-") {
    return { name: "stdin", size: undefined, chunks: (io.stdin as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]() };
  }
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new Error("not a regular file");
    size = stat.size;
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, { code: "input_unreadable" });
  }
  const stream = createReadStream(file);
  return { name: file, size, chunks: (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]() };
}

/** The input in one piece if it has at most `threshold` bytes, else its bytes as a stream (memory stays flat). */
export type Peeked = { small: true; bytes: Uint8Array } | { small: false; head: Uint8Array; stream: ReadableStream<Uint8Array> };

export async function peek(input: Input, threshold: number): Promise<Peeked> {
  const held: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const next = await input.chunks.next();
    if (next.done) return { small: true, bytes: concat(held, total) };
    held.push(next.value);
    total += next.value.length;
    if (total > threshold) break;
  }
  // The bytes read so far, as one piece (the caller looks at the first bytes), then the rest.
  const head = concat(held, total);
  return { small: false, head, stream: resume([head], input.chunks) };
}

/** The whole input, refused past `max` bytes (for envelopes, signatures and keys, never streams). */
export async function readAll(input: Input, max: number, what: string): Promise<Uint8Array> {
  const peeked = await peek(input, max);
  if (!peeked.small) {
    await peeked.stream.cancel();
    throw new CliError(`${what} from ${input.name} is larger than ${max} bytes`, { code: "input_too_large" });
  }
  return peeked.bytes;
}

/** A file's bytes (small files: keys, signatures). */
export function readFileBytes(io: Io, file: string, max: number, what: string): Promise<Uint8Array> {
  return readAll(openInput(io, file), max, what);
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The held chunks, then the rest of the iterator, as a pull-driven web stream. */
function resume(held: Uint8Array[], rest: AsyncIterator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const first = held.shift();
      if (first !== undefined) return controller.enqueue(first);
      const next = await rest.next();
      if (next.done) controller.close();
      else controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
    },
    async cancel(reason) {
      await rest.return?.(reason);
    },
  });
}

/** Counts bytes passing through, for a progress bar. */
export function counting(stream: ReadableStream<Uint8Array>, onBytes: (total: number) => void): ReadableStream<Uint8Array> {
  let total = 0;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.length;
        onBytes(total);
        controller.enqueue(chunk);
      },
    }),
  );
}

export interface OutputOptions {
  /** Permission bits of a new file (default 0o644; plaintext 0o600). */
  mode?: number;
  /** Binary that must not be dumped on a terminal (ciphertext, signatures). */
  binary?: boolean;
}

/** Refuses to write binary on a terminal: it garbles the screen and helps no one. */
export function checkTerminal(io: Io, file: string | undefined, options: OutputOptions): void {
  if (options.binary && (file === undefined || file === "-") && io.stdout.isTTY) {
    throw new CliError("refusing to write binary output to a terminal: use --out FILE, a pipe, or --base64", { code: "binary_to_terminal" });
  }
}

function isSpecialFile(file: string): boolean {
  try {
    return !statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Writes `data` to `--out FILE` or stdout. A file is written to a temporary name beside it and
 * renamed into place after the last byte, so it either appears whole or not at all.
 */
export async function writeOutput(io: Io, file: string | undefined, data: Uint8Array | string | ReadableStream<Uint8Array>, options: OutputOptions = {}): Promise<void> {
  checkTerminal(io, file, options);
  const source = typeof data === "string" || data instanceof Uint8Array ? Readable.from([data]) : Readable.fromWeb(data as import("node:stream/web").ReadableStream<Uint8Array>);
  if (file === undefined || file === "-") {
    await pipeline(source, io.stdout, { end: false });
    return;
  }
  if (isSpecialFile(file)) {
    // A device or a pipe (/dev/null, a FIFO): there is nothing to replace atomically.
    await pipeline(source, createWriteStream(file));
    return;
  }
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await pipeline(source, createWriteStream(temporary, { flags: "wx", mode: options.mode ?? 0o644 }));
    renameSync(temporary, file);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Never created, or already gone: nothing to clean up.
    }
    if ((error as NodeJS.ErrnoException).syscall !== undefined) {
      throw new CliError(`cannot write ${file}: ${(error as Error).message}`, { code: "output_unwritable", exit: EXIT.failure });
    }
    throw error;
  }
}

const MAX_PUBLIC_KEY_FILE = 64 * 1024;

/**
 * A public key file as parsePublicKey takes it: PEM text, a JSON object (a JWK, or the endpoint's
 * answer as `pqkms public-key --json` writes it, whose PEM must not be mistaken for the whole
 * file), else SPKI DER bytes.
 */
export async function readPublicKeyFile(io: Io, file: string): Promise<string | Uint8Array | Record<string, unknown>> {
  const bytes = await readFileBytes(io, file, MAX_PUBLIC_KEY_FILE, "the public key");
  const text = new TextDecoder().decode(bytes).trim();
  if (text.startsWith("{")) {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new CliError(`${file} starts like JSON but is not JSON`, { code: "invalid_input" });
    }
  }
  return text.startsWith("-----BEGIN") ? text : bytes;
}

/** Base64 text read from a file or stdin (line breaks and spaces allowed) as bytes. */
export function decodeBase64Text(bytes: Uint8Array, name: string): Uint8Array {
  const decoded = fromBase64(new TextDecoder().decode(bytes).replace(/\s+/g, ""));
  if (decoded === undefined) throw new CliError(`${name} is not base64`, { code: "invalid_input" });
  return decoded;
}
