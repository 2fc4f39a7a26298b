/**
 * The algorithm catalog: every algorithm a key can have, with the sizes, identifiers and operations
 * the rest of the service needs (architecture §7). Callers look algorithms up here instead of hard-coding
 * lengths or ids; the provider, HPKE, envelope and public-key-format modules all read from it.
 * workers/shared/algorithms.ts lists the same names for the gateway; a test keeps the two equal.
 *
 * Trust boundary: none; static data. Algorithm names arriving from tenants are checked with
 * `isAlgorithmName` before any lookup.
 *
 * Three kinds of entry:
 * - `kem`: ML-KEM-512/768/1024 (FIPS 203) and X-Wing (draft-connolly-cfrg-xwing-kem-10); HPKE
 *   envelopes, raw encapsulation.
 * - `signature`: ML-DSA-44/65/87 (FIPS 204), Composite-ML-DSA-65-P256
 *   (draft-ietf-lamps-pq-composite-sigs-19, id-MLDSA65-ECDSA-P256-SHA512), SLH-DSA-SHA2-128s/128f
 *   (FIPS 205).
 * - `aead`: AES-256-GCM (SP 800-38D) and ChaCha20-Poly1305 (RFC 8439); AEAD envelopes, no public key.
 * - `mac`: HMAC-SHA-256/384/512 (RFC 2104, FIPS 198-1); tags, no public key.
 *
 * `secretLength` is the length of what the vault stores (wrapped) for a key version: the seed for
 * ML-KEM, ML-DSA, X-Wing and the composite, the FIPS 205 private key for SLH-DSA, the key itself
 * for AEADs and HMAC. See the factory functions below for each layout.
 */

export type KemAlgorithmName = "ML-KEM-512" | "ML-KEM-768" | "ML-KEM-1024" | "X-Wing";
export type SignatureAlgorithmName =
  | "ML-DSA-44"
  | "ML-DSA-65"
  | "ML-DSA-87"
  | "Composite-ML-DSA-65-P256"
  | "SLH-DSA-SHA2-128s"
  | "SLH-DSA-SHA2-128f";
export type AeadAlgorithmName = "AES-256-GCM" | "ChaCha20-Poly1305";
export type MacAlgorithmName = "HMAC-SHA-256" | "HMAC-SHA-384" | "HMAC-SHA-512";
export type AsymmetricAlgorithmName = KemAlgorithmName | SignatureAlgorithmName;
export type AlgorithmName = AsymmetricAlgorithmName | AeadAlgorithmName | MacAlgorithmName;

/** What a key is for (architecture §7 "purpose"); shown in key responses (architecture §5). */
export type KeyPurpose = "encrypt" | "sign" | "mac";

/** API operations (architecture §5 "Crypto"); the vault answers `unsupported_operation` for the others. */
export type KeyOperation = "encrypt" | "decrypt" | "rewrap" | "encapsulate" | "decapsulate" | "datakey" | "sign" | "verify" | "mac" | "verify-mac";

/** HPKE algorithm identifiers (RFC 9180 §7 registries; ML-KEM and X-Wing per draft-ietf-hpke-pq). */
export const HPKE_KEM_ID = { ML_KEM_512: 0x0040, ML_KEM_768: 0x0041, ML_KEM_1024: 0x0042, X_WING: 0x647a } as const;
export const HPKE_KDF_ID = { HKDF_SHA256: 0x0001, HKDF_SHA384: 0x0002, HKDF_SHA512: 0x0003 } as const;
export const HPKE_AEAD_ID = { AES_128_GCM: 0x0001, AES_256_GCM: 0x0002, CHACHA20_POLY1305: 0x0003 } as const;

/** AEAD envelope alg_id (architecture §7); not the HPKE AEAD ids above. */
export const AEAD_ENVELOPE_ALG_ID = { AES_256_GCM: 0x0001, CHACHA20_POLY1305: 0x0002 } as const;

