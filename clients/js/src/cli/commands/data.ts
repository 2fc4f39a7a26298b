/**
 * `pqkms encrypt|decrypt|seal|rewrap`: data of any size, from a file or stdin, to a file or stdout.
 *
 * Up to STREAM_THRESHOLD bytes (the API's largest plaintext, 256 KiB) the data becomes one service
 * envelope (architecture §7), made by `POST /v1/keys/{key}/encrypt` or, for `seal`, offline with the
 * public key. Anything larger becomes the stream format (docs/stream-format.md): a fresh data key
 * from `POST /v1/keys/{key}/datakey` (or sealed offline to the public key), then 64 KiB chunks, so
 * memory stays flat whatever the size. `decrypt` tells the two apart by their first bytes ("PQKS"
 * for a stream, "PQK" 0x01 for an envelope) and needs one API call either way.
 */
import { Option, type Command } from "commander";
import { toBase64 } from "../../../../../workers/shared/base64.ts";
import type { Pqkms } from "../../client/pqkms.ts";
import { parsePublicKey, seal } from "../../offline/index.ts";
import { decryptStream, encryptStream, type GenerateDataKey, type WrapDataKey } from "../../stream/index.ts";
import { positiveInteger, utf8 } from "../args.ts";
import type { Context } from "../context.ts";
import { CliError } from "../errors.ts";
import { checkTerminal, counting, decodeBase64Text, openInput, peek, readPublicKeyFile, writeOutput, type Input } from "../io.ts";
import { json } from "../output.ts";
import { bytesProgress } from "../progress.ts";

/** Inputs larger than this (the API's 262144-byte plaintext limit) are encrypted as a stream. */
export const STREAM_THRESHOLD = 256 * 1024;
/** An envelope of the largest plaintext, with room for any header and KEM ciphertext. */
const MAX_ENVELOPE = STREAM_THRESHOLD + 16 * 1024;

const STREAM_MAGIC = [0x50, 0x51, 0x4b, 0x53]; // "PQKS"
const ENVELOPE_MAGIC = [0x50, 0x51, 0x4b, 0x01]; // "PQK" 0x01

interface DataFlags {
  in?: string;
  out?: string;
  aad?: string;
  base64?: boolean;
}

const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((byte, i) => bytes[i] === byte);

function withDataFlags(command: Command): Command {
  return command
    .option("-i, --in <file>", "read from this file ('-' or absent: stdin)")
    .option("-o, --out <file>", "write to this file, whole or not at all ('-' or absent: stdout)")
    .option("--aad <text>", "additional authenticated data (UTF-8); decrypt needs the same")
    .option("--base64", "envelopes as base64 text instead of binary (not for streams)");
}

/** Writes an envelope: binary, base64 text, or (--json) the answer's JSON. */
async function writeEnvelope(ctx: Context, flags: DataFlags, envelope: Uint8Array, answer: Record<string, unknown>): Promise<void> {
  if (ctx.json) return writeOutput(ctx.io, flags.out, json(answer));
  if (flags.base64) return writeOutput(ctx.io, flags.out, `${toBase64(envelope)}\n`);
  return writeOutput(ctx.io, flags.out, envelope, { binary: true });
}

/** Encrypts a large input as a stream to --out or stdout, with a progress bar on a terminal. */
async function writeStream(ctx: Context, flags: DataFlags, input: Input, plaintext: ReadableStream<Uint8Array>, wrap: { wrapDataKey: WrapDataKey } | { generateDataKey: GenerateDataKey }, label: string) {
  if (flags.base64) throw new CliError(`--base64 is for envelopes; inputs over ${STREAM_THRESHOLD} bytes are encrypted as a binary stream`);
  if (ctx.json && (flags.out === undefined || flags.out === "-")) throw new CliError("--json with a stream needs --out FILE (stdout carries the JSON summary)");
  checkTerminal(ctx.io, flags.out, { binary: true });
  const progress = bytesProgress(ctx.io, ctx.quiet, label, input.size);
  let bytesIn = 0;
  const counted = counting(plaintext, (n) => progress.update((bytesIn = n)));
  try {
    await writeOutput(ctx.io, flags.out, encryptStream(counted, { aad: utf8(flags.aad), ...wrap }), { binary: true });
  } finally {
    progress.stop();
  }
  if (ctx.json) ctx.io.stdout.write(json({ format: "stream", bytes_in: bytesIn, out: flags.out }));
}

function dataKeyFromService(client: Pqkms, key: string): GenerateDataKey {
  return async (aad) => {
    const answer = await client.keys.generateDataKey(key, { plaintext: true, aad });
    if (answer.plaintext === undefined) throw new CliError("the gateway returned no plaintext data key", { code: "invalid_response", exit: 7 });
    return { dataKey: answer.plaintext, wrappedKey: answer.ciphertext };
  };
}

