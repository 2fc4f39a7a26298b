/**
 * Stream decryption (docs/stream-format.md): parse and bound the header, one unwrap call for the data
 * key, check the header's commitment, then open the chunks in order. A chunk's plaintext is released
 * only after AES-GCM has authenticated it (Web Crypto's decrypt returns nothing on a bad tag), and
 * only after every chunk before it; any failure errors the stream with a StreamDecryptError.
 *
 * Online decryption (STREAM's nOAE notion): the chunks released before a failure are authentic, but
 * the stream as a whole is not until it closes without error. A consumer that writes a file must
 * write it aside and keep it only when the stream closes.
 *
 * Trust boundary: every input byte is untrusted; lengths are bounded before allocation.
 */
import { ChunkReader } from "./chunk-reader.ts";
import { StreamDecryptError } from "./errors.ts";
import {
  chunkNonce,
  COMMITMENT_LENGTH,
  concatBytes,
  constantTimeEqual,
  DATA_KEY_LENGTH,
  dataKeyAad,
  deriveStreamKeys,
  HEADER_PREFIX_LENGTH,
  MAX_CHUNKS,
  parseHeaderPrefix,
  TAG_LENGTH,
} from "./format.ts";
import { checkConcurrency, DEFAULT_CONCURRENCY, windowedStream } from "./window.ts";

/**
 * Opens the wrapped data key, sealed with exactly `aad` (the format's label ‖ the caller's aad): e.g.
 * the client's key-less `decrypt(wrappedKey, { aad })`, which takes the key from the envelope.
 */
export type UnwrapDataKey = (wrappedKey: Uint8Array, aad: Uint8Array) => Promise<Uint8Array>;

export interface StreamDecryptOptions {
  unwrapDataKey: UnwrapDataKey;
  /** The associated data the stream was encrypted with (empty by default). */
  aad?: Uint8Array;
  /** Chunks decrypted at once (default 4). */
  concurrency?: number;
}

interface Opened {
  key: CryptoKey;
  noncePrefix: Uint8Array;
  chunkSize: number;
}

async function openHeader(reader: ChunkReader, unwrapDataKey: UnwrapDataKey, aad: Uint8Array): Promise<Opened> {
  const prefix = await reader.read(HEADER_PREFIX_LENGTH);
  if (prefix.length < HEADER_PREFIX_LENGTH) throw new StreamDecryptError("truncated", "the input ends inside the header");
  const parsed = parseHeaderPrefix(prefix);
  if (!parsed.ok) throw new StreamDecryptError("header", parsed.detail);
  const rest = await reader.read(parsed.wrappedKeyLength + COMMITMENT_LENGTH);
  if (rest.length < parsed.wrappedKeyLength + COMMITMENT_LENGTH) throw new StreamDecryptError("truncated", "the input ends inside the header");
  const wrappedKey = rest.slice(0, parsed.wrappedKeyLength);
  const commitment = rest.subarray(parsed.wrappedKeyLength);

  let dataKey: Uint8Array;
  try {
    dataKey = await unwrapDataKey(wrappedKey.slice(), dataKeyAad(aad));
  } catch (cause) {
    throw new StreamDecryptError("data-key", "the wrapped data key could not be opened", { cause });
  }
  try {
    if (!(dataKey instanceof Uint8Array) || dataKey.length !== DATA_KEY_LENGTH) {
      throw new StreamDecryptError("data-key", `the unwrapped data key is not ${DATA_KEY_LENGTH} bytes`);
    }
    const body = concatBytes(prefix, wrappedKey);
    const keys = await deriveStreamKeys(dataKey, parsed.salt, body, aad);
    // The AWS Encryption SDK v2 order: the commitment is checked before any chunk is opened.
    if (!constantTimeEqual(keys.commitment, commitment)) {
      throw new StreamDecryptError("header", "the header does not authenticate (modified, another aad, or a wrapped key not made for this stream)");
    }
    return { key: keys.key, noncePrefix: parsed.noncePrefix, chunkSize: parsed.chunkSize };
  } finally {
    if (dataKey instanceof Uint8Array) dataKey.fill(0);
  }
}

/** Decrypts a stream made by encryptStream; see the module comment for what an error means. */
export function decryptStream(ciphertext: ReadableStream<Uint8Array>, options: StreamDecryptOptions): ReadableStream<Uint8Array> {
  if (typeof options?.unwrapDataKey !== "function") throw new TypeError("stream decrypt: give unwrapDataKey");
  const concurrency = checkConcurrency("stream decrypt", options.concurrency ?? DEFAULT_CONCURRENCY);
  const aad = concatBytes(options.aad ?? new Uint8Array(0));
  const reader = new ChunkReader(ciphertext);
  let opened: Opened | null = null;
  let index = 0;
  let finished = false;

  async function next(): Promise<{ job: Promise<Uint8Array> } | null> {
    if (finished) return null;
    opened ??= await openHeader(reader, options.unwrapDataKey, aad);
    const { key, noncePrefix, chunkSize } = opened;
    const full = chunkSize + TAG_LENGTH;
    const piece = await reader.read(full);
    const chunk = index;
    if (piece.length === 0) throw new StreamDecryptError("truncated", `the input ends before its final chunk (after ${chunk} chunks)`, { chunk });
    // A full-length chunk is never the last (the encryptor ends every stream with a shorter one).
    const last = piece.length < full;
    if (last) finished = true;
    if (chunk >= MAX_CHUNKS) throw new StreamDecryptError("chunk", "the stream has more than 2^32 chunks", { chunk });
    index++;
    if (piece.length < TAG_LENGTH) throw new StreamDecryptError("chunk", `chunk ${chunk} is shorter than its tag`, { chunk });
    const iv = chunkNonce(noncePrefix, chunk, last);
    const job = crypto.subtle.decrypt({ name: "AES-GCM", iv, tagLength: 128 }, key, piece).then(
      (pt) => new Uint8Array(pt),
      (cause: unknown) => {
        throw new StreamDecryptError("chunk", `chunk ${chunk} does not authenticate (modified, reordered, from another stream, cut, or followed by extra bytes)`, { chunk, cause });
      },
    );
    return { job };
  }

  return windowedStream(next, concurrency, (reason) => reader.cancel(reason));
}
