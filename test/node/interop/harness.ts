/**
 * The public API of the three Workers as the interop and client tests call it: JSON requests to the
 * gateway with a tenant API key or the admin token. `startApi` starts Workers of its own
 * (test/support/workers-harness.ts); `sharedApi` talks to the run's one shared set, started by the
 * globalSetup of the interop and client projects (test/support/shared-workers.ts).
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, expect, inject } from "vitest";
import type {} from "../../support/shared-workers.ts";
import { startWorkers } from "../../support/workers-harness.ts";
import { TEST_SECRETS } from "../../support/workers-setup.ts";

export interface Api {
  /** A JSON request to the gateway; `auth` is a tenant API key (x-api-key) or "admin" (Bearer ADMIN_TOKEN). */
  request(method: string, pathname: string, options?: { auth?: string; body?: unknown }): Promise<Response>;
  /** Like request, but expects `status` and returns the parsed JSON body. */
  call<T>(method: string, pathname: string, options?: { auth?: string; body?: unknown; status?: number }): Promise<T>;
  /** The harness's own URL (a local socket): for a separate process, such as scripts/audit-archive.ts, to call the gateway. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the three Workers for this caller; `kmsVars` override the kms Worker's wrangler.toml vars. */
export async function startApi(options: { kmsVars?: Record<string, string> } = {}): Promise<Api> {
  const workers = await startWorkers(options);
  return apiOver((pathname, init) => workers.fetch(`http://pqkms.test${pathname}`, init), workers.url, () => workers.close());
}

/** The project's shared Workers (test/support/shared-workers.ts, its globalSetup). */
export function sharedApi(): Api {
  return connectApi(inject("pqkmsUrl"));
}

/** The API of Workers already running at `url` (closing it leaves them running). */
export function connectApi(url: string): Api {
  return apiOver((pathname, init) => fetch(new URL(pathname, url), init), url, async () => {});
}

function apiOver(send: (pathname: string, init: RequestInit) => Promise<Response>, url: string, close: () => Promise<void>): Api {
  async function request(method: string, pathname: string, options: { auth?: string; body?: unknown } = {}) {
    const headers: Record<string, string> = {};
    if (options.auth === "admin") headers.authorization = `Bearer ${TEST_SECRETS.ADMIN_TOKEN}`;
    else if (options.auth !== undefined) headers["x-api-key"] = options.auth;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["content-type"] = "application/json";
    }
    return send(pathname, { method, headers, body });
  }

  return {
    request,
    async call<T>(method: string, pathname: string, options: { auth?: string; body?: unknown; status?: number } = {}) {
      const response = await request(method, pathname, options);
      const text = await response.text();
      expect(response.status, `${method} ${pathname}: ${text}`).toBe(options.status ?? 200);
      return JSON.parse(text) as T;
    },
    url,
    close,
  };
}

/** Creates an enterprise tenant (so rate limits and plans never get in the way) and returns its API key. */
export async function createTenant(api: Api, name: string): Promise<string> {
  const created = await api.call<{ tenant: { id: string }; api_key: { token: string } }>("POST", "/admin/v1/tenants", {
    auth: "admin",
    body: { name, plan: "enterprise" },
    status: 201,
  });
  return created.api_key.token;
}

export const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString("base64");
export const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "base64"));

export interface PublicKeyAnswer<T = string> {
  key_id: string;
  version: number;
  algorithm: string;
  format: string;
  public_key: T;
}

/** Creates a key through the API and checks the basics of the answer; returns the key id. */
export async function createKey(api: Api, token: string, algorithm: string, purpose: "encrypt" | "sign"): Promise<string> {
  const key = await api.call<{ id: string }>("POST", "/v1/keys", { auth: token, body: { algorithm }, status: 201 });
  expect(key).toMatchObject({ algorithm, purpose, primary_version: 1 });
  return key.id;
}

/** GET /v1/keys/:id/public-key in one format, optionally of one version. */
export function publicKey<T = string>(api: Api, token: string, id: string, format: string, version?: number) {
  const query = version === undefined ? `format=${format}` : `format=${format}&version=${version}`;
  return api.call<PublicKeyAnswer<T>>("GET", `/v1/keys/${id}/public-key?${query}`, { auth: token });
}

export async function rawPublicKey(api: Api, token: string, id: string, version?: number): Promise<Uint8Array> {
  return unb64((await publicKey(api, token, id, "raw", version)).public_key);
}

/** A copy of `bytes` with the lowest bit of byte `index` flipped. */
export function flipBit(bytes: Uint8Array, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

/** Asserts an RFC 9457 problem response with this status and code. */
export async function expectProblem(response: Response, status: number, code: string): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(JSON.parse(text)).toMatchObject({ status, code });
}

