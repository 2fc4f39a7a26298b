/**
 * Every call the console makes to the pqkms API, and nothing else: the pages see only this narrow
 * interface, made on the typed client `@pqkms/client` (bundled from its sources). The console is an
 * ordinary client of the public API (same origin, same seven pipeline stages, no private route); a
 * tenant credential goes in `x-api-key`, the admin token in `Authorization: Bearer` (architecture
 * §2), both set by the client.
 *
 * A 401 from any call ends the session (`onUnauthorized`). Every call carries the page's
 * AbortSignal: leaving a page aborts what it still has in flight, retries included. The client's
 * retries (429 after Retry-After, a 503 that did nothing) are as welcome here as anywhere.
 */
import { Pqkms, PqkmsError, type ApiKey, type PlanUsage, type PublicKeyAnswer, type PublicKeyFormat, type Tenant, type UpdateTenantRequest } from "@pqkms/client";
import { fromBase64, toBase64 } from "../../workers/shared/base64.ts";
import type { Credential } from "./session.ts";

export type { Alias, ApiKey, AuditEvent, ChainVerdict, FailOpenStatus, Key, KeyVersion, OwnTenant, PolicyRule, PublicKeyFormat, Tenant } from "@pqkms/client";
export type Scope = ApiKey["scopes"][number];
export type PublicKey = PublicKeyAnswer;
export type Plan = Tenant["plan"];
export type TenantLimits = NonNullable<UpdateTenantRequest["limits"]>;
export type Usage = PlanUsage;
export type UsageDay = Usage["days"][number];

export interface KeyFilter {
  algorithm?: string;
  state?: string;
  name?: string;
  label?: string;
  cursor?: string;
  limit?: number;
}
export interface AuditFilter { key_id?: string; operation?: string; outcome?: string; request_id?: string; cursor?: string; limit?: number }

/** The API's failures, as the client reports them (status, code, rule, request id). */
export { PqkmsError as ApiProblem };

/** Base64 (RFC 4648 §4) as the API carries bytes, for the text boxes of the "try it" panel. */
function bytesOf(base64: string, field: string): Uint8Array {
  const bytes = fromBase64(base64.trim());
  if (bytes === undefined) throw new TypeError(`The ${field} is not base64`);
  return bytes;
}

/** Filters as typed into a form: empty fields are no filter. */
function filterOf<T extends object>(filter: T): T {
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== "")) as T;
}

export function createApi(credential: Credential, onUnauthorized: () => void, signal?: AbortSignal) {
  const client = new Pqkms(credential.kind === "tenant" ? { url: location.origin, apiKey: credential.token } : { url: location.origin, adminToken: credential.token });
  const o = { signal };
  /** Every call through here: a 401 signs out, whichever call met it. */
  const guard = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof PqkmsError && error.status === 401) onUnauthorized();
      throw error;
    }
  };
  const keys = client.keys;

  return {
    tenant: () => guard(() => client.tenant.get(o)),
    usage: () => guard(() => client.tenant.usage(o)),

    listKeys: (filter: KeyFilter) => guard(() => keys.listPage(filterOf(filter) as Parameters<typeof keys.listPage>[0], o)),
    getKey: (id: string) => guard(() => keys.get(id, o)),
    createKey: (body: { algorithm: string; name?: string; description?: string; labels?: Record<string, string> }) =>
      guard(() => keys.create(body as Parameters<typeof keys.create>[0], o)),
    rotate: (id: string) => guard(() => keys.rotate(id, o)),
    keyAction: (id: string, action: "disable" | "enable" | "schedule-deletion" | "cancel-deletion") =>
      guard(() => (action === "disable" ? keys.disable(id, o) : action === "enable" ? keys.enable(id, o) : action === "schedule-deletion" ? keys.scheduleDeletion(id, o) : keys.cancelDeletion(id, o))),
    versionAction: (id: string, version: number, action: "disable" | "enable" | "schedule-destruction" | "cancel-destruction") => {
      const v = keys.versions;
      return guard(() =>
        action === "disable" ? v.disable(id, version, o) : action === "enable" ? v.enable(id, version, o) : action === "schedule-destruction" ? v.scheduleDestruction(id, version, o) : v.cancelDestruction(id, version, o),
      );
    },
    /** The public key as the API answers it (raw and spki as base64, pem as text, jwk as an object), for display and copy. */
    publicKey: (id: string, format: PublicKeyFormat, version?: number) =>
      guard(async (): Promise<PublicKey> => {
        const answer = await keys.publicKey(id, { format, version, signal });
        const key = answer.public_key;
        return { ...answer, format, public_key: key instanceof Uint8Array ? toBase64(key) : key } as PublicKey;
      }),
    aliasesOf: (id: string) => guard(() => client.aliases.listPage({ key_id: id }, o)),

    /** The try-it panel's calls: text in, base64 out where the API answers bytes. */
    encrypt: (id: string, plaintext: string) =>
      guard(async () => {
        const r = await keys.encrypt(id, plaintext, o);
        return { ciphertext: toBase64(r.ciphertext), key_version: r.key_version };
      }),
    decrypt: (id: string, ciphertext: string) =>
      guard(async () => {
        const r = await keys.decrypt(id, bytesOf(ciphertext, "ciphertext"), o);
        return { plaintext: new TextDecoder().decode(r.plaintext), key_version: r.key_version };
      }),
    sign: (id: string, message: string) =>
      guard(async () => {
        const r = await keys.sign(id, message, o);
        return { signature: toBase64(r.signature), key_version: r.key_version };
      }),
    verify: (id: string, message: string, signature: string) => guard(() => keys.verify(id, message, bytesOf(signature, "signature"), o)),

    listApiKeys: () => guard(async () => ({ api_keys: await client.apiKeys.list(o) })),
    createApiKey: (body: { name: string; role?: string; scopes?: Scope[] }) => guard(() => client.apiKeys.create(body as Parameters<typeof client.apiKeys.create>[0], o)),
    revokeApiKey: (id: string) => guard(() => client.apiKeys.revoke(id, o)),

    auditEvents: (filter: AuditFilter) => guard(() => client.audit.eventsPage(filterOf(filter) as Parameters<typeof client.audit.eventsPage>[0], o)),
    verifyAudit: () => guard(() => client.audit.verify({}, o)),
    policyRules: () => guard(async () => ({ rules: await client.policyRules.list(o) })),

    failOpen: () => guard(() => client.admin.failOpen.get(o)),
    enableFailOpen: (minutes: number, reason: string) => guard(() => client.admin.failOpen.enable({ minutes, reason }, o)),
    disableFailOpen: () => guard(() => client.admin.failOpen.disable(o)),
    createTenant: (name: string, plan: Plan) => guard(() => client.admin.tenants.create({ name, plan }, o)),
    listTenants: (cursor?: string) => guard(() => client.admin.tenants.listPage({ limit: 20, cursor }, o)),
    getTenant: (id: string) => guard(() => client.admin.tenants.get(id, o)),
    updateTenant: (id: string, change: UpdateTenantRequest) => guard(() => client.admin.tenants.update(id, change, o)),
  };
}

export type Api = ReturnType<typeof createApi>;

/** Whether a failure is the abort of a page that was left (nothing to show). */
export const isAbort = (error: unknown) => error instanceof DOMException && error.name === "AbortError";
