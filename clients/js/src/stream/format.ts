/**
 * The pqkms stream format, version 1 (docs/stream-format.md): header layout, key schedule and chunk
 * nonces. Pure: bytes in, bytes out, randomness passed in; the Web Crypto calls are the only I/O.
 *
 * Construction (docs/stream-format.md "Sources"):
 * - payload: STREAM (Hoang, Reyhanitabar, Rogaway, Vizár, CRYPTO 2015, §7) over AES-256-GCM with the
 *   nonce layout of Tink's AES-GCM-HKDF streaming AEAD: nonce = prefix (7) ‖ u32 counter ‖ last flag;
 * - per-stream key: Tink's HKDF step (RFC 5869, salt from the header, the header and caller aad as info);
 * - header authentication and key commitment: the AWS Encryption SDK v2 message format's commitment
 *   value, a second HKDF output stored in the header and checked before any chunk is opened.
 *
 * Trust boundary: `parseHeaderPrefix` reads untrusted bytes, so every length is bounded before any
 * allocation; nothing in a header is trusted until `deriveStreamKey`'s commitment matches.
 */
import { expand, extract } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { concatBytes, constantTimeEqual, readU16be, readU32be, u16be, u32be, utf8 } from "../../../../workers/kms/src/crypto/bytes.ts";

/** "PQKS": tells a stream from a service envelope ("PQK" 0x01, DESIGN §7) at the first bytes. */
export const STREAM_MAGIC = utf8("PQKS");
export const STREAM_VERSION = 0x01;
/** 0x0001: AES-256-GCM chunks, HKDF-SHA-256 key schedule, 32-byte salt, 7-byte nonce prefix. */
export const STREAM_ALGORITHM_AES256GCM_HKDF_SHA256 = 0x0001;

export const SALT_LENGTH = 32;
export const NONCE_PREFIX_LENGTH = 7;
export const COMMITMENT_LENGTH = 32;
export const DATA_KEY_LENGTH = 32;
/** AES-GCM tag, 128 bits (SP 800-38D §5.2.1.2: the full-length tag). */
export const TAG_LENGTH = 16;

/** Plaintext bytes per chunk: 64 KiB by default, between 16 B and 16 MiB. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024;
export const MIN_CHUNK_SIZE = 16;
/** The upper bound keeps a decryptor's memory bounded whatever an untrusted header claims. */
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/** The counter is a u32: chunks 0 .. 2^32 - 1, so a stream holds at most 2^32 * chunkSize - 1 bytes. */
export const MAX_CHUNKS = 2 ** 32;
/** The wrapped-key length is a u16; 0 is refused. */
export const MAX_WRAPPED_KEY_LENGTH = 0xffff;

/** Magic (4) ‖ version (1) ‖ algorithm (2) ‖ chunk size (4) ‖ salt (32) ‖ nonce prefix (7) ‖ wrapped-key length (2). */
export const HEADER_PREFIX_LENGTH = 4 + 1 + 2 + 4 + SALT_LENGTH + NONCE_PREFIX_LENGTH + 2;

/**
 * The aad every wrapped data key is sealed with: this fixed label, then the caller's aad. A key
 * sealed for anything else (another aad, or none) does not open under it, so it cannot be put into a
 * stream header; and a stream's wrapped key opens only with this label, so it is not a plain
 * ciphertext under the KMS key either.
 */
export const DATA_KEY_AAD_LABEL = "pqkms-stream-v1 data key";
const DATA_KEY_AAD_LABEL_BYTES = utf8(DATA_KEY_AAD_LABEL);
const KEY_INFO_LABEL = utf8("pqkms-stream-v1 key");
const COMMIT_INFO_LABEL = utf8("pqkms-stream-v1 commit");

export function dataKeyAad(aad: Uint8Array): Uint8Array<ArrayBuffer> {
  return concatBytes(DATA_KEY_AAD_LABEL_BYTES, aad);
}

export interface HeaderFields {
  chunkSize: number;
  salt: Uint8Array;
  noncePrefix: Uint8Array;
  wrappedKey: Uint8Array;
}

/** Every header byte before the commitment: the part bound into the key schedule. */
export function encodeHeaderBody(fields: HeaderFields): Uint8Array<ArrayBuffer> {
  return concatBytes(
    STREAM_MAGIC,
    Uint8Array.of(STREAM_VERSION),
    u16be(STREAM_ALGORITHM_AES256GCM_HKDF_SHA256),
    u32be(fields.chunkSize),
    fields.salt,
    fields.noncePrefix,
    u16be(fields.wrappedKey.length),
    fields.wrappedKey,
  );
}

export type PrefixParse =
  | { ok: true; chunkSize: number; salt: Uint8Array; noncePrefix: Uint8Array; wrappedKeyLength: number }
  | { ok: false; detail: string };

