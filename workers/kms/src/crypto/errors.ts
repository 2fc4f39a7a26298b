/**
 * Error and result types of the crypto layer.
 *
 * Trust boundary: this layer runs inside the TenantVault Durable Object. Its callers (the vault) are
 * trusted code, but the bytes they pass on (ciphertexts, signatures, contexts) come from tenants.
 *
 * Two ways to fail, on purpose:
 * - `CryptoInputError` is thrown when a caller passes input of the wrong type or length (a 1087-byte
 *   ML-KEM-768 ciphertext, a 256-byte ML-DSA context). The vault validates request fields first, so
 *   reaching one of these is a caller bug or an unvalidated field; the message names the operation
 *   and the expected length, never any secret value.
 * - The shared `Result` (workers/shared/errors.ts) is returned by parsers and by checks whose
 *   failure is an expected outcome (envelope decoding, KEK configuration, unwrapping). Nothing is
 *   thrown, and the failure's `reason` or `detail` is a fixed string that never echoes secret input.
 */

/** Thrown for input of the wrong type or length, before any cryptographic work is done. */
export class CryptoInputError extends Error {
  /** The operation that rejected its input, e.g. "ML-KEM-768 decapsulate". */
  readonly operation: string;

  constructor(operation: string, message: string) {
    super(`${operation}: ${message}`);
    this.name = "CryptoInputError";
    this.operation = operation;
  }
}

/** Throws `CryptoInputError` unless `value` is a Uint8Array of exactly `length` bytes. */
export function assertLength(operation: string, name: string, value: unknown, length: number): asserts value is Uint8Array {
  assertBytes(operation, name, value);
  if (value.length !== length) {
    throw new CryptoInputError(operation, `${name} must be ${length} bytes, got ${value.length}`);
  }
}

/** Throws `CryptoInputError` unless `value` is a Uint8Array. */
export function assertBytes(operation: string, name: string, value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new CryptoInputError(operation, `${name} must be a Uint8Array`);
  }
}
