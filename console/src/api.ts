/**
 * Every call the console makes to the pqkms API, and nothing else: the pages see only this narrow
 * interface. The console is an ordinary client of the public API (same origin, same seven pipeline
 * stages, no private route); a tenant credential goes in `x-api-key`, the admin token in
 * `Authorization: Bearer` (architecture §2). A 401 from any call ends the session (`onUnauthorized`).
 */
import type { Credential } from "./session.ts";

export type Scope =
  | "keys:read" | "keys:write" | "crypto:encrypt" | "crypto:decrypt" | "crypto:sign" | "crypto:verify" | "api-keys:manage" | "audit:read";

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: string | null;
  scopes: Scope[];
  key_ids: string[] | null;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  token?: string;
}

export interface OwnTenant {
  id: string;
  name: string;
  plan: string;
  status: string;
  key_count: number;
  usage: { period: string; operations: number; monthly_operations: number; remaining: number; resets_at: string };
  api_key: ApiKey;
}

export interface KeyVersion {
  version: number;
  state: "enabled" | "disabled" | "pending_destruction" | "destroyed";
  created_at: string;
  destruction_date: string | null;
  last_used_at: string | null;
}

export interface Key {
  id: string;
  name: string | null;
  description: string | null;
  labels: Record<string, string>;
  algorithm: string;
  purpose: "encrypt" | "sign" | "mac";
  state: "enabled" | "disabled" | "pending_deletion" | "destroyed";
  primary_version: number;
  min_decryption_version: number;
  deletion_window_days: number;
  versions: KeyVersion[];
  created_at: string;
  updated_at: string;
  deletion_date: string | null;
  rotation_period: string | null;
  next_rotation_at: string | null;
  keep_decryption_versions: number | null;
}

export interface KeyFilter {
  algorithm?: string;
  state?: string;
  name?: string;
  label?: string;
  cursor?: string;
  limit?: number;
}

export interface Alias { name: string; key_id: string; purpose: string; created_at: string; updated_at: string }
export type PublicKeyFormat = "raw" | "spki" | "pem" | "jwk";
export interface PublicKey { key_id: string; version: number; algorithm: string; format: PublicKeyFormat; public_key: string | Record<string, string> }

export interface AuditEvent {
  seq: number;
  id: string;
  time: string;
  api_key_id: string | null;
  request_id: string | null;
  operation: string;
  key_id: string | null;
  key_version: number | null;
  outcome: "allowed" | "denied" | "failed";
  rule: string | null;
  severity: string;
  detail: string | null;
  prev_hash: string;
  hash: string;
}
export interface AuditFilter { key_id?: string; operation?: string; outcome?: string; request_id?: string; cursor?: string; limit?: number }
export interface ChainVerdict { valid: boolean; checked: number; first_broken?: number; basis: string; from_seq: number; to_seq: number; note: string }
export interface PolicyRule { id: string; kind: "ip_allow" | "operation_deny"; value: string; created_at: string }
export interface FailOpenStatus { enabled: boolean; until: string | null; reason: string | null }
export type Plan = "free" | "pro" | "enterprise";
export interface Tenant {
  id: string;
  name: string;
  plan: Plan;
  status: "active" | "suspended";
  jurisdiction: string | null;
  placement: string;
  limits: { rate_per_second: number; burst: number; monthly_operations: number; max_keys: number };
  created_at: string;
  updated_at: string;
}

/** An RFC 9457 problem from the API, with its machine-readable code and, for a denial, the rule. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly rule: string | undefined,
    readonly requestId: string | undefined,
  ) {
    super(`${detail} (${code})`);
    this.name = "ApiProblem";
  }
}

/** What was sent, for the "try it" panel's equivalent curl command. */
export interface SentRequest { method: string; path: string; body?: unknown }

const query = (params: object): string => {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined && v !== "") as [string, string | number][];
  return entries.length === 0 ? "" : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
};

const seg = encodeURIComponent;

