/**
 * `client.admin` (platform admin token): tenants and their first API keys, emergency policy
 * fail-open, and the platform audit log.
 */
import { PlatformAuditLog } from "./audit.ts";
import { Paged } from "./paged.ts";
import type { CallOptions, Transport } from "./transport.ts";
import type * as T from "./types.ts";

/** `client.admin.tenants`. */
export class Tenants {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Creates a tenant and its first (admin) API key; the key's `token` is shown only here. */
  create(request: T.CreateTenantRequest, options: CallOptions = {}): Promise<T.CreatedTenant> {
    return this.#t.json<T.CreatedTenant>("createTenant", { body: request }, options);
  }

  /** Every tenant, page after page: `for await (const tenant of client.admin.tenants.list())`. */
  list(query: Omit<T.ListTenantsQuery, "cursor"> = {}, options: CallOptions = {}): Paged<T.Tenant, T.TenantPage> {
    return new Paged((cursor, o) => this.listPage({ ...query, cursor }, o), (page) => page.tenants, options);
  }

  /** One page of tenants (`cursor` from the previous page's `next_cursor`). */
  listPage(query: T.ListTenantsQuery = {}, options: CallOptions = {}): Promise<T.TenantPage> {
    return this.#t.json<T.TenantPage>("listTenants", { query }, options);
  }

  /** One tenant. */
  get(id: string, options: CallOptions = {}): Promise<T.Tenant> {
    return this.#t.json<T.Tenant>("getTenant", { params: { id } }, options);
  }

  /** Changes plan, status, jurisdiction or limit overrides (null clears an override). */
  update(id: string, changes: T.UpdateTenantRequest, options: CallOptions = {}): Promise<T.Tenant> {
    return this.#t.json<T.Tenant>("updateTenant", { params: { id }, body: changes }, options);
  }

  /** Issues another API key for a tenant. */
  createApiKey(id: string, request: T.CreateApiKeyRequest, options: CallOptions = {}): Promise<T.CreatedApiKey> {
    return this.#t.json<T.CreatedApiKey>("createTenantApiKey", { params: { id }, body: request }, options);
  }
}

/** `client.admin.failOpen`: lets calls through when the policy engine is down, for a bounded time. */
export class FailOpen {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Whether fail-open is on, until when and why. */
  get(options: CallOptions = {}): Promise<T.FailOpenStatus> {
    return this.#t.json<T.FailOpenStatus>("getFailOpen", {}, options);
  }

  /** Turns fail-open on for `minutes`, with the reason recorded in the audit log. */
  enable(request: T.EnableFailOpenRequest, options: CallOptions = {}): Promise<T.FailOpenStatus> {
    return this.#t.json<T.FailOpenStatus>("enableFailOpen", { body: request }, options);
  }

  /** Turns fail-open off. */
  disable(options: CallOptions = {}): Promise<T.FailOpenStatus> {
    return this.#t.json<T.FailOpenStatus>("disableFailOpen", {}, options);
  }
}

/** `client.admin`: needs a client made with `adminToken`. */
export class Admin {
  /** Tenants and their API keys. */
  readonly tenants: Tenants;
  /** Emergency policy fail-open. */
  readonly failOpen: FailOpen;
  /** The platform's audit log. */
  readonly audit: PlatformAuditLog;

  /** @internal */
  constructor(transport: Transport) {
    this.tenants = new Tenants(transport);
    this.failOpen = new FailOpen(transport);
    this.audit = new PlatformAuditLog(transport);
  }
}