/** An HPKE ciphersuite: the three ids that make up RFC 9180's `suite_id`. */
export interface HpkeSuite {
  readonly kemId: number;
  readonly kdfId: number;
  readonly aeadId: number;
}

interface AlgorithmBase<N extends AlgorithmName> {
  readonly name: N;
  readonly standard: string;
  readonly purpose: KeyPurpose;
  /** Length of the stored secret of a key version (architecture §7 "stored secret", §8). */
  readonly secretLength: number;
  readonly operations: readonly KeyOperation[];
}

interface AsymmetricAlgorithm<N extends AsymmetricAlgorithmName> extends AlgorithmBase<N> {
  /** Length of the raw public key (the standard's own encoding). */
  readonly publicKeyLength: number;
  /** AlgorithmIdentifier OID for SPKI, parameters absent, from the standard or draft named. */
  readonly spkiOid: string;
  /** JWK `alg` for `kty: "AKP"` keys, or null where no specification defines a JWK for it. */
  readonly jwkAlg: string | null;
}

export interface KemAlgorithm extends AsymmetricAlgorithm<KemAlgorithmName> {
  readonly kind: "kem";
  readonly purpose: "encrypt";
  readonly ciphertextLength: number;
  readonly sharedSecretLength: number;
  /** Suite for HPKE envelopes with this key (architecture §7). */
  readonly hpke: HpkeSuite;
}

export interface SignatureAlgorithm extends AsymmetricAlgorithm<SignatureAlgorithmName> {
  readonly kind: "signature";
  readonly purpose: "sign";
  readonly family: "ml-dsa" | "slh-dsa" | "composite";
  /** Longest signature; the exact length for fixed-length schemes. */
  readonly signatureLength: number;
  /** Shortest well-formed signature; equals `signatureLength` unless a DER component varies. */
  readonly minSignatureLength: number;
  /** FIPS 204 §5.2 / FIPS 205 §10.2 / composite draft §3.2 step 1: ctx is at most 255 bytes. */
  readonly maxContextLength: number;
  /** FIPS 204 Algorithm 7 line 6: μ is 64 bytes. Null: the scheme has no external-μ interface. */
  readonly muLength: number | null;
}

export interface AeadAlgorithm extends AlgorithmBase<AeadAlgorithmName> {
  readonly kind: "aead";
  readonly purpose: "encrypt";
  readonly nonceLength: number;
  readonly tagLength: number;
  /** The envelope's alg_id (architecture §7). */
  readonly envelopeAlgId: number;
  /** The same AEAD's HPKE id (RFC 9180 §7.3), which aead.ts is keyed by. */
  readonly hpkeAeadId: number;
}

export interface MacAlgorithm extends AlgorithmBase<MacAlgorithmName> {
  readonly kind: "mac";
  readonly purpose: "mac";
  /** The Web Crypto name of the hash H (FIPS 180-4). */
  readonly hash: "SHA-256" | "SHA-384" | "SHA-512";
  /** The full HMAC output, L bytes (RFC 2104 §2); the API always returns the untruncated tag. */
  readonly tagLength: number;
}

export type Algorithm = KemAlgorithm | SignatureAlgorithm | AeadAlgorithm | MacAlgorithm;

const KEM_OPERATIONS: readonly KeyOperation[] = Object.freeze(["encrypt", "decrypt", "rewrap", "encapsulate", "decapsulate", "datakey"]);
const SIGNATURE_OPERATIONS: readonly KeyOperation[] = Object.freeze(["sign", "verify"]);
const AEAD_OPERATIONS: readonly KeyOperation[] = Object.freeze(["encrypt", "decrypt", "rewrap", "datakey"]);
const MAC_OPERATIONS: readonly KeyOperation[] = Object.freeze(["mac", "verify-mac"]);

type Entry<N extends AlgorithmName, A extends Algorithm> = A & { readonly name: N };

