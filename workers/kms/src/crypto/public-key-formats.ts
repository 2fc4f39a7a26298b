/**
 * Public key formats (DESIGN §7, served by GET /v1/keys/{key}/public-key):
 * - raw: the algorithm's own encoding (FIPS 203 ek, FIPS 204 pk);
 * - spki: DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) with the RFC 9935 (ML-KEM) or RFC 9881
 *   (ML-DSA) OID and parameters ABSENT, the public key as the BIT STRING's contents;
 * - pem: RFC 7468 §13 "PUBLIC KEY", base64 lines of 64 characters;
 * - jwk: { kty: "AKP", alg, pub, kid } (draft-ietf-cose-dilithium "AKP" key type), where kid is the
 *   RFC 7638 thumbprint: base64url(SHA-256(UTF-8 of {"alg":…,"kty":"AKP","pub":…})), the required
 *   members in lexicographic order with no whitespace.
 *
 * The DER here is one fixed structure, written by hand (encoding only, no crypto); DER is canonical,
 * so `decodeSpki` accepts exactly the bytes `encodeSpki` produces.
 *
 * Trust boundary: none; public data. `decodeSpki` takes untrusted bytes and never throws.
 */
import { ALGORITHM_NAMES, ALGORITHMS, isAlgorithmName, type AlgorithmName } from "./algorithms.ts";
import { concatBytes, toBase64, toBase64Url, utf8 } from "./bytes.ts";
import { assertLength, checkFail, checkOk, CryptoInputError, type CheckResult } from "./errors.ts";

export type PublicKeyFormat = "raw" | "spki" | "pem" | "jwk";
export const PUBLIC_KEY_FORMATS: readonly PublicKeyFormat[] = Object.freeze(["raw", "spki", "pem", "jwk"]);

/** An "AKP" (Algorithm Key Pair) public JWK. */
export interface AkpPublicJwk {
  readonly kty: "AKP";
  readonly alg: string;
  /** base64url (no padding) of the raw public key. */
  readonly pub: string;
  /** RFC 7638 thumbprint. */
  readonly kid: string;
}

// X.690 §8.1.3: definite-length encoding, short form below 128, long form otherwise.
function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function derTlv(tag: number, content: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(tag), derLength(content.length), content);
}

// X.690 §8.19: first two arcs as 40·a + b, then each arc base-128, high bit set on all but the last byte.
function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const [a = 0, b = 0, ...rest] = arcs;
  const body: number[] = [];
  for (const arc of [40 * a + b, ...rest]) {
    const chunk = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift((n & 0x7f) | 0x80);
    body.push(...chunk);
  }
  return derTlv(0x06, Uint8Array.from(body));
}

/** Everything in the SPKI before the public key bytes, for one algorithm. */
function spkiPrefix(name: AlgorithmName): Uint8Array {
  const spec = ALGORITHMS[name];
  const algorithmIdentifier = derTlv(0x30, derOid(spec.spkiOid)); // parameters ABSENT (RFC 9935 §3, RFC 9881 §2)
  const bitStringLength = derLength(spec.publicKeyLength + 1);
  const bitStringHeader = concatBytes(Uint8Array.of(0x03), bitStringLength, Uint8Array.of(0x00)); // 0 unused bits
  const total = algorithmIdentifier.length + bitStringHeader.length + spec.publicKeyLength;
  return concatBytes(Uint8Array.of(0x30), derLength(total), algorithmIdentifier, bitStringHeader);
}

const SPKI_PREFIXES: ReadonlyMap<AlgorithmName, Uint8Array> = new Map(ALGORITHM_NAMES.map((name) => [name, spkiPrefix(name)]));

function checkPublicKey(operation: string, algorithm: AlgorithmName, publicKey: Uint8Array): void {
  if (!isAlgorithmName(algorithm)) throw new CryptoInputError(operation, `unknown algorithm: ${String(algorithm)}`);
  assertLength(operation, "public key", publicKey, ALGORITHMS[algorithm].publicKeyLength);
}

/** DER SubjectPublicKeyInfo. */
export function encodeSpki(algorithm: AlgorithmName, publicKey: Uint8Array): Uint8Array {
  checkPublicKey("encode spki", algorithm, publicKey);
  const prefix = SPKI_PREFIXES.get(algorithm);
  if (prefix === undefined) throw new CryptoInputError("encode spki", `no SPKI encoding for ${algorithm}`);
  return concatBytes(prefix, publicKey);
}

/** Recognises an SPKI for one of the catalog's algorithms; anything else is rejected. */
export function decodeSpki(der: Uint8Array): CheckResult<{ algorithm: AlgorithmName; publicKey: Uint8Array }, "unrecognised_spki"> {
  if (!(der instanceof Uint8Array)) return checkFail("unrecognised_spki");
  for (const [algorithm, prefix] of SPKI_PREFIXES) {
    if (der.length !== prefix.length + ALGORITHMS[algorithm].publicKeyLength) continue;
    if (prefix.every((byte, i) => der[i] === byte)) return checkOk({ algorithm, publicKey: der.slice(prefix.length) });
  }
  return checkFail("unrecognised_spki");
}

/** RFC 7468 PEM with the "PUBLIC KEY" label, LF line endings and a final newline. */
export function encodePem(algorithm: AlgorithmName, publicKey: Uint8Array): string {
  const body = toBase64(encodeSpki(algorithm, publicKey));
  const lines: string[] = [];
  for (let i = 0; i < body.length; i += 64) lines.push(body.slice(i, i + 64));
  return `-----BEGIN PUBLIC KEY-----\n${lines.join("\n")}\n-----END PUBLIC KEY-----\n`;
}

/**
 * RFC 7638 §3 JWK thumbprint of an AKP key: the required members alg, kty, pub, in lexicographic
 * order, no whitespace. Their values are base64url text and catalog names, so plain JSON.stringify
 * of each value gives the §3.2 string encoding.
 */
export async function akpThumbprint(alg: string, pub: string): Promise<string> {
  const canonical = `{"alg":${JSON.stringify(alg)},"kty":"AKP","pub":${JSON.stringify(pub)}}`;
  return toBase64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(canonical))));
}

/** The public JWK with its RFC 7638 thumbprint as `kid`. */
export async function encodeJwk(algorithm: AlgorithmName, publicKey: Uint8Array): Promise<AkpPublicJwk> {
  checkPublicKey("encode jwk", algorithm, publicKey);
  const alg = ALGORITHMS[algorithm].jwkAlg;
  const pub = toBase64Url(publicKey);
  return { kty: "AKP", alg, pub, kid: await akpThumbprint(alg, pub) };
}

/**
 * The `public_key` field of the API response (DESIGN §5): base64 for raw and spki, the PEM text for
 * pem, the JWK object for jwk.
 */
export async function formatPublicKey(algorithm: AlgorithmName, publicKey: Uint8Array, format: PublicKeyFormat): Promise<string | AkpPublicJwk> {
  switch (format) {
    case "raw":
      checkPublicKey("format public key", algorithm, publicKey);
      return toBase64(publicKey);
    case "spki":
      return toBase64(encodeSpki(algorithm, publicKey));
    case "pem":
      return encodePem(algorithm, publicKey);
    case "jwk":
      return encodeJwk(algorithm, publicKey);
    default:
      throw new CryptoInputError("format public key", `unknown format: ${String(format)}`);
  }
}
