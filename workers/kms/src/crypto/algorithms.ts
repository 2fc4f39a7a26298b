/**
 * The algorithm catalog: every algorithm a key can have, with the sizes, identifiers and operations
 * the rest of the service needs (DESIGN §7). Callers look algorithms up here instead of hard-coding
 * lengths or ids; the provider, HPKE, envelope and public-key-format modules all read from it.
 *
 * Trust boundary: none; static data. Algorithm names arriving from tenants are checked with
 * `isAlgorithmName` before any lookup.
 *
 * Adding an algorithm = adding an entry (and its union member) here, then teaching the provider to
 * run it. The entry kinds are designed for what comes next: X-Wing is another `kem` entry (HPKE kem
 * 0x647a, 32-byte seed), composite ML-DSA-65+ECDSA-P256 and SLH-DSA-SHA2-128s/f are further
 * `signature` entries, and AES-256-GCM / ChaCha20-Poly1305 will be a third kind, `aead`, with no
 * public key (envelope alg ids 0x0001 / 0x0002, DESIGN §7).
 */

export type KemAlgorithmName = "ML-KEM-512" | "ML-KEM-768" | "ML-KEM-1024";
export type SignatureAlgorithmName = "ML-DSA-44" | "ML-DSA-65" | "ML-DSA-87";
export type AlgorithmName = KemAlgorithmName | SignatureAlgorithmName;

/** What a key is for (DESIGN §7 "purpose"); shown in key responses (DESIGN §5). */
export type KeyPurpose = "encrypt" | "sign";

/** API operations (DESIGN §5 "Crypto"); the vault answers `unsupported_operation` for the others. */
export type KeyOperation = "encrypt" | "decrypt" | "rewrap" | "encapsulate" | "decapsulate" | "datakey" | "sign" | "verify";

/** HPKE algorithm identifiers (RFC 9180 §7 registries; ML-KEM and X-Wing per draft-ietf-hpke-pq). */
export const HPKE_KEM_ID = { ML_KEM_512: 0x0040, ML_KEM_768: 0x0041, ML_KEM_1024: 0x0042, X_WING: 0x647a } as const;
export const HPKE_KDF_ID = { HKDF_SHA256: 0x0001, HKDF_SHA384: 0x0002, HKDF_SHA512: 0x0003 } as const;
export const HPKE_AEAD_ID = { AES_128_GCM: 0x0001, AES_256_GCM: 0x0002, CHACHA20_POLY1305: 0x0003 } as const;

/** An HPKE ciphersuite: the three ids that make up RFC 9180's `suite_id`. */
export interface HpkeSuite {
  readonly kemId: number;
  readonly kdfId: number;
  readonly aeadId: number;
}

interface AsymmetricAlgorithm<N extends AlgorithmName> {
  readonly name: N;
  readonly standard: string;
  /** Length of the stored secret: the seed the key pair is derived from (DESIGN §7, §8). */
  readonly seedLength: number;
  /** Length of the raw public key (the standard's own encoding). */
  readonly publicKeyLength: number;
  /** AlgorithmIdentifier OID for SPKI, parameters absent. */
  readonly spkiOid: string;
  /** JWK `alg` for `kty: "AKP"` keys; the names Web Crypto and OpenSSL use. */
  readonly jwkAlg: string;
  readonly operations: readonly KeyOperation[];
}

export interface KemAlgorithm extends AsymmetricAlgorithm<KemAlgorithmName> {
  readonly kind: "kem";
  readonly purpose: "encrypt";
  readonly ciphertextLength: number;
  readonly sharedSecretLength: number;
  /** Suite for HPKE envelopes with this key (DESIGN §7). */
  readonly hpke: HpkeSuite;
}

export interface SignatureAlgorithm extends AsymmetricAlgorithm<SignatureAlgorithmName> {
  readonly kind: "signature";
  readonly purpose: "sign";
  readonly signatureLength: number;
  /** FIPS 204 §5.2: ctx is at most 255 bytes. */
  readonly maxContextLength: number;
  /** FIPS 204 Algorithm 7 line 6: μ is 64 bytes. */
  readonly muLength: number;
}

