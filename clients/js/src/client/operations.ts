/**
 * Every operation of the API, by its OpenAPI operationId: where it lives, which credential it
 * takes, whether a network failure may be retried, and the client method that calls it. Checked
 * against the generated types (a route added to the gateway without an entry here fails the
 * typecheck) and against openapi.json by a test.
 *
 * `repeatable`: the call may be sent again when no answer arrived (the request may or may not have
 * reached the service). True for reads; for deletes (a repeat changes nothing, though it may answer
 * 404); for POST /v1/keys, which always carries an Idempotency-Key so a repeat answers the key
 * first created; and for the cryptographic operations, which change nothing but the audit log and
 * the usage count (a repeat is one more audited, counted operation). False for every other change
 * (rotate, enable/disable, schedule, PATCH, creating aliases, API keys, tenants, rules,
 * checkpoints, fail-open, audit key rotation): sent twice, each would take effect, or the second
 * would answer a misleading conflict.
 */
import type { operations, paths } from "../generated/openapi.ts";

/** An operationId of the API. */
export type OperationId = keyof operations;

/** Where an operation lives and how the client treats it. */
export interface OperationSpec {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: keyof paths;
  /** The credential it takes: the tenant API key, the platform admin token, or none. */
  auth: "tenant" | "admin" | "none";
  /** Safe to send again after a network failure (see the module comment). */
  repeatable: boolean;
  /** The client method that calls it, as a property path on a `Pqkms` instance. */
  client: string;
}

const read = (path: keyof paths, auth: OperationSpec["auth"], client: string): OperationSpec => ({ method: "GET", path, auth, repeatable: true, client });
const change = (method: OperationSpec["method"], path: keyof paths, auth: OperationSpec["auth"], client: string): OperationSpec => ({ method, path, auth, repeatable: false, client });
const repeatable = (method: OperationSpec["method"], path: keyof paths, auth: OperationSpec["auth"], client: string): OperationSpec => ({ method, path, auth, repeatable: true, client });

