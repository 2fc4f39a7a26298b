/**
 * Byte helpers for the crypto layer: concatenation, big-endian integers, constant-time comparison,
 * wiping, UTF-8, UUIDs, and RFC 4648 base64 / base64url.
 *
 * Trust boundary: none of its own. The decoders here parse tenant-supplied text (API fields are
 * base64, architecture §5), so they are strict and total: they return `undefined` on any malformed input
 * and never throw.
 */

/** A source of cryptographically secure random bytes; injectable so tests can be deterministic. */
export type RandomSource = (length: number) => Uint8Array<ArrayBuffer>;

/** Web Crypto's CSPRNG (Workers and Node alike). `getRandomValues` fills at most 65536 bytes a call. */
export const systemRandom: RandomSource = (length) => {
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 65536) {
    crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
  }
  return out;
};

/**
 * Runs `use` with `length` fresh bytes from `random` (signature hedging), or with `false` (the
 * libraries' deterministic variant) when `random` is null, and wipes the bytes afterwards.
 */
export function withHedge<T>(random: RandomSource | null, length: number, use: (rnd: Uint8Array | false) => T): T {
  const rnd = random === null ? false : random(length);
  try {
    return use(rnd);
  } finally {
    if (rnd !== false) rnd.fill(0);
  }
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** I2OSP(n, 2) of RFC 8017 §4.1, as used by RFC 9180. */
export function u16be(n: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RangeError("u16be: value out of range");
  return Uint8Array.of(n >>> 8, n & 0xff);
}

/** I2OSP(n, 4). */
export function u32be(n: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError("u32be: value out of range");
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** Reads a big-endian u16 at `offset`; the caller has checked the bounds. */
export function readU16be(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

/** Reads a big-endian u32 at `offset`; the caller has checked the bounds. */
export function readU32be(bytes: Uint8Array, offset: number): number {
  return (((bytes[offset] ?? 0) << 24) | ((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0)) >>> 0;
}

/** Compares two byte strings in time that depends only on their lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Overwrites buffers with zeros (best effort: JS engines may have copied them). */
export function wipe(...buffers: readonly (Uint8Array | undefined)[]): void {
  for (const buffer of buffers) buffer?.fill(0);
}

/**
 * Returns `bytes` typed as backed by an ArrayBuffer, as Web Crypto's `BufferSource` requires,
 * copying only when it is backed by something else.
 */
export function arrayBufferBacked(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : Uint8Array.from(bytes);
}

const textEncoder = new TextEncoder();

export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return arrayBufferBacked(textEncoder.encode(text));
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The 16 bytes of a UUID given in its 8-4-4-4-12 hex form (any case), or undefined. */
export function uuidToBytes(uuid: string): Uint8Array<ArrayBuffer> | undefined {
  if (typeof uuid !== "string" || !UUID_PATTERN.test(uuid)) return undefined;
  const hex = uuid.replaceAll("-", "");
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// The lowercase 8-4-4-4-12 form of 16 UUID bytes: shared with the gateway, which reads the key id
// an envelope names (shared/envelope-header.ts).
export { uuidFromBytes as bytesToUuid } from "../../../shared/envelope-header.ts";

// RFC 4648 base64 lives with the other wire helpers shared by every Worker.
export { fromBase64, toBase64, toBase64Url } from "../../../shared/base64.ts";
