/**
 * API key tokens (architecture §2): `pqk_` + 43 base62 chars of 32 random bytes + 6 base62 chars of the
 * CRC32 of everything before it. The checksum is not a security control: it lets the gateway turn
 * away typos and garbage before it spends an HMAC and a D1 query. Tokens are stored only as
 * HMAC-SHA-256(pepper, token), compared in constant time.
 */

export const TOKEN_PREFIX = "pqk_";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BODY_LENGTH = 43; // ceil(256 / log2(62))
const CHECKSUM_LENGTH = 6; // 62^6 > 2^32
export const TOKEN_LENGTH = TOKEN_PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH;
export const DISPLAY_PREFIX_LENGTH = 12;

/** Fixed-width base62 of a big-endian unsigned integer. */
function base62(bytes: Uint8Array, width: number): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let out = "";
  for (let i = 0; i < width; i++) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  if (n !== 0n) throw new Error("base62: value does not fit the width");
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC, as zlib), the checksum GitHub-style tokens use. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function checksum(text: string): string {
  const crc = crc32(new TextEncoder().encode(text));
  return base62(new Uint8Array([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff]), CHECKSUM_LENGTH);
}

/** A new token from 32 bytes of randomness (injected so tests can be deterministic). */
export function formatToken(random: Uint8Array): string {
  if (random.length !== 32) throw new Error("formatToken: need 32 random bytes");
  const head = TOKEN_PREFIX + base62(random, BODY_LENGTH);
  return head + checksum(head);
}

const TOKEN_SHAPE = new RegExp(`^${TOKEN_PREFIX}[0-9A-Za-z]{${BODY_LENGTH + CHECKSUM_LENGTH}}$`);

/** True when the token has the right shape and its checksum matches. No secret is involved. */
export function hasValidChecksum(token: string): boolean {
  if (token.length !== TOKEN_LENGTH || !TOKEN_SHAPE.test(token)) return false;
  const head = token.slice(0, TOKEN_LENGTH - CHECKSUM_LENGTH);
  return timingSafeEqualText(checksum(head), token.slice(TOKEN_LENGTH - CHECKSUM_LENGTH));
}

export function displayPrefix(token: string): string {
  return token.slice(0, DISPLAY_PREFIX_LENGTH);
}

/** The imported pepper. Spelled through `importKey` so the module also type-checks under Node's types. */
export type PepperKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** Hex HMAC-SHA-256(pepper, token): the only form in which a token is stored. */
export async function hashToken(pepper: PepperKey, token: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", pepper, new TextEncoder().encode(token));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function importPepper(pepper: Uint8Array): Promise<PepperKey> {
  return crypto.subtle.importKey("raw", pepper, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/**
 * Constant-time comparison of two strings: the time depends only on the length of `b` (the
 * expected value), never on where the first difference is.
 */
export function timingSafeEqualText(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < y.length; i++) diff |= (x[i % Math.max(x.length, 1)] ?? 0) ^ (y[i] as number);
  return diff === 0;
}
