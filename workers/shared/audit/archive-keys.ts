/**
 * Checks a published list of audit keys (`GET /v1/audit-keys`, architecture §9) before any checkpoint
 * is verified with it: each key is an ML-DSA-65 AKP JWK whose `key_id` is its RFC 7638 thumbprint,
 * and its PEM, when present, holds the same public key. A key id that is its own thumbprint is what
 * lets a verifier pin keys by id alone; a PEM that agrees with the JWK is what lets OpenSSL users
 * (who read the PEM) and JOSE users (who read the JWK) verify against the same key. Pure: Web
 * Crypto's SHA-256 only.
 */
import { fromBase64, toBase64Url } from "../base64.ts";
import { AUDIT_KEY_ALGORITHM, type CheckpointKey } from "./archive-format.ts";

/** A published audit key as the verifier reads it: `AuditKeyView` (rpc.ts) is one. */
export interface PublishedAuditKey extends CheckpointKey {
  public_key: { jwk: Record<string, string>; pem?: string };
}

/** FIPS 204 Table 2: ML-DSA-65 public key length. */
export const ML_DSA_65_PUBLIC_KEY_BYTES = 1952;

/**
 * DER SubjectPublicKeyInfo header of an ML-DSA-65 key (RFC 9881 §4 / draft-ietf-lamps-dilithium-certificates:
 * SEQUENCE { SEQUENCE { OID 2.16.840.1.101.3.4.3.18 }, BIT STRING (1952 bytes) }); the key follows it.
 */
const ML_DSA_65_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x82, 0x07, 0xb2, 0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x12, 0x03, 0x82, 0x07, 0xa1, 0x00,
]);

/** RFC 7638 §3 thumbprint of an AKP JWK: SHA-256 of `{"alg","kty","pub"}` in that order, base64url. */
export async function akpKeyThumbprint(alg: string, pub: string): Promise<string> {
  const canonical = `{"alg":${JSON.stringify(alg)},"kty":"AKP","pub":${JSON.stringify(pub)}}`;
  return toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical))));
}

/** The DER bytes of an RFC 7468 "PUBLIC KEY" PEM, or undefined when it is not one. */
function pemDer(pem: string): Uint8Array | undefined {
  const match = /^-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PUBLIC KEY-----\r?\n?$/.exec(pem);
  return match === null || match[1] === undefined ? undefined : fromBase64(match[1].replace(/[\r\n]/g, ""));
}

function samePublicKey(der: Uint8Array, pub: Uint8Array): boolean {
  if (der.length !== ML_DSA_65_SPKI_PREFIX.length + pub.length) return false;
  return ML_DSA_65_SPKI_PREFIX.every((b, i) => der[i] === b) && pub.every((b, i) => der[ML_DSA_65_SPKI_PREFIX.length + i] === b);
}

/** The first problem with a key list, or null when every key is sound. */
export async function checkAuditKeys(keys: readonly PublishedAuditKey[]): Promise<{ key_id: string; reason: string } | null> {
  const seen = new Set<string>();
  for (const key of keys) {
    const id = typeof key.key_id === "string" ? key.key_id : String(key.key_id);
    const jwk = key.public_key?.jwk;
    if (seen.has(id)) return { key_id: id, reason: "listed twice" };
    seen.add(id);
    if (jwk === undefined || jwk.kty !== "AKP" || jwk.alg !== AUDIT_KEY_ALGORITHM || typeof jwk.pub !== "string") {
      return { key_id: id, reason: `public_key.jwk is not an ${AUDIT_KEY_ALGORITHM} AKP key` };
    }
    const pub = fromBase64(jwk.pub);
    if (pub === undefined || pub.length !== ML_DSA_65_PUBLIC_KEY_BYTES) return { key_id: id, reason: `jwk.pub is not a ${ML_DSA_65_PUBLIC_KEY_BYTES}-byte base64url key` };
    if (id !== (await akpKeyThumbprint(jwk.alg, jwk.pub))) return { key_id: id, reason: "key_id is not the RFC 7638 thumbprint of its JWK" };
    if (jwk.kid !== undefined && jwk.kid !== id) return { key_id: id, reason: "jwk.kid differs from key_id" };
    if (Number.isNaN(Date.parse(key.valid_from)) || (key.valid_until !== null && Number.isNaN(Date.parse(key.valid_until)))) {
      return { key_id: id, reason: "valid_from or valid_until is not a time" };
    }
    if (key.public_key.pem !== undefined) {
      const der = pemDer(key.public_key.pem);
      if (der === undefined || !samePublicKey(der, pub)) return { key_id: id, reason: "its PEM is not the same ML-DSA-65 key as its JWK" };
    }
  }
  return null;
}
