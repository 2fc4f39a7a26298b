/**
 * Public key formats (architecture §7, served by GET /v1/keys/{key}/public-key):
 * - raw: the algorithm's own encoding (FIPS 203 ek, FIPS 204 pk, FIPS 205 PK.seed‖PK.root, X-Wing
 *   pk_M‖pk_X, composite mldsaPK‖tradPK);
 * - spki: DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) with parameters ABSENT and the raw public key
 *   as the BIT STRING's contents, under the OID of RFC 9935 (ML-KEM), RFC 9881 (ML-DSA), RFC 9909
 *   (SLH-DSA), draft-connolly-cfrg-xwing-kem-10 §5.8 (X-Wing) or draft-ietf-lamps-pq-composite-sigs-19
 *   §5.1/§6 (composite), each of which specifies exactly this structure;
 * - pem: RFC 7468 §13 "PUBLIC KEY", base64 lines of 64 characters;
 * - jwk: { kty: "AKP", alg, pub, kid } (draft-ietf-cose-dilithium / draft-ietf-cose-sphincs-plus
 *   "AKP" key type), where kid is the RFC 7638 thumbprint: base64url(SHA-256(UTF-8 of
 *   {"alg":…,"kty":"AKP","pub":…})), the required members in lexicographic order, no whitespace.
 *   Only for algorithms a specification gives a JWK: ML-KEM, ML-DSA, SLH-DSA. X-Wing and the
 *   composite have none, and symmetric keys have no public key at all; asking for those throws
 *   `UnsupportedPublicKeyFormatError` (or, from `publicKeyFormatResult`, returns
 *   `unsupported_operation`), which the API answers with 400.
 *
 * The DER here is one fixed structure, written by hand (encoding only, no crypto); DER is canonical,
 * so `decodeSpki` accepts exactly the bytes `encodeSpki` produces.
 *
 * Trust boundary: none; public data. `decodeSpki` takes untrusted bytes and never throws.
 */
import { fail, failBecause, ok, type Result } from "../../../shared/errors.ts";
import { ALGORITHM_NAMES, ALGORITHMS, hasPublicKey, isAlgorithmName, type AlgorithmName, type AsymmetricAlgorithmName } from "./algorithms.ts";
import { concatBytes, toBase64, toBase64Url, utf8 } from "./bytes.ts";
import { assertLength, CryptoInputError } from "./errors.ts";

export type PublicKeyFormat = "raw" | "spki" | "pem" | "jwk";
export const PUBLIC_KEY_FORMATS: readonly PublicKeyFormat[] = Object.freeze(["raw", "spki", "pem", "jwk"]);

/**
 * The algorithm has no public key (AEADs), or no specification defines this format for it.
 * Not a `CryptoInputError`: the request is well-formed, the key just cannot answer it
 * (architecture §6 "Wrong key type for an operation: 400 unsupported_operation").
 */
export class UnsupportedPublicKeyFormatError extends Error {
  readonly code = "unsupported_operation";
  readonly algorithm: AlgorithmName;
  readonly format: PublicKeyFormat;

  constructor(algorithm: AlgorithmName, format: PublicKeyFormat, message: string) {
    super(message);
    this.name = "UnsupportedPublicKeyFormatError";
    this.algorithm = algorithm;
    this.format = format;
  }
}

/** The formats `formatPublicKey` serves for an algorithm; empty for symmetric keys. */
export function publicKeyFormats(algorithm: AlgorithmName): readonly PublicKeyFormat[] {
  const spec = isAlgorithmName(algorithm) ? ALGORITHMS[algorithm] : undefined;
  if (spec === undefined || !hasPublicKey(spec)) return [];
  return PUBLIC_KEY_FORMATS.filter((format) => format !== "jwk" || spec.jwkAlg !== null);
}

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
function spkiPrefix(name: AsymmetricAlgorithmName): Uint8Array {
  const spec = ALGORITHMS[name];
  // Parameters ABSENT: RFC 9935 §3, RFC 9881 §2, RFC 9909 §3, X-Wing §5.8.1, composite §5.3.
  const algorithmIdentifier = derTlv(0x30, derOid(spec.spkiOid));
  const bitStringLength = derLength(spec.publicKeyLength + 1);
  const bitStringHeader = concatBytes(Uint8Array.of(0x03), bitStringLength, Uint8Array.of(0x00)); // 0 unused bits
  const total = algorithmIdentifier.length + bitStringHeader.length + spec.publicKeyLength;
  return concatBytes(Uint8Array.of(0x30), derLength(total), algorithmIdentifier, bitStringHeader);
}

