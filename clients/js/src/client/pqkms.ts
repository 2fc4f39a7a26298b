/**
 * `Pqkms`, the client: one object per credential and gateway, its calls in resource groups
 * mirroring the API's tags.
 */
import { Admin } from "./admin.ts";
import { TenantAuditLog } from "./audit.ts";
import { ImportJobs } from "./import-jobs.ts";
import { Keys } from "./keys.ts";
import { Aliases, ApiKeys, Envelopes, PolicyRules, TenantCalls } from "./resources.ts";
import { System } from "./system.ts";
import { Transport, type ClientOptions, type Credentials } from "./transport.ts";

/**
 * A client of one pqkms gateway.
 *
 * ```ts
 * const client = new Pqkms({ url: "http://localhost:8787", apiKey: process.env.PQKMS_API_KEY! });
 * const key = await client.keys.create({ algorithm: "ML-KEM-768" });
 * const { ciphertext } = await client.keys.encrypt(key.id, "hello");
 * ```
 *
 * Tenant calls need `apiKey`; `client.admin` needs `adminToken`; `client.system` needs neither.
 * Every call takes `{ signal }` last and rejects with a {@link PqkmsError} (or, aborted, with the
 * signal's reason).
 */
export class Pqkms {
  /** Keys: management, versions, public keys and cryptographic operations. */
  readonly keys: Keys;
  /** Decrypt and rewrap envelopes by the key their header names. */
  readonly envelopes: Envelopes;
  /** One-use wrapping keys for importing key material. */
  readonly importJobs: ImportJobs;
  /** Aliases for keys. */
  readonly aliases: Aliases;
  /** The tenant's API keys. */
  readonly apiKeys: ApiKeys;
  /** The caller's tenant and its usage. */
  readonly tenant: TenantCalls;
  /** The tenant's policy rules. */
  readonly policyRules: PolicyRules;
  /** The tenant's audit log. */
  readonly audit: TenantAuditLog;
  /** Platform administration (admin token). */
  readonly admin: Admin;
  /** Unauthenticated service routes. */
  readonly system: System;

  constructor(credentials: Credentials, options: ClientOptions = {}) {
    const transport = new Transport(credentials, options);
    this.keys = new Keys(transport);
    this.envelopes = new Envelopes(transport);
    this.importJobs = new ImportJobs(transport);
    this.aliases = new Aliases(transport);
    this.apiKeys = new ApiKeys(transport);
    this.tenant = new TenantCalls(transport);
    this.policyRules = new PolicyRules(transport);
    this.audit = new TenantAuditLog(transport);
    this.admin = new Admin(transport);
    this.system = new System(transport);
  }
}