/**
 * ML-KEM (FIPS 203 §8, Table 3): secret = seed d‖z (64 bytes, FIPS 203 §7.1 KeyGen_internal),
 * public key 384k+32 bytes, ciphertext 32(du·k+dv) bytes, shared secret 32 bytes.
 * SPKI OIDs: RFC 9935 (id-alg-ml-kem-512/768/1024 = 2.16.840.1.101.3.4.4.1/2/3).
 */
function mlKem<N extends KemAlgorithmName>(name: N, publicKeyLength: number, ciphertextLength: number, kemId: number, kdfId: number, oidArc: number): Entry<N, KemAlgorithm> {
  return Object.freeze({
    kind: "kem",
    name,
    purpose: "encrypt",
    standard: "FIPS 203",
    secretLength: 64,
    publicKeyLength,
    ciphertextLength,
    sharedSecretLength: 32,
    hpke: Object.freeze({ kemId, kdfId, aeadId: HPKE_AEAD_ID.AES_256_GCM }),
    spkiOid: `2.16.840.1.101.3.4.4.${oidArc}`,
    jwkAlg: name,
    operations: KEM_OPERATIONS,
  });
}

/**
 * X-Wing (draft-connolly-cfrg-xwing-kem-10 §5.1): secret = the 32-byte decapsulation key (a seed,
 * expanded with SHAKE256 per §5.2); public key pk_M‖pk_X 1216 bytes; ciphertext 1120; secret 32.
 * HPKE kem_id 0x647a (§7, draft-ietf-hpke-pq). SPKI OID id-XWing 1.3.6.1.4.1.62253.25722 with
 * parameters absent (§5.8.1). No JOSE/COSE specification defines a JWK for X-Wing, so none.
 */
const X_WING: Entry<"X-Wing", KemAlgorithm> = Object.freeze({
  kind: "kem",
  name: "X-Wing",
  purpose: "encrypt",
  standard: "draft-connolly-cfrg-xwing-kem-10",
  secretLength: 32,
  publicKeyLength: 1216,
  ciphertextLength: 1120,
  sharedSecretLength: 32,
  hpke: Object.freeze({ kemId: HPKE_KEM_ID.X_WING, kdfId: HPKE_KDF_ID.HKDF_SHA256, aeadId: HPKE_AEAD_ID.AES_256_GCM }),
  spkiOid: "1.3.6.1.4.1.62253.25722",
  jwkAlg: null,
  operations: KEM_OPERATIONS,
});

/**
 * ML-DSA (FIPS 204 §4, Table 2): secret = seed ξ (32 bytes, FIPS 204 Algorithm 6 KeyGen_internal).
 * SPKI OIDs: RFC 9881 (id-ml-dsa-44/65/87 = 2.16.840.1.101.3.4.3.17/18/19).
 */
function mlDsa<N extends SignatureAlgorithmName>(name: N, publicKeyLength: number, signatureLength: number, oidArc: number): Entry<N, SignatureAlgorithm> {
  return Object.freeze({
    kind: "signature",
    family: "ml-dsa",
    name,
    purpose: "sign",
    standard: "FIPS 204",
    secretLength: 32,
    publicKeyLength,
    signatureLength,
    minSignatureLength: signatureLength,
    maxContextLength: 255,
    muLength: 64,
    spkiOid: `2.16.840.1.101.3.4.3.${oidArc}`,
    jwkAlg: name,
    operations: SIGNATURE_OPERATIONS,
  });
}

/**
 * Composite ML-DSA-65 + ECDSA P-256 (draft-ietf-lamps-pq-composite-sigs-19 §6,
 * id-MLDSA65-ECDSA-P256-SHA512, OID 1.3.6.1.5.5.7.6.45): secret = ML-DSA-65 seed (32) ‖ P-256
 * scalar (32, big-endian). Public key = ML-DSA-65 pk (1952) ‖ uncompressed SEC1 point (65) (§4.1).
 * Signature = ML-DSA-65 signature (3309) ‖ DER Ecdsa-Sig-Value (8..72 bytes) (§4.3). The draft
 * defines no JWK. See composite-ml-dsa.ts for the construction.
 */
