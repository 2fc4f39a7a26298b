/**
 * What `WebCryptoProvider` needs from the runtime's native Web Crypto, and the once-per-isolate check
 * of what is there (architecture §1). workerd has ML-KEM-768/1024 and ML-DSA-44/65/87 behind the
 * compatibility flag `webcrypto_modern_algorithms` (WICG "Modern Algorithms in the Web Cryptography
 * API": `raw-seed` / `raw-public` key formats, `encapsulateBits` / `decapsulateBits`,
 * `getPublicKey`, ML-DSA `{ context }`); Node 24 has the same through OpenSSL 3.5. X25519, ECDSA
 * P-256 and AES-GCM are in every runtime we run on.
 *
 * Trust boundary: none of its own. The probes use fixed public test seeds, never key material.
 */
import type { AlgorithmName } from "./algorithms.ts";
import { arrayBufferBacked, concatBytes } from "./bytes.ts";

/** A runtime key object; its type is taken from the runtime so Workers and Node typings both fit. */
export type CryptoKey = Awaited<ReturnType<typeof crypto.subtle.generateKey>> extends infer K ? (K extends { privateKey: infer P } ? P : K) : never;
type Bytes = ArrayBuffer | Uint8Array<ArrayBuffer>;
/** RFC 7518 §6.2 EC key, the one JWK form imported here. */
export interface EcJwk {
  readonly kty: "EC";
  readonly crv: "P-256";
  readonly d: string;
  readonly x: string;
  readonly y: string;
}

/** The methods of the modern-algorithms draft, typed narrowly here (the runtime typings lack them). */
export interface ModernSubtle {
  encapsulateBits(algorithm: { name: string }, publicKey: CryptoKey): Promise<{ sharedKey: ArrayBuffer; ciphertext: ArrayBuffer }>;
  decapsulateBits(algorithm: { name: string }, privateKey: CryptoKey, ciphertext: Bytes): Promise<ArrayBuffer>;
  getPublicKey(key: CryptoKey, usages: string[]): Promise<CryptoKey>;
  importKey(format: string, keyData: Bytes | EcJwk, algorithm: string | { name: string; namedCurve?: string }, extractable: boolean, usages: string[]): Promise<CryptoKey>;
  exportKey(format: string, key: CryptoKey): Promise<ArrayBuffer>;
  sign(algorithm: { name: string; context?: Bytes; hash?: string }, key: CryptoKey, data: Bytes): Promise<ArrayBuffer>;
  verify(algorithm: { name: string; context?: Bytes; hash?: string }, key: CryptoKey, signature: Bytes, data: Bytes): Promise<boolean>;
  deriveBits(algorithm: { name: string; public: CryptoKey }, baseKey: CryptoKey, length: number): Promise<ArrayBuffer>;
  generateKey(algorithm: { name: string }, extractable: boolean, usages: string[]): Promise<{ publicKey: CryptoKey; privateKey: CryptoKey }>;
}

export const subtle = (): ModernSubtle => crypto.subtle as unknown as ModernSubtle;

/** The algorithms the native path can run; the rest of the catalog stays with noble. */
export type NativePrimitive = "ML-KEM-512" | "ML-KEM-768" | "ML-KEM-1024" | "ML-DSA-44" | "ML-DSA-65" | "ML-DSA-87" | "X25519" | "ECDSA-P256";

/**
 * Which native primitives each catalog algorithm needs; X-Wing and the composite are native when both
 * their halves are (draft-connolly-cfrg-xwing-kem-10 §5, draft-ietf-lamps-pq-composite-sigs-19 §3).
 */
export const NATIVE_PARTS: { readonly [N in AlgorithmName]: readonly NativePrimitive[] } = {
  "ML-KEM-512": ["ML-KEM-512"],
  "ML-KEM-768": ["ML-KEM-768"],
  "ML-KEM-1024": ["ML-KEM-1024"],
  "X-Wing": ["ML-KEM-768", "X25519"],
  "ML-DSA-44": ["ML-DSA-44"],
  "ML-DSA-65": ["ML-DSA-65"],
  "ML-DSA-87": ["ML-DSA-87"],
  "Composite-ML-DSA-65-P256": ["ML-DSA-65", "ECDSA-P256"],
  // No runtime we run on has these natively: noble (and aead.ts for AES-GCM) serve them.
  "SLH-DSA-SHA2-128s": [],
  "SLH-DSA-SHA2-128f": [],
  "AES-256-GCM": [],
  "ChaCha20-Poly1305": [],
  // HMAC is in every Web Crypto; WebCryptoProvider uses it directly (mac.ts), without a probe.
  "HMAC-SHA-256": [],
  "HMAC-SHA-384": [],
  "HMAC-SHA-512": [],
};

