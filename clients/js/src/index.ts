/**
 * @pqkms/client: the typed client of the pqkms API, offline seal and verify with a public key, and
 * streaming envelope encryption. Runs on Node >= 20, browsers, Workers, Deno and Bun: fetch, Web
 * Crypto and the pure-TypeScript noble libraries only.
 */
export { Pqkms } from "./client/pqkms.ts";
export { PqkmsError, type PqkmsErrorCode, type ProblemCode } from "./client/errors.ts";
export type { CallOptions, ClientOptions, Credentials } from "./client/transport.ts";
export { DEFAULT_RETRY, type RetryOptions } from "./client/retry.ts";
export { OPERATIONS, type OperationId, type OperationSpec } from "./client/operations.ts";
export { Paged, type Page } from "./client/paged.ts";
export type { Bytes, WithBytes } from "./client/bytes.ts";
export type { AadOptions, BatchItemResult, BatchItems, BytesIn, SignInput, SignOptions, VersionOptions } from "./client/crypto.ts";
export type { CreateKeyOptions, ImportMaterialRequest, PublicKeyOf } from "./client/keys.ts";
export type { SegmentDownload } from "./client/audit.ts";
export type * from "./client/types.ts";
export type { components, operations, paths } from "./generated/openapi.ts";
export type { Keys, KeyVersions } from "./client/keys.ts";
export type { ImportJobs } from "./client/import-jobs.ts";
export type { KeyCrypto } from "./client/crypto.ts";
export type { Aliases, ApiKeys, Envelopes, PolicyRules, TenantCalls } from "./client/resources.ts";
export type { AuditLog, PlatformAuditLog, TenantAuditLog } from "./client/audit.ts";
export type { Admin, FailOpen, Tenants } from "./client/admin.ts";
export type { System } from "./client/system.ts";
export * from "./offline/index.ts";
export * from "./stream/index.ts";
