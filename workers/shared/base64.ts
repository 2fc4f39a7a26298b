/**
 * Base64 (RFC 4648 §4) out, base64 or base64url (§5) in. Shared by every Worker: API fields,
 * secrets in configuration, JWK members.
 */
// RFC 4648 §4 (base64) and §5 (base64url).
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const DECODE_TABLE: Int16Array = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) {
    table[B64.charCodeAt(i)] = i;
    table[B64URL.charCodeAt(i)] = i;
  }
  return table;
})();

function encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += alphabet.charAt(n >>> 18) + alphabet.charAt((n >>> 12) & 63) + alphabet.charAt((n >>> 6) & 63) + alphabet.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = ((bytes[i] ?? 0) << 16) | (rest === 2 ? (bytes[i + 1] ?? 0) << 8 : 0);
    out += alphabet.charAt(n >>> 18) + alphabet.charAt((n >>> 12) & 63);
    out += rest === 2 ? alphabet.charAt((n >>> 6) & 63) : "";
    if (pad) out += rest === 2 ? "=" : "==";
  }
  return out;
}

/** Standard base64 with padding (RFC 4648 §4): the form every API response uses (architecture §5). */
export function toBase64(bytes: Uint8Array): string {
  return encode(bytes, B64, true);
}

/** base64url without padding (RFC 4648 §5; RFC 7515 §2 "Base64url Encoding" as JOSE uses it). */
export function toBase64Url(bytes: Uint8Array): string {
  return encode(bytes, B64URL, false);
}

/**
 * Decodes base64 (RFC 4648 §4) or base64url (§5), padded or not. Strict: no whitespace, no mixing
 * of the two alphabets, correct padding when present, and zero trailing bits (§3.5, canonical form),
 * so every byte string has exactly one accepted encoding per alphabet. Returns undefined otherwise.
 */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (typeof text !== "string") return undefined;
  let end = text.length;
  if (end % 4 === 0 && end > 0) {
    if (text.endsWith("==")) end -= 2;
    else if (text.endsWith("=")) end -= 1;
  }
  if (end % 4 === 1) return undefined;
  let standard = false;
  let url = false;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? (DECODE_TABLE[c] ?? -1) : -1;
    if (v < 0) return undefined;
    if (c === 0x2b || c === 0x2f) standard = true;
    if (c === 0x2d || c === 0x5f) url = true;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  if (standard && url) return undefined;
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}
