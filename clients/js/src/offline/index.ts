/**
 * Offline, with only a public key: parse any form the service serves, seal to it as the service's
 * own envelope, verify its signatures, wrap key material for an import job. No network.
 */
export { OfflineInputError, type OfflineInputErrorCode } from "./errors.ts";
export { parsePublicKey, type AsymmetricAlgorithmName, type KeyBinding, type PublicKey, type PublicKeyInput } from "./public-key.ts";
export { IMPORT_WRAPPING_ALGORITHMS, seal, sealImportMaterial, type ImportJobAnswer, type ImportMaterial, type SealOptions } from "./seal.ts";
export { verify, type VerifyOptions } from "./verify.ts";