/** Reads the fixed-length start of a header (HEADER_PREFIX_LENGTH bytes), checking every field. */
export function parseHeaderPrefix(prefix: Uint8Array): PrefixParse {
  if (prefix.length !== HEADER_PREFIX_LENGTH) return { ok: false, detail: "header too short" };
  if (!constantTimeEqual(prefix.subarray(0, 4), STREAM_MAGIC)) return { ok: false, detail: "not a pqkms stream (magic is not PQKS)" };
  if (prefix[4] !== STREAM_VERSION) return { ok: false, detail: `unsupported stream version ${prefix[4]}` };
  const algorithm = readU16be(prefix, 5);
  if (algorithm !== STREAM_ALGORITHM_AES256GCM_HKDF_SHA256) return { ok: false, detail: `unsupported stream algorithm 0x${algorithm.toString(16).padStart(4, "0")}` };
  const chunkSize = readU32be(prefix, 7);
  if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) return { ok: false, detail: `chunk size ${chunkSize} outside ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}` };
  const salt = prefix.slice(11, 11 + SALT_LENGTH);
  const noncePrefix = prefix.slice(11 + SALT_LENGTH, 11 + SALT_LENGTH + NONCE_PREFIX_LENGTH);
  const wrappedKeyLength = readU16be(prefix, HEADER_PREFIX_LENGTH - 2);
  if (wrappedKeyLength === 0) return { ok: false, detail: "empty wrapped data key" };
  return { ok: true, chunkSize, salt, noncePrefix, wrappedKeyLength };
}

/** A checked chunk size for encryption: an integer in MIN_CHUNK_SIZE..MAX_CHUNK_SIZE. */
export function checkChunkSize(chunkSize: number): number {
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    throw new RangeError(`stream encrypt: chunkSize must be an integer in ${MIN_CHUNK_SIZE}..${MAX_CHUNK_SIZE}, got ${chunkSize}`);
  }
  return chunkSize;
}

/**
 * Chunk i's nonce: prefix (7) ‖ u32be(i) ‖ 0x01 for the last chunk, 0x00 otherwise (STREAM's
 * nonce-based encoding, Tink's byte layout). Deterministic and never repeated under one key: the
 * SP 800-38D §8.2.1 construction with the prefix as fixed field and counter ‖ flag as invocation field.
 */
export function chunkNonce(noncePrefix: Uint8Array, index: number, last: boolean): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CHUNKS) throw new RangeError(`stream: chunk index ${index} exceeds the 32-bit counter`);
  const nonce = new Uint8Array(NONCE_PREFIX_LENGTH + 5);
  nonce.set(noncePrefix, 0);
  new DataView(nonce.buffer).setUint32(NONCE_PREFIX_LENGTH, index, false);
  nonce[NONCE_PREFIX_LENGTH + 4] = last ? 1 : 0;
  return nonce;
}

export interface StreamKeys {
  /** The AES-256-GCM key of every chunk, non-extractable. */
  key: CryptoKey;
  /** The 32-byte value stored at the end of the header. */
  commitment: Uint8Array;
}

/**
 * The key schedule (RFC 5869 HKDF-SHA-256, as Tink's streaming AEAD and the AWS Encryption SDK v2):
 *   K = HKDF(IKM = data key, salt, info = "pqkms-stream-v1 key" ‖ header body ‖ aad, 32)
 *   C = HKDF(IKM = data key, salt, info = "pqkms-stream-v1 commit" ‖ header body ‖ aad, 32)
 * Every header byte and the caller's aad reach both, so C authenticates the header (HKDF is a PRF
 * keyed by the data key) and commits to the data key: a header opens under one data key only.
 *
 * HKDF runs in @noble/hashes rather than Web Crypto: RFC 5869 bounds info by nothing, but Node's
 * Web Crypto (OpenSSL's HKDF) refuses info over 1024 bytes, and a header holding a KEM-wrapped data
 * key is longer than that (an ML-KEM-768 envelope alone is 1167 bytes). The output is the same.
 */
export async function deriveStreamKeys(dataKey: Uint8Array, salt: Uint8Array, headerBody: Uint8Array, aad: Uint8Array): Promise<StreamKeys> {
  if (dataKey.length !== DATA_KEY_LENGTH) throw new RangeError(`stream: the data key must be ${DATA_KEY_LENGTH} bytes, got ${dataKey.length}`);
  const prk = extract(sha256, dataKey, salt);
  const raw = expand(sha256, prk, concatBytes(KEY_INFO_LABEL, headerBody, aad), 32);
  try {
    const commitment = expand(sha256, prk, concatBytes(COMMIT_INFO_LABEL, headerBody, aad), 32);
    // noble allocates its output as a plain Uint8Array over an ArrayBuffer: no copy of the key is made.
    const key = await crypto.subtle.importKey("raw", raw as Uint8Array<ArrayBuffer>, "AES-GCM", false, ["encrypt", "decrypt"]);
    return { key, commitment };
  } finally {
    prk.fill(0);
    raw.fill(0);
  }
}

export { concatBytes, constantTimeEqual };