const COMPOSITE_ML_DSA_65_P256: Entry<"Composite-ML-DSA-65-P256", SignatureAlgorithm> = Object.freeze({
  kind: "signature",
  family: "composite",
  name: "Composite-ML-DSA-65-P256",
  purpose: "sign",
  standard: "draft-ietf-lamps-pq-composite-sigs-19",
  secretLength: 64,
  publicKeyLength: 1952 + 65,
  signatureLength: 3309 + 72,
  minSignatureLength: 3309 + 8,
  maxContextLength: 255,
  muLength: null,
  spkiOid: "1.3.6.1.5.5.7.6.45",
  jwkAlg: null,
  operations: SIGNATURE_OPERATIONS,
});

/**
 * SLH-DSA (FIPS 205 §11, Table 2, n = 16): secret = the FIPS 205 private key
 * SK.seed‖SK.prf‖PK.seed‖PK.root (4n = 64 bytes, §9.1), as RFC 9909 and OpenSSL store it;
 * public key PK.seed‖PK.root (32). SPKI OIDs: RFC 9909 id-slh-dsa-sha2-128s/128f =
 * 2.16.840.1.101.3.4.3.20/21. JWK alg names as in draft-ietf-cose-sphincs-plus and OpenSSL.
 */
function slhDsa<N extends SignatureAlgorithmName>(name: N, signatureLength: number, oidArc: number): Entry<N, SignatureAlgorithm> {
  return Object.freeze({
    kind: "signature",
    family: "slh-dsa",
    name,
    purpose: "sign",
    standard: "FIPS 205",
    secretLength: 64,
    publicKeyLength: 32,
    signatureLength,
    minSignatureLength: signatureLength,
    maxContextLength: 255,
    muLength: null,
    spkiOid: `2.16.840.1.101.3.4.3.${oidArc}`,
    jwkAlg: name,
    operations: SIGNATURE_OPERATIONS,
  });
}

/** Symmetric AEAD keys: secret = the 32-byte key; 96-bit nonce, 128-bit tag (architecture §7). */
function aead<N extends AeadAlgorithmName>(name: N, standard: string, envelopeAlgId: number, hpkeAeadId: number): Entry<N, AeadAlgorithm> {
  return Object.freeze({ kind: "aead", name, purpose: "encrypt", standard, secretLength: 32, nonceLength: 12, tagLength: 16, envelopeAlgId, hpkeAeadId, operations: AEAD_OPERATIONS });
}

/**
 * HMAC keys (RFC 2104, FIPS 198-1): secret = the key itself, one hash block B long (64 bytes for
 * SHA-256, 128 for SHA-384/512). RFC 2104 §3 asks for at least L bytes and notes that more than B
 * is hashed down first; B is the longest key used as is, so every key bit enters the MAC directly
 * (FIPS 198-1 §3). Tags are L = 32/48/64 bytes, never truncated here.
 */
function hmac<N extends MacAlgorithmName>(name: N, hash: MacAlgorithm["hash"], blockLength: number, tagLength: number): Entry<N, MacAlgorithm> {
  return Object.freeze({ kind: "mac", name, purpose: "mac", standard: "RFC 2104, FIPS 198-1", hash, secretLength: blockLength, tagLength, operations: MAC_OPERATIONS });
}