export type Algorithm = KemAlgorithm | SignatureAlgorithm;

const KEM_OPERATIONS: readonly KeyOperation[] = Object.freeze(["encrypt", "decrypt", "rewrap", "encapsulate", "decapsulate"]);
const SIGNATURE_OPERATIONS: readonly KeyOperation[] = Object.freeze(["sign", "verify"]);

/**
 * ML-KEM (FIPS 203 §8, Table 3): seed = d‖z (64 bytes, FIPS 203 §7.1 ML-KEM.KeyGen_internal),
 * public key 384k+32 bytes, ciphertext 32(du·k+dv) bytes, shared secret 32 bytes.
 * SPKI OIDs: RFC 9935 (id-alg-ml-kem-512/768/1024 = 2.16.840.1.101.3.4.4.1/2/3).
 */
function mlKem(name: KemAlgorithmName, publicKeyLength: number, ciphertextLength: number, kemId: number, kdfId: number, oidArc: number): KemAlgorithm {
  return Object.freeze({
    kind: "kem",
    name,
    purpose: "encrypt",
    standard: "FIPS 203",
    seedLength: 64,
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
 * ML-DSA (FIPS 204 §4, Table 2): seed = ξ (32 bytes, FIPS 204 Algorithm 6 ML-DSA.KeyGen_internal).
 * SPKI OIDs: RFC 9881 (id-ml-dsa-44/65/87 = 2.16.840.1.101.3.4.3.17/18/19).
 */
function mlDsa(name: SignatureAlgorithmName, publicKeyLength: number, signatureLength: number, oidArc: number): SignatureAlgorithm {
  return Object.freeze({
    kind: "signature",
    name,
    purpose: "sign",
    standard: "FIPS 204",
    seedLength: 32,
    publicKeyLength,
    signatureLength,
    maxContextLength: 255,
    muLength: 64,
    spkiOid: `2.16.840.1.101.3.4.3.${oidArc}`,
    jwkAlg: name,
    operations: SIGNATURE_OPERATIONS,
  });
}

export const ALGORITHMS: {
  readonly [N in KemAlgorithmName]: KemAlgorithm & { readonly name: N };
} & {
  readonly [N in SignatureAlgorithmName]: SignatureAlgorithm & { readonly name: N };
} = Object.freeze({
  "ML-KEM-512": mlKem("ML-KEM-512", 800, 768, HPKE_KEM_ID.ML_KEM_512, HPKE_KDF_ID.HKDF_SHA256, 1) as KemAlgorithm & { name: "ML-KEM-512" },
  "ML-KEM-768": mlKem("ML-KEM-768", 1184, 1088, HPKE_KEM_ID.ML_KEM_768, HPKE_KDF_ID.HKDF_SHA256, 2) as KemAlgorithm & { name: "ML-KEM-768" },
  "ML-KEM-1024": mlKem("ML-KEM-1024", 1568, 1568, HPKE_KEM_ID.ML_KEM_1024, HPKE_KDF_ID.HKDF_SHA384, 3) as KemAlgorithm & { name: "ML-KEM-1024" },
  "ML-DSA-44": mlDsa("ML-DSA-44", 1312, 2420, 17) as SignatureAlgorithm & { name: "ML-DSA-44" },
  "ML-DSA-65": mlDsa("ML-DSA-65", 1952, 3309, 18) as SignatureAlgorithm & { name: "ML-DSA-65" },
  "ML-DSA-87": mlDsa("ML-DSA-87", 2592, 4627, 19) as SignatureAlgorithm & { name: "ML-DSA-87" },
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

/** The KEM algorithm whose HPKE kem_id this is, if we have one. */
export function kemAlgorithmForHpkeKemId(kemId: number): KemAlgorithm | undefined {
  for (const name of ALGORITHM_NAMES) {
    const spec = ALGORITHMS[name];
    if (spec.kind === "kem" && spec.hpke.kemId === kemId) return spec;
  }
  return undefined;
}
