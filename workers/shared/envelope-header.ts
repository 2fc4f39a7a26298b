/**
 * The fixed start of every ciphertext envelope (architecture §7), shared by the kms Worker, which decodes
 * whole envelopes, and the gateway, which only needs to know which key an envelope names (key-less
 * `POST /v1/decrypt` and `/v1/rewrap`) to check the caller's scope and key restriction on it.
 *
 *   "PQK" 0x01 | type (1) | key id (16, UUID bytes) | key version (u32, big-endian) | …
 *
 * Trust boundary: the bytes come from the tenant. `readEnvelopePrefix` is total (never throws) and
 * checks nothing beyond these 25 bytes: it names a key, it does not vouch for the envelope. The
 * vault decodes and authenticates the rest.
 */
import { failBecause, ok, type Result } from "./errors.ts";

export const ENVELOPE_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x50, 0x51, 0x4b); // "PQK"
export const ENVELOPE_FORMAT_VERSION = 0x01;
/** Bytes before the type-specific part: magic (3) + format version (1) + type (1) + key id (16) + key version (4). */
export const ENVELOPE_PREFIX_LENGTH = 25;

export interface EnvelopePrefix {
  /** The type byte (0x01 HPKE, 0x02 AEAD); not checked here. */
  readonly type: number;
  /** Lower-case 8-4-4-4-12 form. */
  readonly keyId: string;
  readonly keyVersion: number;
}

export type EnvelopePrefixError = "too_short" | "bad_magic" | "unsupported_version";

/** The lower-case 8-4-4-4-12 form of 16 UUID bytes. */
export function uuidFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError("uuidFromBytes: a UUID is 16 bytes");
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Pure: the type, key id and key version an envelope starts with, or why it does not start like one.
 * A refusal is `decrypt_failed`, the opaque code every undecodable envelope gets; `reason` says why.
 */
export function readEnvelopePrefix(bytes: Uint8Array): Result<EnvelopePrefix, EnvelopePrefixError> {
  const refuse = (reason: EnvelopePrefixError) => failBecause("decrypt_failed", reason);
  if (!(bytes instanceof Uint8Array) || bytes.length < ENVELOPE_PREFIX_LENGTH) return refuse("too_short");
  if (bytes[0] !== ENVELOPE_MAGIC[0] || bytes[1] !== ENVELOPE_MAGIC[1] || bytes[2] !== ENVELOPE_MAGIC[2]) return refuse("bad_magic");
  if (bytes[3] !== ENVELOPE_FORMAT_VERSION) return refuse("unsupported_version");
  const keyVersion = (((bytes[21] as number) << 24) | ((bytes[22] as number) << 16) | ((bytes[23] as number) << 8) | (bytes[24] as number)) >>> 0;
  return ok({ type: bytes[4] as number, keyId: uuidFromBytes(bytes.subarray(5, 21)), keyVersion });
}

/** Pure: the key id an envelope names, or null when the bytes do not start like an envelope. */
export function envelopeKeyId(bytes: Uint8Array): string | null {
  const prefix = readEnvelopePrefix(bytes);
  return prefix.ok ? prefix.value.keyId : null;
}
