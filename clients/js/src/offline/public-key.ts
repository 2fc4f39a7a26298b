/**
 * One parser for every form a pqkms public key travels in (architecture §7, served by
 * GET /v1/keys/{key}/public-key), so `seal` and `verify` need only a public key and no network:
 * - PEM text (RFC 7468 "PUBLIC KEY") and SPKI DER bytes, identified by their algorithm OID
 *   (RFC 9935 ML-KEM, RFC 9881 ML-DSA, RFC 9909 SLH-DSA, draft-connolly-cfrg-xwing-kem-10 §5.8
 *   X-Wing, draft-ietf-lamps-pq-composite-sigs-19 §6 composite), accepted by the kms's own
 *   `decodeSpki`, so exactly the bytes the service emits;
 * - an AKP JWK (object or JSON text) as the service emits it: ML-KEM, ML-DSA and SLH-DSA only, since
 *   no specification gives X-Wing or the composite a JWK and the service renders none for them;
 * - `{ algorithm, raw }` with the algorithm's own encoding;
 * - the endpoint's whole answer `{ key_id, version, algorithm, format, public_key }`, in any format.
 *
 * The envelope header names the key id and version (architecture §7), and only the endpoint's
 * answer carries them: a PEM, SPKI or JWK does not (a JWK `kid` is the RFC 7638 thumbprint, not the
 * key id). `seal` therefore asks for `{ keyId, version }` whenever the parsed key lacks them.
 *
 * Trust boundary: none; public data. Input is untrusted and every refusal is an `OfflineInputError`.
 */
import { ALGORITHMS, isAlgorithmName, type AsymmetricAlgorithmName } from "../../../../workers/kms/src/crypto/algorithms.ts";
import { fromBase64, uuidToBytes } from "../../../../workers/kms/src/crypto/bytes.ts";
import { decodeSpki } from "../../../../workers/kms/src/crypto/public-key-formats.ts";
import { outlineSpki } from "./der.ts";
import { asBytes, OfflineInputError } from "./errors.ts";

export type { AsymmetricAlgorithmName } from "../../../../workers/kms/src/crypto/algorithms.ts";

/** A parsed public key: the catalog algorithm, its raw encoding and, when known, which key version it is. */
export interface PublicKey {
  readonly algorithm: AsymmetricAlgorithmName;
  /** The algorithm's own encoding (FIPS 203 ek, FIPS 204 pk, FIPS 205 PK.seed‖PK.root, X-Wing pk_M‖pk_X, composite mldsaPK‖tradPK). */
  readonly raw: Uint8Array;
  /** The pqkms key id (a UUID), from the endpoint's answer or given by the caller. */
  readonly keyId?: string;
  /** The key version this public key belongs to. */
  readonly version?: number;
}

/** The answer of GET /v1/keys/{key}/public-key. */
export interface PublicKeyAnswer {
  readonly key_id: string;
  readonly version: number;
  readonly algorithm: string;
  readonly format: string;
  readonly public_key: unknown;
}

/** Everything `parsePublicKey` accepts. */
export type PublicKeyInput = string | Uint8Array | ArrayBuffer | PublicKey | PublicKeyAnswer | Record<string, unknown>;

/** Which key version a bare public key is, for forms that do not say. */
export interface KeyBinding {
  readonly keyId?: string;
  readonly version?: number;
}

/** OIDs of keys pqkms does not have, named in refusals so a caller sees what they gave. */
const FOREIGN_OIDS: Readonly<Record<string, string>> = {
  "1.2.840.113549.1.1.1": "an RSA key",
  "1.2.840.10045.2.1": "an EC key",
  "1.3.101.110": "an X25519 key",
  "1.3.101.112": "an Ed25519 key",
};

const CATALOG_BY_OID: ReadonlyMap<string, AsymmetricAlgorithmName> = new Map(
  Object.values(ALGORITHMS).flatMap((spec) => ("spkiOid" in spec ? [[spec.spkiOid, spec.name] as const] : [])),
);

const CATALOG_BY_JWK_ALG: ReadonlyMap<string, AsymmetricAlgorithmName> = new Map(
  Object.values(ALGORITHMS).flatMap((spec) => ("jwkAlg" in spec && spec.jwkAlg !== null ? [[spec.jwkAlg, spec.name] as const] : [])),
);