export function createApi(credential: Credential, onUnauthorized: () => void) {
  const headers: Record<string, string> =
    credential.kind === "tenant" ? { "x-api-key": credential.token } : { authorization: `Bearer ${credential.token}` };

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(path, {
      method,
      headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const parsed: unknown = text === "" ? null : JSON.parse(text);
    if (!response.ok) {
      if (response.status === 401) onUnauthorized();
      const p = (parsed ?? {}) as { code?: string; detail?: string; rule?: string; request_id?: string };
      throw new ApiProblem(response.status, p.code ?? "error", p.detail ?? response.statusText, p.rule, p.request_id);
    }
    return parsed as T;
  }

  const key = (id: string) => `/v1/keys/${seg(id)}`;
  const post = <T>(path: string, body?: unknown) => call<T>("POST", path, body);

  return {
    tenant: () => call<OwnTenant>("GET", "/v1/tenant"),

    listKeys: (filter: KeyFilter) => call<{ keys: Key[]; next_cursor: string | null }>("GET", `/v1/keys${query(filter)}`),
    getKey: (id: string) => call<Key>("GET", key(id)),
    createKey: (body: { algorithm: string; name?: string; description?: string; labels?: Record<string, string> }) => post<Key>("/v1/keys", body),
    rotate: (id: string) => post<Key>(`${key(id)}/rotate`),
    keyAction: (id: string, action: "disable" | "enable" | "schedule-deletion" | "cancel-deletion") => post<Key>(`${key(id)}/${action}`),
    versionAction: (id: string, version: number, action: "disable" | "enable" | "schedule-destruction" | "cancel-destruction") =>
      post<Key>(`${key(id)}/versions/${version}/${action}`),
    publicKey: (id: string, format: PublicKeyFormat, version?: number) => call<PublicKey>("GET", `${key(id)}/public-key${query({ format, version })}`),
    aliasesOf: (id: string) => call<{ aliases: Alias[]; next_cursor: string | null }>("GET", `/v1/aliases${query({ key_id: id })}`),

    /** Crypto calls also say what they sent, for the equivalent command line. */
    encrypt: async (id: string, plaintext: string) => {
      const sent = { method: "POST", path: `${key(id)}/encrypt`, body: { plaintext } };
      return { sent, result: await post<{ ciphertext: string; key_version: number }>(sent.path, sent.body) };
    },
    decrypt: async (id: string, ciphertext: string) => {
      const sent = { method: "POST", path: `${key(id)}/decrypt`, body: { ciphertext } };
      return { sent, result: await post<{ plaintext: string; key_version: number }>(sent.path, sent.body) };
    },
    sign: async (id: string, message: string) => {
      const sent = { method: "POST", path: `${key(id)}/sign`, body: { message } };
      return { sent, result: await post<{ signature: string; key_version: number }>(sent.path, sent.body) };
    },
    verify: async (id: string, message: string, signature: string) => {
      const sent = { method: "POST", path: `${key(id)}/verify`, body: { message, signature } };
      return { sent, result: await post<{ valid: boolean; key_version: number }>(sent.path, sent.body) };
    },

    listApiKeys: () => call<{ api_keys: ApiKey[] }>("GET", "/v1/api-keys"),
    createApiKey: (body: { name: string; role?: string; scopes?: Scope[] }) => post<ApiKey & { token: string }>("/v1/api-keys", body),
    revokeApiKey: (id: string) => call<void>("DELETE", `/v1/api-keys/${seg(id)}`),

    auditEvents: (filter: AuditFilter) => call<{ events: AuditEvent[]; next_cursor: string | null }>("GET", `/v1/audit-events${query(filter)}`),
    verifyAudit: () => call<ChainVerdict>("GET", "/v1/audit-events/verify"),
    policyRules: () => call<{ rules: PolicyRule[] }>("GET", "/v1/policy-rules"),

    failOpen: () => call<FailOpenStatus>("GET", "/admin/v1/policy/fail-open"),
    enableFailOpen: (minutes: number, reason: string) => post<FailOpenStatus>("/admin/v1/policy/fail-open", { minutes, reason }),
    disableFailOpen: () => call<FailOpenStatus>("DELETE", "/admin/v1/policy/fail-open"),
    createTenant: (name: string, plan: Plan) => post<{ tenant: Tenant; api_key: ApiKey & { token: string } }>("/admin/v1/tenants", { name, plan }),
    getTenant: (id: string) => call<Tenant>("GET", `/admin/v1/tenants/${seg(id)}`),
    updateTenant: (id: string, change: { plan?: Plan; status?: "active" | "suspended" }) => call<Tenant>("PATCH", `/admin/v1/tenants/${seg(id)}`, change),
  };
}

export type Api = ReturnType<typeof createApi>;
