/**
 * The API's request and answer shapes, named: all taken from the generated OpenAPI types, none
 * written by hand.
 */
import type { components, operations } from "../generated/openapi.ts";

type Schemas = components["schemas"];
/** The query parameters of an operation. */
export type QueryOf<K extends keyof operations> = NonNullable<operations[K]["parameters"]["query"]>;

/** A key: algorithm, purpose, state, versions, rotation schedule. */
export type Key = Schemas["Key"];
/** One page of `GET /v1/keys`. */
export type KeyPage = Schemas["KeyPage"];
/** One version of a key and its state. */
export type KeyVersion = Schemas["KeyVersion"];
/** The body of `keys.create`. */
export type CreateKeyRequest = Schemas["CreateKeyRequest"];
/** The body of `keys.update` (null clears a field). */
export type UpdateKeyRequest = Schemas["UpdateKeyRequest"];
/** An algorithm a key can be created with. */
export type Algorithm = CreateKeyRequest["algorithm"];
/** Filters of `keys.list`: algorithm, state, name, label (`name:value`), limit, cursor. */
export type ListKeysQuery = QueryOf<"listKeys">;
/** A public key's format: `raw`, `spki`, `pem` or `jwk`. */
export type PublicKeyFormat = Schemas["PublicKey"]["format"];
/** `GET /v1/keys/{key}/public-key` as the wire carries it. */
export type PublicKeyAnswer = Schemas["PublicKey"];
/** A public key as a JWK (`kty: "AKP"`). */
export type Jwk = Exclude<PublicKeyAnswer["public_key"], string>;
/** The answer of `encrypt` on the wire. */
export type Ciphertext = Schemas["Ciphertext"];
/** The answer of `decrypt` on the wire. */
export type Plaintext = Schemas["Plaintext"];
/** The answer of `rewrap` on the wire. */
export type Rewrapped = Schemas["Rewrapped"];
/** The answer of `generateDataKey` on the wire. */
export type DataKey = Schemas["DataKey"];
/** The answer of `encapsulate` on the wire. */
export type Encapsulation = Schemas["Encapsulation"];
/** The answer of `decapsulate` on the wire. */
export type SharedSecret = Schemas["SharedSecret"];
/** The answer of `sign` on the wire. */
export type Signature = Schemas["Signature"];
/** The answer of `verify`: `valid` and the version checked. */
export type Verification = Schemas["Verification"];
/** The answer of `mac` on the wire. */
export type Mac = Schemas["Mac"];
/** The answer of `verifyMac`: `valid` and the version checked. */
export type MacVerification = Schemas["MacVerification"];
/** The operations a batch can carry. */
export type BatchOperation = Schemas["BatchRequest"]["operation"];
/** The answer of `batch` on the wire. */
export type BatchResult = Schemas["BatchResult"];
/** The body of `encrypt` on the wire. */
export type EncryptRequest = Schemas["EncryptRequest"];
/** The body of `decrypt` on the wire. */
export type DecryptRequest = Schemas["DecryptRequest"];
/** The body of `sign` on the wire. */
export type SignRequest = Schemas["SignRequest"];
/** The body of `verify` on the wire. */
export type VerifyRequest = Schemas["VerifyRequest"];
/** The body of `mac` on the wire. */
export type MacRequest = Schemas["MacRequest"];
/** The body of `verifyMac` on the wire. */
export type VerifyMacRequest = Schemas["VerifyMacRequest"];

/** An import job: a one-use ML-KEM-768 or X-Wing wrapping key, its state and public key. */
export type ImportJob = Schemas["ImportJob"];
/** One page of `GET /v1/import-jobs`. */
export type ImportJobPage = Schemas["ImportJobPage"];
/** The body of `importJobs.create`. */
export type CreateImportJobRequest = Schemas["CreateImportJobRequest"];
/** Paging of `importJobs.list`: limit, cursor. */
export type ListImportJobsQuery = QueryOf<"listImportJobs">;

/** An alias: a tenant's name for one of its keys. */
export type Alias = Schemas["Alias"];
/** One page of `GET /v1/aliases`. */
export type AliasPage = Schemas["AliasPage"];
/** The body of `aliases.create`. */
export type CreateAliasRequest = Schemas["CreateAliasRequest"];
/** Filters of `aliases.list`: key_id, limit, cursor. */
export type ListAliasesQuery = QueryOf<"listAliases">;

/** An API key as listed (never its secret). */
export type ApiKey = Schemas["ApiKey"];
/** A new API key, with its `token` shown once. */
export type CreatedApiKey = Schemas["CreatedApiKey"];
/** The body of `apiKeys.create`: name, role or scopes, key restriction, expiry. */
export type CreateApiKeyRequest = Schemas["CreateApiKeyRequest"];

/** The caller's tenant with its usage and key count. */
export type OwnTenant = Schemas["OwnTenant"];
/** This month's operations against the plan's quota. */
export type PlanUsage = Schemas["PlanUsage"];
/** A tenant policy rule. */
export type PolicyRule = Schemas["PolicyRule"];
/** The body of `policyRules.create`. */
export type CreatePolicyRuleRequest = Schemas["CreatePolicyRuleRequest"];

/** One audit event, hash-chained to the one before. */
export type AuditEvent = Schemas["AuditEvent"];
/** One page of audit events. */
export type AuditPage = Schemas["AuditPage"];
/** Filters of `audit.events`: key, operation, request id, outcome, time range, limit, cursor. */
export type AuditEventsQuery = QueryOf<"listAuditEvents">;
/** The answer of `audit.verify`: whether the chain holds, and from where it was checked. */
export type ChainVerdict = Schemas["ChainVerdict"];
/** Where `audit.verify` starts: the newest checkpoint or the hot window. */
export type VerifyChainQuery = QueryOf<"verifyAuditChain">;
/** One archived segment of the audit log, with its SHA-256. */
export type AuditSegment = Schemas["AuditSegment"];
/** One page of archived segments, with the archive's status. */
export type AuditSegmentPage = Schemas["AuditSegmentPage"];
/** A signed checkpoint over the audit log. */
export type AuditCheckpoint = Schemas["AuditCheckpoint"];
/** One page of checkpoints. */
export type AuditCheckpointPage = Schemas["AuditCheckpointPage"];
/** A public key that verifies checkpoints (ML-DSA-65). */
export type AuditKey = Schemas["AuditKey"];

/** A tenant as the admin API shows it. */
export type Tenant = Schemas["Tenant"];
/** One page of `GET /admin/v1/tenants`. */
export type TenantPage = Schemas["TenantPage"];
/** Paging of `admin.tenants.list`: limit, cursor. */
export type ListTenantsQuery = QueryOf<"listTenants">;
/** A new tenant and its first API key (token shown once). */
export type CreatedTenant = Schemas["CreatedTenant"];
/** The body of `admin.tenants.create`. */
export type CreateTenantRequest = Schemas["CreateTenantRequest"];
/** The body of `admin.tenants.update`. */
export type UpdateTenantRequest = Schemas["UpdateTenantRequest"];
/** Whether policy fail-open is on, until when and why. */
export type FailOpenStatus = Schemas["FailOpenStatus"];
/** The body of `admin.failOpen.enable`. */
export type EnableFailOpenRequest = Schemas["EnableFailOpenRequest"];

/** The answer of `/health`. */
export type Health = Schemas["Health"];
/** `/ready` when ready. */
export type Ready = Schemas["Ready"];
/** `/ready` when not ready, with the reasons. */
export type NotReady = Schemas["NotReady"];