export const ALGORITHMS: { readonly [N in KemAlgorithmName]: Entry<N, KemAlgorithm> } & {
  readonly [N in SignatureAlgorithmName]: Entry<N, SignatureAlgorithm>;
} & { readonly [N in AeadAlgorithmName]: Entry<N, AeadAlgorithm> } & { readonly [N in MacAlgorithmName]: Entry<N, MacAlgorithm> } = Object.freeze({
  "ML-KEM-512": mlKem("ML-KEM-512", 800, 768, HPKE_KEM_ID.ML_KEM_512, HPKE_KDF_ID.HKDF_SHA256, 1),
  "ML-KEM-768": mlKem("ML-KEM-768", 1184, 1088, HPKE_KEM_ID.ML_KEM_768, HPKE_KDF_ID.HKDF_SHA256, 2),
  "ML-KEM-1024": mlKem("ML-KEM-1024", 1568, 1568, HPKE_KEM_ID.ML_KEM_1024, HPKE_KDF_ID.HKDF_SHA384, 3),
  "X-Wing": X_WING,
  "ML-DSA-44": mlDsa("ML-DSA-44", 1312, 2420, 17),
  "ML-DSA-65": mlDsa("ML-DSA-65", 1952, 3309, 18),
  "ML-DSA-87": mlDsa("ML-DSA-87", 2592, 4627, 19),
  "Composite-ML-DSA-65-P256": COMPOSITE_ML_DSA_65_P256,
  "SLH-DSA-SHA2-128s": slhDsa("SLH-DSA-SHA2-128s", 7856, 20),
  "SLH-DSA-SHA2-128f": slhDsa("SLH-DSA-SHA2-128f", 17088, 21),
  "AES-256-GCM": aead("AES-256-GCM", "NIST SP 800-38D", AEAD_ENVELOPE_ALG_ID.AES_256_GCM, HPKE_AEAD_ID.AES_256_GCM),
  "ChaCha20-Poly1305": aead("ChaCha20-Poly1305", "RFC 8439", AEAD_ENVELOPE_ALG_ID.CHACHA20_POLY1305, HPKE_AEAD_ID.CHACHA20_POLY1305),
  "HMAC-SHA-256": hmac("HMAC-SHA-256", "SHA-256", 64, 32),
  "HMAC-SHA-384": hmac("HMAC-SHA-384", "SHA-384", 128, 48),
  "HMAC-SHA-512": hmac("HMAC-SHA-512", "SHA-512", 128, 64),
});

export const ALGORITHM_NAMES: readonly AlgorithmName[] = Object.freeze(Object.keys(ALGORITHMS) as AlgorithmName[]);

export function isAlgorithmName(value: unknown): value is AlgorithmName {
  return typeof value === "string" && Object.hasOwn(ALGORITHMS, value);
}

/** The catalog entry for a name; use `isAlgorithmName` first on untrusted strings. */
export function getAlgorithm<N extends AlgorithmName>(name: N): (typeof ALGORITHMS)[N] {
  const spec = ALGORITHMS[name];
  if (spec === undefined) throw new RangeError(`unknown algorithm: ${String(name)}`);
  return spec;
}

export function isKemAlgorithm(spec: Algorithm): spec is KemAlgorithm {
  return spec.kind === "kem";
}

export function isSignatureAlgorithm(spec: Algorithm): spec is SignatureAlgorithm {
  return spec.kind === "signature";
}

export function isAeadAlgorithm(spec: Algorithm): spec is AeadAlgorithm {
  return spec.kind === "aead";
}

export function isMacAlgorithm(spec: Algorithm): spec is MacAlgorithm {
  return spec.kind === "mac";
}

/** Whether keys of this algorithm have a public key (everything but the symmetric AEAD and HMAC keys). */
export function hasPublicKey(spec: Algorithm): spec is KemAlgorithm | SignatureAlgorithm {
  return spec.kind === "kem" || spec.kind === "signature";
}

/** The KEM algorithm whose HPKE kem_id this is, if we have one. */
export function kemAlgorithmForHpkeKemId(kemId: number): KemAlgorithm | undefined {
  for (const name of ALGORITHM_NAMES) {
    const spec = ALGORITHMS[name];
    if (spec.kind === "kem" && spec.hpke.kemId === kemId) return spec;
  }
  return undefined;
}

/** The AEAD algorithm whose envelope alg_id (architecture §7) this is, if we have one. */
export function aeadAlgorithmForEnvelopeId(algId: number): AeadAlgorithm | undefined {
  for (const name of ALGORITHM_NAMES) {
    const spec = ALGORITHMS[name];
    if (spec.kind === "aead" && spec.envelopeAlgId === algId) return spec;
  }
  return undefined;
}