/** POST /v1/keys/:id/sign; the signature as bytes, with the version that made it. */
export async function sign(api: Api, token: string, id: string, body: { message: Uint8Array; context?: Uint8Array }) {
  const signed = await api.call<{ signature: string; key_version: number }>("POST", `/v1/keys/${id}/sign`, {
    auth: token,
    body: { message: b64(body.message), ...(body.context === undefined ? {} : { context: b64(body.context) }) },
  });
  return { signature: Buffer.from(unb64(signed.signature)), version: signed.key_version };
}

/** architecture §7 HPKE envelope header length: "PQK" 0x01 | type | key id (16) | version (4) | 3 × u16 suite ids. */
export const HPKE_HEADER_BYTES = 3 + 1 + 1 + 16 + 4 + 2 + 2 + 2;

/**
 * The architecture §7 HPKE header, built here from the contract alone (never from our code), big-endian:
 * "PQK" 0x01 | 0x01 | key id (UUID bytes) | version u32 | kem u16 | kdf u16 | aead u16.
 */
export function hpkeEnvelopeHeader(keyId: string, version: number, suite: { kemId: number; kdfId: number; aeadId: number }): Buffer {
  const header = Buffer.alloc(HPKE_HEADER_BYTES);
  header.write("PQK", 0, "ascii");
  header[3] = 0x01;
  header[4] = 0x01;
  Buffer.from(keyId.replaceAll("-", ""), "hex").copy(header, 5);
  header.writeUInt32BE(version, 21);
  header.writeUInt16BE(suite.kemId, 25);
  header.writeUInt16BE(suite.kdfId, 27);
  header.writeUInt16BE(suite.aeadId, 29);
  return header;
}

/** An AKP JWK (ML-KEM, ML-DSA, SLH-DSA) as the public-key endpoint returns it. */
export interface AkpJwk {
  kty: string;
  alg: string;
  pub: string;
  kid: string;
}

/** RFC 7638 thumbprint of an AKP JWK: SHA-256 over its required members in lexicographic order. */
export function thumbprint(jwk: Pick<AkpJwk, "alg" | "kty" | "pub">): string {
  const canonical = JSON.stringify({ alg: jwk.alg, kty: jwk.kty, pub: jwk.pub });
  return crypto.createHash("sha256").update(canonical).digest("base64url");
}

/** One tenant on its own harness, started before the file's tests and closed after them. */
export interface Tenant {
  readonly api: Api;
  readonly token: string;
  createKey(algorithm: string, purpose: "encrypt" | "sign"): Promise<string>;
  publicKey<T = string>(id: string, format: string, version?: number): Promise<PublicKeyAnswer<T>>;
  rawPublicKey(id: string, version?: number): Promise<Uint8Array>;
  sign(id: string, body: { message: Uint8Array; context?: Uint8Array }): Promise<{ signature: Buffer; version: number }>;
  /** POST /v1/keys/:id/encrypt of `plaintext` bound to `aad`: the envelope (base64) and the version that sealed it. */
  encrypt(id: string, plaintext: Uint8Array, aad: Uint8Array): Promise<{ ciphertext: string; key_version: number }>;
  /** Version 1's public key in every format at once. */
  publicKeyForms(id: string): Promise<{
    spki: PublicKeyAnswer;
    pem: PublicKeyAnswer;
    jwk: PublicKeyAnswer<AkpJwk>;
    raw: PublicKeyAnswer;
  }>;
}

/** Registers the file's beforeAll (the shared Workers, or its own with `kmsVars`; create tenant `name`) and afterAll (close its own). */
export function useTenant(name: string, options: { kmsVars?: Record<string, string> } = {}): Tenant {
  let started: { api: Api; token: string } | undefined;
  beforeAll(async () => {
    const api = options.kmsVars === undefined ? sharedApi() : await startApi(options);
    started = { api, token: await createTenant(api, name) };
  }, 60_000);
  afterAll(async () => {
    await started?.api.close();
  });
  const current = () => {
    if (started === undefined) throw new Error(`tenant ${name} is used before its harness started`);
    return started;
  };
  return {
    get api() {
      return current().api;
    },
    get token() {
      return current().token;
    },
    createKey: (algorithm, purpose) => createKey(current().api, current().token, algorithm, purpose),
    publicKey: (id, format, version) => publicKey(current().api, current().token, id, format, version),
    rawPublicKey: (id, version) => rawPublicKey(current().api, current().token, id, version),
    sign: (id, body) => sign(current().api, current().token, id, body),
    encrypt: (id, plaintext, aad) =>
      current().api.call<{ ciphertext: string; key_version: number }>("POST", `/v1/keys/${id}/encrypt`, {
        auth: current().token,
        body: { plaintext: b64(plaintext), aad: b64(aad) },
      }),
    async publicKeyForms(id) {
      const { api, token } = current();
      const [spki, pem, jwk, raw] = await Promise.all([
        publicKey(api, token, id, "spki"),
        publicKey(api, token, id, "pem"),
        publicKey<AkpJwk>(api, token, id, "jwk"),
        publicKey(api, token, id, "raw"),
      ]);
      return { spki, pem, jwk, raw };
    },
  };
}