/**
 * A probe per primitive: the smallest real use of it. A runtime without the algorithm (or without
 * the flag) throws NotSupportedError, which reads as "not native". Run rather than asked
 * (`SubtleCrypto.supports` answers per method, and is experimental in Node), so an algorithm counts
 * as native only when a whole round trip works.
 */
async function probe(primitive: NativePrimitive): Promise<boolean> {
  const s = subtle();
  try {
    if (primitive.startsWith("ML-KEM-")) {
      const key = await s.importKey("raw-seed", new Uint8Array(64), { name: primitive }, false, ["decapsulateBits"]);
      const pub = await s.getPublicKey(key, ["encapsulateBits"]);
      const { ciphertext, sharedKey } = await s.encapsulateBits({ name: primitive }, pub);
      const again = await s.decapsulateBits({ name: primitive }, key, ciphertext);
      return new Uint8Array(again).every((byte, i) => byte === new Uint8Array(sharedKey)[i]);
    }
    if (primitive.startsWith("ML-DSA-")) {
      const key = await s.importKey("raw-seed", new Uint8Array(32), { name: primitive }, false, ["sign"]);
      const pub = await s.getPublicKey(key, ["verify"]);
      const message = new Uint8Array(1);
      const signature = await s.sign({ name: primitive, context: message }, key, message);
      return await s.verify({ name: primitive, context: message }, pub, signature, message);
    }
    if (primitive === "X25519") {
      const point = await x25519Base(await x25519PrivateKey(Uint8Array.of(1, ...new Uint8Array(31))));
      return point.length === 32;
    }
    const pair = await s.generateKey({ name: "ECDSA", namedCurve: "P-256" } as { name: string }, false, ["sign", "verify"]);
    const signature = await s.sign({ name: "ECDSA", hash: "SHA-256" }, pair.privateKey, new Uint8Array(1));
    return await s.verify({ name: "ECDSA", hash: "SHA-256" }, pair.publicKey, signature, new Uint8Array(1));
  } catch {
    return false;
  }
}

const PROBES = new Map<NativePrimitive, Promise<boolean>>();

/** Whether the runtime runs `primitive` natively; probed once per isolate, then cached. */
export function nativeSupports(primitive: NativePrimitive): Promise<boolean> {
  let answer = PROBES.get(primitive);
  if (answer === undefined) {
    answer = probe(primitive);
    PROBES.set(primitive, answer);
  }
  return answer;
}

/** Whether every native part of `algorithm` is there (false for algorithms with none). */
export async function nativeAlgorithm(algorithm: AlgorithmName): Promise<boolean> {
  const parts = NATIVE_PARTS[algorithm];
  if (parts.length === 0) return false;
  const answers = await Promise.all(parts.map(nativeSupports));
  return answers.every(Boolean);
}

/** RFC 8410 §7 PKCS #8 prefix for an X25519 private key: OneAsymmetricKey, id-X25519, 32-byte octets. */
const X25519_PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20);

/** A non-extractable X25519 private key from its 32-byte scalar (RFC 7748 §5 clamps on use). */
export function x25519PrivateKey(scalar: Uint8Array): Promise<CryptoKey> {
  const pkcs8 = concatBytes(X25519_PKCS8_PREFIX, scalar);
  return subtle().importKey("pkcs8", pkcs8, { name: "X25519" }, false, ["deriveBits"]).finally(() => pkcs8.fill(0));
}

export function x25519PublicKey(point: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey("raw", arrayBufferBacked(point), { name: "X25519" }, true, []);
}

/** X25519(k, u) (RFC 7748 §5); Web Crypto refuses an all-zero result (low-order u, §6.1). */
export async function x25519(privateKey: CryptoKey, publicKey: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle().deriveBits({ name: "X25519", public: publicKey }, privateKey, 256));
}

/** RFC 7748 §4.1: the base point u = 9. */
const X25519_BASE = Uint8Array.of(9, ...new Uint8Array(31));

/** The public key X25519(k, 9) of a private key, computed natively. */
export async function x25519Base(privateKey: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  return x25519(privateKey, await x25519PublicKey(X25519_BASE));
}

/**
 * FIPS 203 §7.2 modulus check on an ML-KEM encapsulation key: every 12-bit coefficient of the
 * 384·k-byte ByteEncode12 part is below q = 3329, i.e. ByteEncode12(ByteDecode12(ek)) = ek. Done here
 * so the check does not depend on what the runtime's import happens to enforce.
 */
export function mlKemModulusCheck(publicKey: Uint8Array): boolean {
  const polynomialBytes = publicKey.length - 32; // the last 32 bytes are ρ
  for (let i = 0; i + 2 < polynomialBytes; i += 3) {
    const b0 = publicKey[i] ?? 0;
    const b1 = publicKey[i + 1] ?? 0;
    const b2 = publicKey[i + 2] ?? 0;
    if ((b0 | ((b1 & 0x0f) << 8)) >= 3329 || ((b1 >> 4) | (b2 << 4)) >= 3329) return false;
  }
  return true;
}
