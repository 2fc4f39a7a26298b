/** Base64 (RFC 4648 §4) out, base64 or base64url (§5) in. Decoding is strict: bad input → null. */

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const BASE64_ANY = /^[A-Za-z0-9+/_-]*={0,2}$/;

export function fromBase64(text: string): Uint8Array | null {
  if (!BASE64_ANY.test(text) || (text.includes("=") && text.length % 4 !== 0)) return null;
  if (/[+/]/.test(text) && /[-_]/.test(text)) return null;
  let normal = text.replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, "");
  if (normal.length % 4 === 1) return null;
  normal += "=".repeat((4 - (normal.length % 4)) % 4);
  try {
    const binary = atob(normal);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}
