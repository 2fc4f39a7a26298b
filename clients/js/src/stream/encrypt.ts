/**
 * Stream encryption (docs/stream-format.md): a fresh 256-bit data key per stream, wrapped by the
 * caller's KMS path, then the plaintext in fixed-size AES-256-GCM chunks under STREAM nonces.
 *
 * Trust boundary: the caller's process. The data key lives only in this module's closure while the
 * header is built: it is wiped as soon as the stream key is derived; the stream key is a
 * non-extractable CryptoKey.
 */
import { systemRandom, type RandomSource } from "../../../../workers/kms/src/crypto/bytes.ts";
import { ChunkReader } from "./chunk-reader.ts";
import {
  checkChunkSize,
  chunkNonce,
  concatBytes,
  DATA_KEY_LENGTH,
  dataKeyAad,
  DEFAULT_CHUNK_SIZE,
  deriveStreamKeys,
  encodeHeaderBody,
  MAX_CHUNKS,
  MAX_WRAPPED_KEY_LENGTH,
  NONCE_PREFIX_LENGTH,
  SALT_LENGTH,
} from "./format.ts";
import { checkConcurrency, DEFAULT_CONCURRENCY, windowedStream } from "./window.ts";

/**
 * Wraps a data key this library generated: e.g. offline `seal(publicKey, dataKey, { aad })`, or the
 * client's `encrypt(key, dataKey, { aad })`. Must seal with exactly the `aad` given (the format's
 * label ‖ the caller's aad) and return the service's envelope bytes.
 */
export type WrapDataKey = (dataKey: Uint8Array, aad: Uint8Array) => Promise<Uint8Array>;
/**
 * Or lets the service make the key: `POST /v1/keys/{key}/datakey {plaintext: true, aad}` gives both
 * the 32-byte key and its envelope.
 */
export type GenerateDataKey = (aad: Uint8Array) => Promise<{ dataKey: Uint8Array; wrappedKey: Uint8Array }>;

interface CommonEncryptOptions {
  /** Associated data bound to the whole stream and to its wrapped key; decryption needs the same. */
  aad?: Uint8Array;
  /** Plaintext bytes per chunk (default 64 KiB, 16 B..16 MiB). */
  chunkSize?: number;
  /** Chunks encrypted at once (default 4): throughput on several cores against memory. */
  concurrency?: number;
  /** For test vectors only: the source of the data key, salt and nonce prefix. */
  random?: RandomSource;
}

export type StreamEncryptOptions = CommonEncryptOptions &
  ({ wrapDataKey: WrapDataKey; generateDataKey?: never } | { generateDataKey: GenerateDataKey; wrapDataKey?: never });

async function newDataKey(options: StreamEncryptOptions, wrapAad: Uint8Array, random: RandomSource) {
  if (typeof options.wrapDataKey === "function") {
    const dataKey = random(DATA_KEY_LENGTH);
    // The callback gets its own copy, wiped once it has answered: it has no reason to keep the key.
    const lent = dataKey.slice();
    try {
      return { dataKey, wrappedKey: await options.wrapDataKey(lent, wrapAad.slice()) };
    } catch (error) {
      dataKey.fill(0);
      throw error;
    } finally {
      lent.fill(0);
    }
  }
  if (typeof options.generateDataKey === "function") return options.generateDataKey(wrapAad.slice());
  throw new TypeError("stream encrypt: give wrapDataKey or generateDataKey");
}

/**
 * Encrypts `plaintext` into the stream format: the header, then one AES-256-GCM chunk per
 * `chunkSize` plaintext bytes, the last one always shorter than a full chunk (empty when the
 * plaintext is a whole number of chunks, or empty itself). Pull-driven: reads the plaintext only as
 * fast as the result is consumed.
 */
export function encryptStream(plaintext: ReadableStream<Uint8Array>, options: StreamEncryptOptions): ReadableStream<Uint8Array> {
  const chunkSize = checkChunkSize(options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const concurrency = checkConcurrency("stream encrypt", options.concurrency ?? DEFAULT_CONCURRENCY);
  const aad = concatBytes(options.aad ?? new Uint8Array(0));
  const random = options.random ?? systemRandom;
  if (typeof options.wrapDataKey !== "function" && typeof options.generateDataKey !== "function") {
    throw new TypeError("stream encrypt: give wrapDataKey or generateDataKey");
  }
  const reader = new ChunkReader(plaintext);
  let key: CryptoKey | null = null;
  let noncePrefix = new Uint8Array(0);
  let index = 0;
  let finished = false;

  async function header(): Promise<Uint8Array> {
    const { dataKey, wrappedKey } = await newDataKey(options, dataKeyAad(aad), random);
    try {
      if (!(dataKey instanceof Uint8Array) || dataKey.length !== DATA_KEY_LENGTH) throw new RangeError(`stream encrypt: the data key must be ${DATA_KEY_LENGTH} bytes`);
      if (!(wrappedKey instanceof Uint8Array) || wrappedKey.length < 1 || wrappedKey.length > MAX_WRAPPED_KEY_LENGTH) {
        throw new RangeError(`stream encrypt: the wrapped data key must be 1..${MAX_WRAPPED_KEY_LENGTH} bytes`);
      }
      const salt = random(SALT_LENGTH);
      noncePrefix = random(NONCE_PREFIX_LENGTH);
      if (salt.length !== SALT_LENGTH || noncePrefix.length !== NONCE_PREFIX_LENGTH) throw new RangeError("stream encrypt: random source returned the wrong length");
      const body = encodeHeaderBody({ chunkSize, salt, noncePrefix, wrappedKey });
      const keys = await deriveStreamKeys(dataKey, salt, body, aad);
      key = keys.key;
      return concatBytes(body, keys.commitment);
    } finally {
      dataKey.fill(0);
    }
  }

  async function next(): Promise<{ job: Promise<Uint8Array> } | null> {
    if (finished) return null;
    if (key === null) return { job: Promise.resolve(await header()) };
    const piece = await reader.read(chunkSize);
    // A full chunk is never the last: the final chunk is always shorter (docs/stream-format.md).
    const last = piece.length < chunkSize;
    if (index >= MAX_CHUNKS) throw new RangeError("stream encrypt: the plaintext exceeds 2^32 chunks");
    if (last) finished = true;
    const iv = chunkNonce(noncePrefix, index++, last);
    return { job: crypto.subtle.encrypt({ name: "AES-GCM", iv, tagLength: 128 }, key, piece).then((ct) => new Uint8Array(ct)) };
  }

  return windowedStream(next, concurrency, (reason) => reader.cancel(reason));
}