export function registerData(program: Command, ctx: Context): void {
  withDataFlags(
    program
      .command("encrypt")
      .description(`encrypt a file or stdin with a key: one envelope up to ${STREAM_THRESHOLD} bytes, the stream format above`)
      .requiredOption("-k, --key <key>", "an encryption key: id or alias:NAME"),
  ).action(async (flags: DataFlags & { key: string }) => {
    const client = ctx.client();
    checkTerminal(ctx.io, flags.out, { binary: !ctx.json && !flags.base64 });
    const input = openInput(ctx.io, flags.in);
    const peeked = await peek(input, STREAM_THRESHOLD);
    if (peeked.small) {
      const answer = await client.keys.encrypt(flags.key, peeked.bytes, { aad: utf8(flags.aad) });
      return writeEnvelope(ctx, flags, answer.ciphertext, answer);
    }
    await writeStream(ctx, flags, input, peeked.stream, { generateDataKey: dataKeyFromService(client, flags.key) }, "encrypting");
  });

  withDataFlags(
    program
      .command("seal")
      .description("encrypt offline to a public key (PEM, SPKI DER, JWK, or `pqkms public-key --json` output); the service's decrypt opens it")
      .requiredOption("-p, --public-key <file>", "the key's public key")
      .option("--key-id <id>", "the key's id, when the file does not carry it (PEM, SPKI, JWK)")
      .addOption(new Option("--key-version <n>", "the key version, when the file does not carry it").argParser(positiveInteger)),
  ).action(async (flags: DataFlags & { publicKey: string; keyId?: string; keyVersion?: number }) => {
    const publicKey = parsePublicKey(await readPublicKeyFile(ctx.io, flags.publicKey), { keyId: flags.keyId, version: flags.keyVersion });
    const sealTo: WrapDataKey = (plaintext, aad) => seal(publicKey, plaintext, { aad });
    checkTerminal(ctx.io, flags.out, { binary: !ctx.json && !flags.base64 });
    const input = openInput(ctx.io, flags.in);
    const peeked = await peek(input, STREAM_THRESHOLD);
    if (peeked.small) {
      const envelope = await sealTo(peeked.bytes, utf8(flags.aad) ?? new Uint8Array(0));
      return writeEnvelope(ctx, flags, envelope, { key_id: publicKey.keyId, key_version: publicKey.version, ciphertext: envelope });
    }
    await writeStream(ctx, flags, input, peeked.stream, { wrapDataKey: sealTo }, "sealing");
  });

  withDataFlags(
    program
      .command("decrypt")
      .description("decrypt an envelope or a stream (told apart by their first bytes)")
      .option("-k, --key <key>", "the key (id or alias:NAME); absent: the one the envelope names"),
  ).action(async (flags: DataFlags & { key?: string }) => {
    const client = ctx.client();
    const aad = utf8(flags.aad);
    const open = (envelope: Uint8Array, aad: Uint8Array | undefined) =>
      flags.key === undefined ? client.envelopes.decrypt(envelope, { aad }) : client.keys.decrypt(flags.key, envelope, { aad });
    const input = openInput(ctx.io, flags.in);
    const peeked = await peek(input, MAX_ENVELOPE);
    const head = peeked.small ? peeked.bytes : peeked.head;

    if (startsWith(head, STREAM_MAGIC)) {
      if (flags.base64 || ctx.json) throw new CliError("a stream decrypts to binary: drop --base64 and --json");
      const ciphertext = peeked.small ? new Blob([peeked.bytes as Uint8Array<ArrayBuffer>]).stream() : peeked.stream;
      const progress = bytesProgress(ctx.io, ctx.quiet, "decrypting", input.size);
      const counted = counting(ciphertext, (n) => progress.update(n));
      const unwrapDataKey = async (wrapped: Uint8Array, dataKeyAad: Uint8Array) => (await open(wrapped, dataKeyAad)).plaintext;
      try {
        // Plaintext files are private to their owner (mode 600), and appear only once every chunk authenticated.
        await writeOutput(ctx.io, flags.out, decryptStream(counted, { unwrapDataKey, aad }), { mode: 0o600 });
      } finally {
        progress.stop();
      }
      return;
    }

    if (!peeked.small) {
      await peeked.stream.cancel();
      throw new CliError(`not a pqkms stream, and too large for an envelope (over ${MAX_ENVELOPE} bytes)`, { code: "unknown_format", exit: 1 });
    }
    const envelope = flags.base64 ? decodeBase64Text(peeked.bytes, input.name) : peeked.bytes;
    if (!startsWith(envelope, ENVELOPE_MAGIC)) throw new CliError(`${input.name} is neither a pqkms envelope nor a pqkms stream`, { code: "unknown_format", exit: 1 });
    const answer = await open(envelope, aad);
    if (ctx.json) return writeOutput(ctx.io, flags.out, json(answer));
    await writeOutput(ctx.io, flags.out, answer.plaintext, { mode: 0o600 });
  });

  withDataFlags(
    program
      .command("rewrap")
      .description("re-encrypt an envelope under its key's primary version (after a rotation), without the plaintext leaving the service")
      .option("-k, --key <key>", "the key (id or alias:NAME); absent: the one the envelope names"),
  ).action(async (flags: DataFlags & { key?: string }) => {
    const client = ctx.client();
    const input = openInput(ctx.io, flags.in);
    const peeked = await peek(input, MAX_ENVELOPE);
    if (!peeked.small || startsWith(peeked.bytes, STREAM_MAGIC)) {
      if (!peeked.small) await peeked.stream.cancel();
      throw new CliError("rewrap takes an envelope; a stream's data key is bound into its header: decrypt and encrypt it again", { code: "unknown_format", exit: 1 });
    }
    const envelope = flags.base64 ? decodeBase64Text(peeked.bytes, input.name) : peeked.bytes;
    const aad = utf8(flags.aad);
    const answer = flags.key === undefined ? await client.envelopes.rewrap(envelope, { aad }) : await client.keys.rewrap(flags.key, envelope, { aad });
    await writeEnvelope(ctx, flags, answer.ciphertext, answer);
  });
}