function algorithmOf(field: string, name: unknown): AsymmetricAlgorithmName {
  const spec = isAlgorithmName(name) ? ALGORITHMS[name] : undefined;
  if (spec === undefined) throw new OfflineInputError("unknown_algorithm", field, `unknown algorithm ${JSON.stringify(name)}`);
  if (spec.kind !== "kem" && spec.kind !== "signature") throw new OfflineInputError("wrong_key_type", field, `${spec.name} keys are symmetric: there is no public key`);
  return spec.name;
}

function checkRaw(field: string, algorithm: AsymmetricAlgorithmName, raw: unknown): Uint8Array {
  const bytes = asBytes(raw);
  if (bytes === undefined) throw new OfflineInputError("invalid_argument", field, "the raw public key must be a Uint8Array");
  const expected = ALGORITHMS[algorithm].publicKeyLength;
  if (bytes.length !== expected) throw new OfflineInputError("wrong_length", field, `an ${algorithm} public key is ${expected} bytes, got ${bytes.length}`);
  return bytes.slice();
}

/** Checks and normalises a key id (lower-case UUID) and version (u32 ≥ 1, as the service numbers them). */
export function checkBinding(field: string, binding: KeyBinding): KeyBinding {
  const out: { keyId?: string; version?: number } = {};
  if (binding.keyId !== undefined) {
    if (uuidToBytes(binding.keyId) === undefined) throw new OfflineInputError("bad_key_id", `${field}.keyId`, `not a UUID: ${JSON.stringify(binding.keyId)}`);
    out.keyId = binding.keyId.toLowerCase();
  }
  if (binding.version !== undefined) {
    const v = binding.version;
    if (!Number.isInteger(v) || v < 1 || v > 0xffffffff) throw new OfflineInputError("bad_key_id", `${field}.version`, `must be an integer from 1 to 2^32-1, got ${JSON.stringify(v)}`);
    out.version = v;
  }
  return out;
}

function fromSpki(field: string, der: Uint8Array): PublicKey {
  const decoded = decodeSpki(der);
  if (decoded.ok) return { algorithm: decoded.value.algorithm, raw: decoded.value.publicKey };
  // Not one the service emits: say why, naming the OID where there is one.
  const outline = outlineSpki(der);
  if (outline === undefined) throw new OfflineInputError("bad_spki", field, "not a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7)");
  const algorithm = CATALOG_BY_OID.get(outline.oid);
  if (algorithm === undefined) {
    const known = FOREIGN_OIDS[outline.oid];
    throw new OfflineInputError("unknown_algorithm", field, `unknown algorithm OID ${outline.oid}${known === undefined ? "" : ` (${known})`}`);
  }
  if (outline.hasParameters) throw new OfflineInputError("bad_spki", field, `${algorithm} SPKI must have its parameters absent`);
  const expected = ALGORITHMS[algorithm].publicKeyLength;
  if (outline.publicKeyLength !== expected) throw new OfflineInputError("wrong_length", field, `an ${algorithm} public key is ${expected} bytes, got ${outline.publicKeyLength}`);
  throw new OfflineInputError("bad_spki", field, `${algorithm} SPKI is not in DER form`);
}

// RFC 7468 §3 (strict form accepted loosely: any line breaks and surrounding text are tolerated).
const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

function fromPem(field: string, text: string): PublicKey {
  const match = PEM.exec(text);
  if (match === null) throw new OfflineInputError("bad_pem", field, "no PEM block (-----BEGIN …-----) found");
  const label = match[1] as string;
  if (label.includes("PRIVATE")) throw new OfflineInputError("private_key", field, `this is a ${label}: give the public key only`);
  if (label !== "PUBLIC KEY") throw new OfflineInputError("bad_pem", field, `PEM label must be PUBLIC KEY, got ${label}`);
  const der = fromBase64((match[2] as string).replace(/\s+/g, ""));
  if (der === undefined) throw new OfflineInputError("bad_pem", field, "the PEM body is not base64");
  return fromSpki(field, der);
}

function fromJwk(field: string, jwk: Record<string, unknown>): PublicKey {
  if ("priv" in jwk || "d" in jwk) throw new OfflineInputError("private_key", field, "this JWK holds a private key: give the public key only");
  if (jwk.kty !== "AKP") throw new OfflineInputError("bad_jwk", `${field}.kty`, `must be "AKP" (the service's JWKs), got ${JSON.stringify(jwk.kty)}`);
  const algorithm = typeof jwk.alg === "string" ? CATALOG_BY_JWK_ALG.get(jwk.alg) : undefined;
  if (algorithm === undefined) throw new OfflineInputError("unknown_algorithm", `${field}.alg`, `unknown AKP alg ${JSON.stringify(jwk.alg)}`);
  const raw = typeof jwk.pub === "string" ? fromBase64(jwk.pub) : undefined;
  if (raw === undefined) throw new OfflineInputError("bad_jwk", `${field}.pub`, "must be base64url text");
  return { algorithm, raw: checkRaw(`${field}.pub`, algorithm, raw) };
}