/** Every operation of the API by operationId: method, path, credential, repeatability, client method. */
export const OPERATIONS = {
  getHealth: read("/health", "none", "system.health"),
  getReadiness: read("/ready", "none", "system.ready"),
  getOpenApiDocument: read("/openapi.json", "none", "system.openApiDocument"),
  getApiReference: read("/docs", "none", "system.apiReference"),
  getApiReferenceFile: read("/docs/{file}", "none", "system.apiReferenceFile"),
  getConsole: read("/console", "none", "system.console"),
  getConsoleFile: read("/console/{file}", "none", "system.consoleFile"),
  getMetrics: read("/metrics", "none", "system.metrics"),

  createTenant: change("POST", "/admin/v1/tenants", "admin", "admin.tenants.create"),
  listTenants: read("/admin/v1/tenants", "admin", "admin.tenants.list"),
  getTenant: read("/admin/v1/tenants/{id}", "admin", "admin.tenants.get"),
  updateTenant: change("PATCH", "/admin/v1/tenants/{id}", "admin", "admin.tenants.update"),
  createTenantApiKey: change("POST", "/admin/v1/tenants/{id}/api-keys", "admin", "admin.tenants.createApiKey"),
  getFailOpen: read("/admin/v1/policy/fail-open", "admin", "admin.failOpen.get"),
  enableFailOpen: change("POST", "/admin/v1/policy/fail-open", "admin", "admin.failOpen.enable"),
  disableFailOpen: repeatable("DELETE", "/admin/v1/policy/fail-open", "admin", "admin.failOpen.disable"),
  listPlatformAuditEvents: read("/admin/v1/audit-events", "admin", "admin.audit.eventsPage"),
  verifyPlatformAuditChain: read("/admin/v1/audit-events/verify", "admin", "admin.audit.verify"),
  listPlatformAuditExports: read("/admin/v1/audit-exports", "admin", "admin.audit.exportsPage"),
  getPlatformAuditExport: read("/admin/v1/audit-exports/{id}", "admin", "admin.audit.download"),
  listPlatformAuditCheckpoints: read("/admin/v1/audit-checkpoints", "admin", "admin.audit.checkpointsPage"),
  listPlatformAuditKeys: read("/admin/v1/audit-keys", "admin", "admin.audit.keys"),
  rotatePlatformAuditKey: change("POST", "/admin/v1/audit-keys/rotate", "admin", "admin.audit.rotateKey"),

  getOwnTenant: read("/v1/tenant", "tenant", "tenant.get"),
  getUsage: read("/v1/usage", "tenant", "tenant.usage"),
  createApiKey: change("POST", "/v1/api-keys", "tenant", "apiKeys.create"),
  listApiKeys: read("/v1/api-keys", "tenant", "apiKeys.list"),
  revokeApiKey: repeatable("DELETE", "/v1/api-keys/{id}", "tenant", "apiKeys.revoke"),

  createKey: repeatable("POST", "/v1/keys", "tenant", "keys.create"),
  listKeys: read("/v1/keys", "tenant", "keys.listPage"),
  getKey: read("/v1/keys/{key}", "tenant", "keys.get"),
  updateKey: change("PATCH", "/v1/keys/{key}", "tenant", "keys.update"),
  getPublicKey: read("/v1/keys/{key}/public-key", "tenant", "keys.publicKey"),
  rotateKey: change("POST", "/v1/keys/{key}/rotate", "tenant", "keys.rotate"),
  disableKey: change("POST", "/v1/keys/{key}/disable", "tenant", "keys.disable"),
  enableKey: change("POST", "/v1/keys/{key}/enable", "tenant", "keys.enable"),
  scheduleKeyDeletion: change("POST", "/v1/keys/{key}/schedule-deletion", "tenant", "keys.scheduleDeletion"),
  cancelKeyDeletion: change("POST", "/v1/keys/{key}/cancel-deletion", "tenant", "keys.cancelDeletion"),
  disableKeyVersion: change("POST", "/v1/keys/{key}/versions/{version}/disable", "tenant", "keys.versions.disable"),
  enableKeyVersion: change("POST", "/v1/keys/{key}/versions/{version}/enable", "tenant", "keys.versions.enable"),
  scheduleKeyVersionDestruction: change("POST", "/v1/keys/{key}/versions/{version}/schedule-destruction", "tenant", "keys.versions.scheduleDestruction"),
  cancelKeyVersionDestruction: change("POST", "/v1/keys/{key}/versions/{version}/cancel-destruction", "tenant", "keys.versions.cancelDestruction"),

  encrypt: repeatable("POST", "/v1/keys/{key}/encrypt", "tenant", "keys.encrypt"),
  decrypt: repeatable("POST", "/v1/keys/{key}/decrypt", "tenant", "keys.decrypt"),
  rewrap: repeatable("POST", "/v1/keys/{key}/rewrap", "tenant", "keys.rewrap"),
  generateDataKey: repeatable("POST", "/v1/keys/{key}/datakey", "tenant", "keys.generateDataKey"),
  encapsulate: repeatable("POST", "/v1/keys/{key}/encapsulate", "tenant", "keys.encapsulate"),
  decapsulate: repeatable("POST", "/v1/keys/{key}/decapsulate", "tenant", "keys.decapsulate"),
  sign: repeatable("POST", "/v1/keys/{key}/sign", "tenant", "keys.sign"),
  verify: repeatable("POST", "/v1/keys/{key}/verify", "tenant", "keys.verify"),
  mac: repeatable("POST", "/v1/keys/{key}/mac", "tenant", "keys.mac"),
  verifyMac: repeatable("POST", "/v1/keys/{key}/verify-mac", "tenant", "keys.verifyMac"),
  batch: repeatable("POST", "/v1/keys/{key}/batch", "tenant", "keys.batch"),
  decryptEnvelope: repeatable("POST", "/v1/decrypt", "tenant", "envelopes.decrypt"),
  rewrapEnvelope: repeatable("POST", "/v1/rewrap", "tenant", "envelopes.rewrap"),

  createImportJob: change("POST", "/v1/import-jobs", "tenant", "importJobs.create"),
  listImportJobs: read("/v1/import-jobs", "tenant", "importJobs.listPage"),
  getImportJob: read("/v1/import-jobs/{id}", "tenant", "importJobs.get"),
  importKey: change("POST", "/v1/keys/{key}/import", "tenant", "keys.import"),
  createAlias: change("POST", "/v1/aliases", "tenant", "aliases.create"),
  listAliases: read("/v1/aliases", "tenant", "aliases.listPage"),
  getAlias: read("/v1/aliases/{name}", "tenant", "aliases.get"),
  updateAlias: change("PATCH", "/v1/aliases/{name}", "tenant", "aliases.update"),
  deleteAlias: repeatable("DELETE", "/v1/aliases/{name}", "tenant", "aliases.delete"),

  listAuditEvents: read("/v1/audit-events", "tenant", "audit.eventsPage"),
  verifyAuditChain: read("/v1/audit-events/verify", "tenant", "audit.verify"),
  listAuditExports: read("/v1/audit-exports", "tenant", "audit.exportsPage"),
  getAuditExport: read("/v1/audit-exports/{id}", "tenant", "audit.download"),
  listAuditCheckpoints: read("/v1/audit-checkpoints", "tenant", "audit.checkpointsPage"),
  createAuditCheckpoint: change("POST", "/v1/audit-checkpoints", "tenant", "audit.createCheckpoint"),
  listAuditKeys: read("/v1/audit-keys", "tenant", "audit.keys"),

  listPolicyRules: read("/v1/policy-rules", "tenant", "policyRules.list"),
  createPolicyRule: change("POST", "/v1/policy-rules", "tenant", "policyRules.create"),
  deletePolicyRule: repeatable("DELETE", "/v1/policy-rules/{id}", "tenant", "policyRules.delete"),
} as const satisfies Record<OperationId, OperationSpec>;
