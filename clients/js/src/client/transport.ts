/**
 * One HTTP exchange with the gateway, retried as retry.ts decides: credentials by the operation's
 * access, problem+json → PqkmsError, an Idempotency-Key made once per logical call and resent on
 * each retry, and waits that an abort ends at once.
 */
import { PqkmsError, type PqkmsErrorCode } from "./errors.ts";
import { OPERATIONS, type OperationId } from "./operations.ts";
import { DEFAULT_RETRY, NO_RETRY, nextDelayMs, parseRetryAfter, type RetryOptions } from "./retry.ts";

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call, including any wait between retries; the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** Your id for the request (8–128 of [A-Za-z0-9._:-]), echoed back and recorded in the audit log. */
  requestId?: string | undefined;
}

/** Where the client connects and with which credential. */
export type Credentials =
  | { url: string | URL; apiKey: string; adminToken?: string }
  | { url: string | URL; adminToken: string; apiKey?: string };

/** How the client behaves. */
export interface ClientOptions {
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Retry settings, or `false` to send each call once. */
  retry?: RetryOptions | false;
  /** User-Agent header outside browsers (default `pqkms-js/<version>`). */
  userAgent?: string;
}

/** @internal What a resource method asks of the transport. */
export interface Call {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | undefined> | undefined;
  body?: unknown;
  /** Sent as Authorization: Bearer, for routes with their own token (/metrics). */
  bearer?: string;
  /** Statuses answered with a documented JSON body rather than a problem (503 from /ready). */
  okStatuses?: readonly number[];
  idempotencyKey?: string | undefined;
}

/** The package version, sent in the default User-Agent. */
export const VERSION = "0.1.0";

const RETRYABLE_STATUS = new Set([429, 503]);
/** 503s raised before the handler runs (rate limiter, policy engine): nothing was done, so any call may repeat. */
const NOTHING_DONE = new Set<PqkmsErrorCode>(["rate_limiter_unavailable", "policy_unavailable"]);
const isBrowser = typeof (globalThis as { document?: unknown }).document !== "undefined";

/** A wait that an abort cuts short, rejecting with the signal's reason. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

async function problemOf(response: Response, nowMs: number): Promise<PqkmsError> {
  const requestId = response.headers.get("X-Request-ID") ?? undefined;
  const retryAfter = parseRetryAfter(response.headers.get("Retry-After"), nowMs);
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(await response.text());
    if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's page): described below by status alone.
  }
  const code = typeof body.code === "string" ? (body.code as PqkmsErrorCode) : "invalid_response";
  return new PqkmsError({
    status: response.status,
    code,
    detail: typeof body.detail === "string" ? body.detail : `HTTP ${response.status} without a problem body`,
    rule: typeof body.rule === "string" ? body.rule : undefined,
    requestId: typeof body.request_id === "string" ? body.request_id : requestId,
    retryAfter,
  });
}

/** @internal The client's HTTP layer, shared by every resource group. */
export class Transport {
  readonly #base: string;
  readonly #credentials: Credentials;
  readonly #fetch: typeof fetch;
  readonly #retry: Required<RetryOptions>;
  readonly #userAgent: string | undefined;
  /** Injectable for tests of the retry schedule. */
  random: () => number = Math.random;
  now: () => number = Date.now;

  constructor(credentials: Credentials, options: ClientOptions = {}) {
    const url = String(credentials.url);
    if (!/^https?:\/\//i.test(url)) throw new TypeError("url must be an http(s) URL");
    if (!("apiKey" in credentials && credentials.apiKey) && !("adminToken" in credentials && credentials.adminToken)) {
      throw new TypeError("give an apiKey or an adminToken");
    }
    this.#base = url.replace(/\/+$/, "");
    this.#credentials = credentials;
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#retry = options.retry === false ? NO_RETRY : { ...DEFAULT_RETRY, ...options.retry };
    this.#userAgent = options.userAgent ?? (isBrowser ? undefined : `pqkms-js/${VERSION}`);
  }

  #url(id: OperationId, call: Call): string {
    const path = OPERATIONS[id].path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = call.params?.[name];
      if (value === undefined || value === "") throw new TypeError(`${name} is required`);
      return encodeURIComponent(String(value));
    });
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(call.query ?? {})) if (value !== undefined) query.set(name, String(value));
    const search = query.toString();
    return `${this.#base}${path}${search ? `?${search}` : ""}`;
  }

  #headers(id: OperationId, call: Call, options: CallOptions): Headers {
    const spec = OPERATIONS[id];
    const headers = new Headers({ Accept: "application/json, application/problem+json;q=0.9, */*;q=0.5" });
    if (this.#userAgent) headers.set("User-Agent", this.#userAgent);
    if (spec.auth === "tenant") {
      if (!this.#credentials.apiKey) throw new TypeError(`${spec.client} needs a client made with an apiKey`);
      headers.set("x-api-key", this.#credentials.apiKey);
    } else if (spec.auth === "admin") {
      if (!this.#credentials.adminToken) throw new TypeError(`${spec.client} needs a client made with an adminToken`);
      headers.set("Authorization", `Bearer ${this.#credentials.adminToken}`);
    } else if (call.bearer !== undefined) {
      headers.set("Authorization", `Bearer ${call.bearer}`);
    }
    if (call.body !== undefined) headers.set("Content-Type", "application/json");
    if (call.idempotencyKey !== undefined) headers.set("Idempotency-Key", call.idempotencyKey);
    if (options.requestId !== undefined) headers.set("X-Request-ID", options.requestId);
    return headers;
  }

  /**
   * Sends the call until it is answered with success, fails for good, or runs out of attempts or
   * time; returns the successful Response (its body unread).
   */
  async send(id: OperationId, call: Call, options: CallOptions = {}): Promise<Response> {
    const spec = OPERATIONS[id];
    const { signal } = options;
    const url = this.#url(id, call);
    const headers = this.#headers(id, call, options);
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const started = this.now();
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let failure: PqkmsError;
      let mayRepeat: boolean;
      try {
        // Never follow a redirect: it would carry the x-api-key header to wherever it points.
        const response = await this.#fetch(url, { method: spec.method, headers, body, signal, redirect: "manual" });
        if (response.ok || call.okStatuses?.includes(response.status)) return response;
        failure = await problemOf(response, this.now());
        // 429 is answered before anything is done; a 503 may come after the handler acted.
        mayRepeat = RETRYABLE_STATUS.has(response.status) && (response.status === 429 || spec.repeatable || NOTHING_DONE.has(failure.code));
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof PqkmsError) throw error;
        const detail = error instanceof Error ? error.message : String(error);
        failure = new PqkmsError({ status: 0, code: "network_error", detail: `no answer from ${this.#base}: ${detail}`, cause: error });
        mayRepeat = spec.repeatable;
      }
      const delay = mayRepeat ? nextDelayMs(attempt, started, this.now(), failure.retryAfter, this.#retry, this.random) : undefined;
      if (delay === undefined) throw failure;
      await sleep(delay, signal);
    }
  }

  /** The call's JSON answer (undefined for 204). */
  async json<T>(id: OperationId, call: Call = {}, options: CallOptions = {}): Promise<T> {
    const response = await this.send(id, call, options);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new PqkmsError({
        status: response.status,
        code: "invalid_response",
        detail: `${id} answered a body that is not JSON`,
        requestId: response.headers.get("X-Request-ID") ?? undefined,
      });
    }
  }
}
