/**
 * The pqkms stream format, version 1 (docs/stream-format.md): header layout, key schedule and chunk
 * nonces. Pure: bytes in, bytes out, randomness passed in; the Web Crypto calls are the only I/O.
 *
 * Construction (docs/stream-format.md "Sources"):
 * - payload: STREAM (Hoang, Reyhanitabar, Rogaway, Vizár, CRYPTO 2015, §7) over AES-256-GCM with the
 *   nonce layout of Tink's AES-GCM-HKDF streaming AEAD: nonce = prefix (7) ‖ u32 counter ‖ last flag;
 * - per-stream key: Tink's HKDF step (RFC 5869, salt from the header), its info binding the header and
 *   the caller's aad through their SHA-256 digest, as TLS 1.3 binds its transcript (RFC 8446 §7.1);
 * - header authentication and key commitment: the AWS Encryption SDK v2 message format's commitment
 *   value, a second HKDF output stored in the header and checked before any chunk is opened.
 *
 * Trust boundary: `parseHeaderPrefix` reads untrusted bytes, so every length is bounded before any
 * allocation; nothing in a header is trusted until `deriveStreamKeys`' commitment matches.
 */
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

/** u64 big-endian: a length prefix wide enough for any aad a caller can hold in memory. */
function u64be(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false);
  return out;
}

/**
 * T = SHA-256(u64(|header body|) ‖ header body ‖ u64(|aad|) ‖ aad): the header and the caller's aad
 * bound into the key schedule at a fixed 32 bytes, as TLS 1.3's Derive-Secret binds its transcript by
 * its hash (RFC 8446 §7.1). Each part is preceded by its length, so the hashed string splits back into
 * (header body, aad) one way only, from the string alone: two different pairs differ as hash inputs,
 * and only a SHA-256 collision gives them the same T (the header body carries its own length too, but
 * a reader should not have to parse it to see that the encoding is injective).
 */
export async function headerBinding(headerBody: Uint8Array, aad: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const input = concatBytes(u64be(headerBody.length), headerBody, u64be(aad.length), aad);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", input));
}

/**
 * The key schedule (RFC 5869 HKDF-SHA-256, as Tink's streaming AEAD and the AWS Encryption SDK v2),
 * with T = headerBinding(header body, aad):
 *   K = HKDF(IKM = data key, salt, info = "pqkms-stream-v1 key" ‖ T, 32)
 *   C = HKDF(IKM = data key, salt, info = "pqkms-stream-v1 commit" ‖ T, 32)
 * Every header byte and the caller's aad reach both through T, so C authenticates the header (HKDF
 * is a PRF keyed by the data key, over a collision-resistant digest of the header) and commits to the
 * data key: a header opens under one data key only. The info strings are 51 and 54 bytes whatever the
 * wrapped key's size, so any RFC 5869 implementation computes them (OpenSSL's, and so Web Crypto in
 * Node, refuses info over 1024 bytes). K is derived straight into a non-extractable CryptoKey: its
 * bytes never exist in JavaScript memory.
 */
export async function deriveStreamKeys(dataKey: Uint8Array, salt: Uint8Array, headerBody: Uint8Array, aad: Uint8Array): Promise<StreamKeys> {
  if (dataKey.length !== DATA_KEY_LENGTH) throw new RangeError(`stream: the data key must be ${DATA_KEY_LENGTH} bytes, got ${dataKey.length}`);
  const binding = await headerBinding(headerBody, aad);
  const ikmBytes = concatBytes(dataKey);
  let ikm: CryptoKey;
  try {
    ikm = await crypto.subtle.importKey("raw", ikmBytes, "HKDF", false, ["deriveKey", "deriveBits"]);
  } finally {
    ikmBytes.fill(0);
  }
  const params = (label: Uint8Array): HkdfParams => ({ name: "HKDF", hash: "SHA-256", salt: concatBytes(salt), info: concatBytes(label, binding) });
  const key = await crypto.subtle.deriveKey(params(KEY_INFO_LABEL), ikm, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  const commitment = new Uint8Array(await crypto.subtle.deriveBits(params(COMMIT_INFO_LABEL), ikm, 8 * COMMITMENT_LENGTH));
  return { key, commitment };
}

export { concatBytes, constantTimeEqual };
