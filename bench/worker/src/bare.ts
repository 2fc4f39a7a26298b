/**
 * The bench Worker's `noble` path: the bare library calls (@noble/post-quantum, @noble/curves,
 * @noble/ciphers, @noble/hashes) per algorithm, with none of the project's crypto layer around them.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { p256 } from "@noble/curves/nist.js";
import { ml_kem768_x25519 } from "@noble/post-quantum/hybrid.js";
import { ml_dsa44, ml_dsa65, ml_dsa87 } from "@noble/post-quantum/ml-dsa.js";
import { ml_kem1024, ml_kem512, ml_kem768 } from "@noble/post-quantum/ml-kem.js";
import { slh_dsa_sha2_128f, slh_dsa_sha2_128s } from "@noble/post-quantum/slh-dsa.js";
import type { AeadAlgorithmName, KemAlgorithmName, MacAlgorithmName, SignatureAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";

/** The bare KEM calls the noble path makes (ML-KEM and X-Wing share this shape). */
export interface BareKem {
  keygen(seed?: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  encapsulate(publicKey: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array;
}
/** The bare signature calls (for the composite: both component signatures over the same message). */
export interface BareSigner {
  keygen(): { publicKey: Uint8Array; secretKey: Uint8Array };
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

export const KEMS: Record<KemAlgorithmName, BareKem> = { "ML-KEM-512": ml_kem512, "ML-KEM-768": ml_kem768, "ML-KEM-1024": ml_kem1024, "X-Wing": ml_kem768_x25519 };
export const PREPARABLE = { "ML-KEM-512": ml_kem512, "ML-KEM-768": ml_kem768, "ML-KEM-1024": ml_kem1024 } as const;

function plain(signer: { keygen(seed?: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array }; sign(m: Uint8Array, sk: Uint8Array): Uint8Array; verify(s: Uint8Array, m: Uint8Array, pk: Uint8Array): boolean }): BareSigner {
  return { keygen: () => signer.keygen(), sign: (m, sk) => signer.sign(m, sk), verify: (s, m, pk) => signer.verify(s, m, pk) };
}

/**
 * Composite-ML-DSA-65-P256, bare: the two component operations over the same message, ML-DSA-65
 * sign (hedged) + ECDSA P-256 sign (SHA-256 prehash, DER, hedged k). Not the composite construction
 * itself (no message representative, no label): what the two libraries cost on their own.
 */
const COMPOSITE_BARE: BareSigner = {
  keygen() {
    const mlDsa = ml_dsa65.keygen();
    const scalar = p256.utils.randomSecretKey();
    return { publicKey: concat(mlDsa.publicKey, p256.getPublicKey(scalar, false)), secretKey: concat(mlDsa.secretKey, scalar) };
  },
  sign(message, secretKey) {
    const a = ml_dsa65.sign(message, secretKey.subarray(0, secretKey.length - 32));
    const b = p256.sign(message, secretKey.subarray(secretKey.length - 32), { prehash: true, lowS: true, format: "der", extraEntropy: true });
    return concat(a, b);
  },
  verify(signature, message, publicKey) {
    const ok = ml_dsa65.verify(signature.subarray(0, 3309), message, publicKey.subarray(0, 1952));
    return ok && p256.verify(signature.subarray(3309), message, publicKey.subarray(1952), { prehash: true, lowS: false, format: "der" });
  },
};

export const SIGNERS: Record<SignatureAlgorithmName, BareSigner> = {
  "ML-DSA-44": plain(ml_dsa44),
  "ML-DSA-65": plain(ml_dsa65),
  "ML-DSA-87": plain(ml_dsa87),
  "Composite-ML-DSA-65-P256": COMPOSITE_BARE,
  "SLH-DSA-SHA2-128f": plain(slh_dsa_sha2_128f),
  "SLH-DSA-SHA2-128s": plain(slh_dsa_sha2_128s),
};
export const AEADS: readonly AeadAlgorithmName[] = ["AES-256-GCM", "ChaCha20-Poly1305"];
/** Bare HMAC over @noble/hashes (the benchmarked hashes; SHA-384 costs what SHA-512 does). */
export const MACS: Partial<Record<MacAlgorithmName, (key: Uint8Array, message: Uint8Array) => Uint8Array>> = {
  "HMAC-SHA-256": (key, message) => hmac(sha256, key, message),
  "HMAC-SHA-512": (key, message) => hmac(sha512, key, message),
};

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