function fromAnswer(field: string, answer: PublicKeyAnswer): PublicKey {
  const algorithm = algorithmOf(`${field}.algorithm`, answer.algorithm);
  const value = answer.public_key;
  const where = `${field}.public_key`;
  let parsed: PublicKey;
  switch (answer.format) {
    case "raw":
    case "spki": {
      const bytes = typeof value === "string" ? fromBase64(value) : undefined;
      if (bytes === undefined) throw new OfflineInputError("invalid_argument", where, `a ${answer.format} public key must be base64 text`);
      parsed = answer.format === "raw" ? { algorithm, raw: checkRaw(where, algorithm, bytes) } : fromSpki(where, bytes);
      break;
    }
    case "pem":
      if (typeof value !== "string") throw new OfflineInputError("bad_pem", where, "a pem public key must be text");
      parsed = fromPem(where, value);
      break;
    case "jwk":
      parsed = parseObjectOrJson(where, value, fromJwk);
      break;
    default:
      throw new OfflineInputError("unrecognised_input", `${field}.format`, `unknown format ${JSON.stringify(answer.format)}`);
  }
  if (parsed.algorithm !== algorithm) throw new OfflineInputError("unknown_algorithm", where, `is an ${parsed.algorithm} key, but the answer says ${algorithm}`);
  return { ...parsed, ...checkBinding(field, { keyId: answer.key_id, version: answer.version }) };
}

function parseObjectOrJson(field: string, value: unknown, parse: (field: string, object: Record<string, unknown>) => PublicKey): PublicKey {
  if (typeof value === "string") {
    try {
      value = JSON.parse(value);
    } catch {
      throw new OfflineInputError("unrecognised_input", field, "text that is neither PEM nor JSON");
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new OfflineInputError("unrecognised_input", field, "expected an object");
  return parse(field, value as Record<string, unknown>);
}

function fromObject(field: string, object: Record<string, unknown>): PublicKey {
  if ("kty" in object) return fromJwk(field, object);
  if ("public_key" in object && "format" in object) return fromAnswer(field, object as unknown as PublicKeyAnswer);
  if ("algorithm" in object && "raw" in object) {
    const algorithm = algorithmOf(`${field}.algorithm`, object.algorithm);
    const binding = checkBinding(field, { keyId: object.keyId as string | undefined, version: object.version as number | undefined });
    return { algorithm, raw: checkRaw(`${field}.raw`, algorithm, object.raw), ...binding };
  }
  throw new OfflineInputError("unrecognised_input", field, "not a JWK, a public-key endpoint answer or { algorithm, raw }");
}

/**
 * Parses a public key in any form above. `binding` supplies the key id and version for forms that
 * do not carry them; where the form does carry them, they must agree.
 */
export function parsePublicKey(input: PublicKeyInput, binding: KeyBinding = {}, field = "publicKey"): PublicKey {
  let parsed: PublicKey;
  const der = input instanceof ArrayBuffer ? new Uint8Array(input) : asBytes(input);
  if (der !== undefined) parsed = fromSpki(field, der);
  else if (typeof input === "string" && input.includes("-----BEGIN")) parsed = fromPem(field, input);
  else if (typeof input === "string" || (typeof input === "object" && input !== null)) parsed = parseObjectOrJson(field, input, fromObject);
  else throw new OfflineInputError("unrecognised_input", field, `a public key cannot be ${input === null ? "null" : typeof input}`);

  const given = checkBinding("options", binding);
  for (const name of ["keyId", "version"] as const) {
    const have = parsed[name];
    const want = given[name];
    if (have !== undefined && want !== undefined && have !== want) {
      throw new OfflineInputError("bad_key_id", `options.${name}`, `${JSON.stringify(want)} disagrees with the public key's ${JSON.stringify(have)}`);
    }
  }
  const keyId = parsed.keyId ?? given.keyId;
  const version = parsed.version ?? given.version;
  return Object.freeze({ algorithm: parsed.algorithm, raw: parsed.raw, ...(keyId === undefined ? {} : { keyId }), ...(version === undefined ? {} : { version }) });
}
