/**
 * Streaming envelope encryption for data of any size (docs/stream-format.md).
 */
export { decryptBytes, encryptBytes } from "./bytes.ts";
export { decryptStream, type StreamDecryptOptions, type UnwrapDataKey } from "./decrypt.ts";
export { encryptStream, type GenerateDataKey, type StreamEncryptOptions, type WrapDataKey } from "./encrypt.ts";
export { StreamDecryptError, type StreamFailure } from "./errors.ts";
export { DATA_KEY_AAD_LABEL, DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from "./format.ts";
