/**
 * Algorithm names the API accepts, and their purpose. The kms Worker's crypto catalog
 * (workers/kms/src/crypto/algorithms.ts) implements exactly these; a test keeps the two equal.
 * Gateway and policy need only the names, not the crypto.
 */
export const KEY_ALGORITHMS = {
  "ML-KEM-512": "encrypt",
  "ML-KEM-768": "encrypt",
  "ML-KEM-1024": "encrypt",
  "X-Wing": "encrypt",
  "ML-DSA-44": "sign",
  "ML-DSA-65": "sign",
  "ML-DSA-87": "sign",
  "Composite-ML-DSA-65-P256": "sign",
  "SLH-DSA-SHA2-128s": "sign",
  "SLH-DSA-SHA2-128f": "sign",
  "AES-256-GCM": "encrypt",
  "ChaCha20-Poly1305": "encrypt",
  "HMAC-SHA-256": "mac",
  "HMAC-SHA-384": "mac",
  "HMAC-SHA-512": "mac",
} as const;

export type KeyAlgorithm = keyof typeof KEY_ALGORITHMS;
export const KEY_ALGORITHM_NAMES = Object.keys(KEY_ALGORITHMS) as [KeyAlgorithm, ...KeyAlgorithm[]];