const ASYMMETRIC_NAMES = ALGORITHM_NAMES.filter((name): name is AsymmetricAlgorithmName => hasPublicKey(ALGORITHMS[name]));
const SPKI_PREFIXES: ReadonlyMap<AsymmetricAlgorithmName, Uint8Array> = new Map(ASYMMETRIC_NAMES.map((name) => [name, spkiPrefix(name)]));

/** Checks the algorithm has a public key in `format` and `publicKey` has its length. */
function checkPublicKey(operation: string, algorithm: AlgorithmName, publicKey: Uint8Array, format: PublicKeyFormat): asserts algorithm is AsymmetricAlgorithmName {
  if (!isAlgorithmName(algorithm)) throw new CryptoInputError(operation, `unknown algorithm: ${String(algorithm)}`);
  const spec = ALGORITHMS[algorithm];
  if (!hasPublicKey(spec)) throw new UnsupportedPublicKeyFormatError(algorithm, format, `${algorithm} keys are symmetric: there is no public key`);
  if (format === "jwk" && spec.jwkAlg === null) throw new UnsupportedPublicKeyFormatError(algorithm, format, `no standard JWK for ${algorithm}`);
  assertLength(operation, "public key", publicKey, spec.publicKeyLength);
}

/** DER SubjectPublicKeyInfo. */
export function encodeSpki(algorithm: AlgorithmName, publicKey: Uint8Array): Uint8Array {
  checkPublicKey("encode spki", algorithm, publicKey, "spki");
  const prefix = SPKI_PREFIXES.get(algorithm);
  if (prefix === undefined) throw new UnsupportedPublicKeyFormatError(algorithm, "spki", `no standard SPKI for ${algorithm}`);
  return concatBytes(prefix, publicKey);
}

/** Recognises an SPKI for one of the catalog's algorithms; anything else is rejected. */
export function decodeSpki(der: Uint8Array): Result<{ algorithm: AsymmetricAlgorithmName; publicKey: Uint8Array }, "unrecognised_spki"> {
  if (!(der instanceof Uint8Array)) return failBecause("invalid_request", "unrecognised_spki");
  for (const [algorithm, prefix] of SPKI_PREFIXES) {
    if (der.length !== prefix.length + ALGORITHMS[algorithm].publicKeyLength) continue;
    if (prefix.every((byte, i) => der[i] === byte)) return ok({ algorithm, publicKey: der.slice(prefix.length) });
  }
  return failBecause("invalid_request", "unrecognised_spki");
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
  checkPublicKey("encode jwk", algorithm, publicKey, "jwk");
  const alg = ALGORITHMS[algorithm].jwkAlg;
  if (alg === null) throw new UnsupportedPublicKeyFormatError(algorithm, "jwk", `no standard JWK for ${algorithm}`);
  const pub = toBase64Url(publicKey);
  return { kty: "AKP", alg, pub, kid: await akpThumbprint(alg, pub) };
}

/**
 * The `public_key` field of the API response (architecture §5): base64 for raw and spki, the PEM text for
 * pem, the JWK object for jwk. Throws `UnsupportedPublicKeyFormatError` where the algorithm has no
 * such format (see the module comment), `CryptoInputError` for a wrong length or unknown format.
 */
export async function formatPublicKey(algorithm: AlgorithmName, publicKey: Uint8Array, format: PublicKeyFormat): Promise<string | AkpPublicJwk> {
  switch (format) {
    case "raw":
      checkPublicKey("format public key", algorithm, publicKey, "raw");
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

/**
 * `formatPublicKey` with the expected refusal as a value: `unsupported_operation` (with a detail
 * such as "no standard JWK for X-Wing") where the algorithm has no such format. Input errors
 * (wrong length, unknown format) still throw: they are the caller's bugs, not tenant requests.
 */
export async function publicKeyFormatResult(algorithm: AlgorithmName, publicKey: Uint8Array, format: PublicKeyFormat): Promise<Result<string | AkpPublicJwk>> {
  try {
    return ok(await formatPublicKey(algorithm, publicKey, format));
  } catch (error) {
    if (error instanceof UnsupportedPublicKeyFormatError) return fail("unsupported_operation", error.message);
    throw error;
  }
}
