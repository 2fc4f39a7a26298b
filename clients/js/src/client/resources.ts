/**
 * The tenant's smaller resource groups: `client.aliases`, `client.apiKeys`, `client.tenant`,
 * `client.policyRules`, and `client.envelopes` (decrypt and rewrap without naming the key: the
 * envelope's header names it).
 */
import { b64, decodeFields, type WithBytes } from "./bytes.ts";
import type { AadOptions } from "./crypto.ts";
import { Paged } from "./paged.ts";
import type { CallOptions, Transport } from "./transport.ts";
import type * as T from "./types.ts";

/** `client.aliases`: the tenant's names for its keys (`alias:NAME` works wherever a key id goes). */
export class Aliases {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Names a key. */
  create(request: T.CreateAliasRequest, options: CallOptions = {}): Promise<T.Alias> {
    return this.#t.json<T.Alias>("createAlias", { body: request }, options);
  }

  /** Every alias (optionally of one key), page after page. */
  list(query: Omit<T.ListAliasesQuery, "cursor"> = {}, options: CallOptions = {}): Paged<T.Alias, T.AliasPage> {
    return new Paged((cursor, o) => this.listPage({ ...query, cursor }, o), (page) => page.aliases, options);
  }

  /** One page of aliases. */
  listPage(query: T.ListAliasesQuery = {}, options: CallOptions = {}): Promise<T.AliasPage> {
    return this.#t.json<T.AliasPage>("listAliases", { query }, options);
  }

  /** One alias. */
  get(name: string, options: CallOptions = {}): Promise<T.Alias> {
    return this.#t.json<T.Alias>("getAlias", { params: { name } }, options);
  }

  /** Points an alias at another key of the same purpose. */
  update(name: string, keyId: string, options: CallOptions = {}): Promise<T.Alias> {
    return this.#t.json<T.Alias>("updateAlias", { params: { name }, body: { key_id: keyId } }, options);
  }

  /** Deletes an alias (the key stays). */
  async delete(name: string, options: CallOptions = {}): Promise<void> {
    await this.#t.json<undefined>("deleteAlias", { params: { name } }, options);
  }
}

/** `client.apiKeys`: the tenant's own API keys. */
export class ApiKeys {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Creates an API key with a subset of the caller's scopes; its `token` is shown only here. */
  create(request: T.CreateApiKeyRequest, options: CallOptions = {}): Promise<T.CreatedApiKey> {
    return this.#t.json<T.CreatedApiKey>("createApiKey", { body: request }, options);
  }

  /** The tenant's API keys (one answer: the API does not page them). */
  async list(options: CallOptions = {}): Promise<T.ApiKey[]> {
    return (await this.#t.json<{ api_keys: T.ApiKey[] }>("listApiKeys", {}, options)).api_keys;
  }

  /** Revokes an API key at once. */
  async revoke(id: string, options: CallOptions = {}): Promise<void> {
    await this.#t.json<undefined>("revokeApiKey", { params: { id } }, options);
  }
}

/** `client.tenant`: the caller's own tenant. */
export class TenantCalls {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Plan, status, limits, key count and this month's usage. */
  get(options: CallOptions = {}): Promise<T.OwnTenant> {
    return this.#t.json<T.OwnTenant>("getOwnTenant", {}, options);
  }

  /** This month's operations against the plan's quota. */
  usage(options: CallOptions = {}): Promise<T.PlanUsage> {
    return this.#t.json<T.PlanUsage>("getUsage", {}, options);
  }
}

/** `client.policyRules`: the tenant's source-IP allow-list and per-operation denies. */
export class PolicyRules {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Every rule (one answer). */
  async list(options: CallOptions = {}): Promise<T.PolicyRule[]> {
    return (await this.#t.json<{ rules: T.PolicyRule[] }>("listPolicyRules", {}, options)).rules;
  }

  /** Adds a rule: `{ kind: "ip_allow", value: "203.0.113.0/24" }` or `{ kind: "operation_deny", value: "crypto.sign" }`. */
  create(rule: T.CreatePolicyRuleRequest, options: CallOptions = {}): Promise<T.PolicyRule> {
    return this.#t.json<T.PolicyRule>("createPolicyRule", { body: rule }, options);
  }

  /** Removes a rule. */
  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await this.#t.json<undefined>("deletePolicyRule", { params: { id } }, options);
  }
}

/** `client.envelopes`: envelopes opened by the key their header names. */
export class Envelopes {
  readonly #t: Transport;

  /** @internal */
  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Opens a PQK envelope with whichever of the tenant's keys made it. */
  async decrypt(ciphertext: Uint8Array, options: AadOptions = {}): Promise<WithBytes<T.Plaintext, "plaintext">> {
    const body = { ciphertext: b64(ciphertext), aad: options.aad === undefined ? undefined : b64(options.aad) };
    return decodeFields(await this.#t.json<T.Plaintext>("decryptEnvelope", { body }, options), ["plaintext"]);
  }

  /** Re-encrypts an envelope under its key's primary version. */
  async rewrap(ciphertext: Uint8Array, options: AadOptions = {}): Promise<WithBytes<T.Rewrapped, "ciphertext">> {
    const body = { ciphertext: b64(ciphertext), aad: options.aad === undefined ? undefined : b64(options.aad) };
    return decodeFields(await this.#t.json<T.Rewrapped>("rewrapEnvelope", { body }, options), ["ciphertext"]);
  }
}
