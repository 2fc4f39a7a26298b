/**
 * The providers every conformance test runs against (architecture §1): `NobleProvider` (pure
 * TypeScript) and `WebCryptoProvider` (the runtime's native Web Crypto where it has the algorithm;
 * in Node 24 that is OpenSSL 3.5 for ML-KEM and ML-DSA). Both must pass the same vectors.
 *
 * With an injected `RandomSource` (vectors that fix m, rnd or eseed) `WebCryptoProvider` encapsulates
 * and signs through its noble fallback, since native Web Crypto draws its own randomness; its
 * keygen, decapsulation and verification stay native. The tests that inject say so.
 */
import { NobleProvider, type NobleProviderOptions } from "../../../workers/kms/src/crypto/noble-provider.ts";
import type { CryptoProvider } from "../../../workers/kms/src/crypto/provider.ts";
import { WebCryptoProvider } from "../../../workers/kms/src/crypto/webcrypto-provider.ts";

export interface ProviderCase {
  readonly name: "noble" | "webcrypto";
  make(options?: NobleProviderOptions): CryptoProvider;
}

export const PROVIDERS: readonly ProviderCase[] = [
  { name: "noble", make: (options) => new NobleProvider(options) },
  { name: "webcrypto", make: (options) => new WebCryptoProvider(options) },
];
