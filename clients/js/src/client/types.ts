/**
 * The API's request and answer shapes, named: all taken from the generated OpenAPI types, none
 * written by hand.
 */
import type { components, operations } from "../generated/openapi.ts";

type Schemas = components["schemas"];
/** The query parameters of an operation. */
export type QueryOf<K extends keyof operations> = NonNullable<operations[K]["parameters"]["query"]>;

export type Key = Schemas["Key"];
export type KeyPage = Schemas["KeyPage"];
export type KeyVersion = Schemas["KeyVersion"];
export type CreateKeyRequest = Schemas["CreateKeyRequest"];
export type UpdateKeyRequest = Schemas["UpdateKeyRequest"];
export type Algorithm = CreateKeyRequest["algorithm"];
export type ListKeysQuery = QueryOf<"listKeys">;
export type PublicKeyFormat = Schemas["PublicKey"]["format"];
export type PublicKeyAnswer = Schemas["PublicKey"];
export type Jwk = Exclude<PublicKeyAnswer["public_key"], string>;
export type Ciphertext = Schemas["Ciphertext"];
export type Plaintext = Schemas["Plaintext"];
export type Rewrapped = Schemas["Rewrapped"];
export type DataKey = Schemas["DataKey"];
export type Encapsulation = Schemas["Encapsulation"];
export type SharedSecret = Schemas["SharedSecret"];
export type Signature = Schemas["Signature"];
export type Verification = Schemas["Verification"];
export type Mac = Schemas["Mac"];
export type MacVerification = Schemas["MacVerification"];
export type BatchOperation = Schemas["BatchRequest"]["operation"];
export type BatchResult = Schemas["BatchResult"];
export type EncryptRequest = Schemas["EncryptRequest"];
export type DecryptRequest = Schemas["DecryptRequest"];
export type SignRequest = Schemas["SignRequest"];
export type VerifyRequest = Schemas["VerifyRequest"];
export type MacRequest = Schemas["MacRequest"];
export type VerifyMacRequest = Schemas["VerifyMacRequest"];

export type Alias = Schemas["Alias"];
export type AliasPage = Schemas["AliasPage"];
export type CreateAliasRequest = Schemas["CreateAliasRequest"];
export type ListAliasesQuery = QueryOf<"listAliases">;

export type ApiKey = Schemas["ApiKey"];
export type CreatedApiKey = Schemas["CreatedApiKey"];
export type CreateApiKeyRequest = Schemas["CreateApiKeyRequest"];

export type OwnTenant = Schemas["OwnTenant"];
export type PlanUsage = Schemas["PlanUsage"];
export type PolicyRule = Schemas["PolicyRule"];
export type CreatePolicyRuleRequest = Schemas["CreatePolicyRuleRequest"];

export type AuditEvent = Schemas["AuditEvent"];
export type AuditPage = Schemas["AuditPage"];
export type AuditEventsQuery = QueryOf<"listAuditEvents">;
export type ChainVerdict = Schemas["ChainVerdict"];
export type VerifyChainQuery = QueryOf<"verifyAuditChain">;
export type AuditSegment = Schemas["AuditSegment"];
export type AuditSegmentPage = Schemas["AuditSegmentPage"];
export type AuditCheckpoint = Schemas["AuditCheckpoint"];
export type AuditCheckpointPage = Schemas["AuditCheckpointPage"];
export type AuditKey = Schemas["AuditKey"];

export type Tenant = Schemas["Tenant"];
export type CreatedTenant = Schemas["CreatedTenant"];
export type CreateTenantRequest = Schemas["CreateTenantRequest"];
export type UpdateTenantRequest = Schemas["UpdateTenantRequest"];
export type FailOpenStatus = Schemas["FailOpenStatus"];
export type EnableFailOpenRequest = Schemas["EnableFailOpenRequest"];

export type Health = Schemas["Health"];
export type Ready = Schemas["Ready"];
export type NotReady = Schemas["NotReady"];
