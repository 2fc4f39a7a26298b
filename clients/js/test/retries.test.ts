/**
 * Retries against the real three Workers: a real 429 from the rate limiter waited out as its
 * Retry-After says; a create whose answer is lost on the way back, retried with the same
 * Idempotency-Key, makes one key; an abort ends a call and its waits at once.
 *
 * The fetches injected here are named for what they do to the real exchange (`recordingFetch`,
 * `answerLostFetch`); every request still reaches the real gateway unless the test says otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedApi, type Api } from "../../../test/node/interop/harness.ts";
import { TEST_SECRETS } from "../../../test/support/workers-setup.ts";
import { Pqkms, PqkmsError } from "../src/index.ts";

let api: Api;
let admin: Pqkms;

beforeAll(async () => {
  api = sharedApi();
  admin = new Pqkms({ url: api.url, adminToken: TEST_SECRETS.ADMIN_TOKEN });
}, 60_000);
afterAll(() => api?.close());

interface Exchange {
  method: string;
  url: string;
  idempotencyKey: string | null;
  status: number | "lost";
  retryAfter: string | null;
}

/** The real fetch, writing down each request and its answer. */
function recordingFetch(log: Exchange[]): typeof fetch {
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    const entry: Exchange = { method: init?.method ?? "GET", url: String(input), idempotencyKey: headers.get("Idempotency-Key"), status: "lost", retryAfter: null };
    log.push(entry);
    const response = await fetch(input, init);
    entry.status = response.status;
    entry.retryAfter = response.headers.get("Retry-After");
    return response;
  };
}

/** A tenant whose rate limit lets one request through per second, with no burst. */
async function slowTenant(): Promise<string> {
  const { tenant, api_key } = await admin.admin.tenants.create({ name: `slow-${crypto.randomUUID()}`, plan: "pro" });
  await admin.admin.tenants.update(tenant.id, { limits: { rate_per_second: 1, burst: 1 } });
  return api_key.token;
}

describe("429 from the rate limiter", () => {
  it("is retried after the Retry-After the gateway sent", async () => {
    const log: Exchange[] = [];
    // No backoff of its own: only by waiting as Retry-After says can the second attempt get through
    // a limiter that admits one request a second; two attempts in all.
    const client = new Pqkms({ url: api.url, apiKey: await slowTenant() }, { fetch: recordingFetch(log), retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 } });
    await client.tenant.get();
    const usage = await client.tenant.usage();
    expect(usage.operations).toBeGreaterThanOrEqual(1);
    const statuses = log.map((e) => e.status);
    expect(statuses).toEqual([200, 429, 200]);
    expect(Number(log[1]!.retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it("fails with rate_limited and its retryAfter when retries are off", async () => {
    const client = new Pqkms({ url: api.url, apiKey: await slowTenant() }, { retry: false });
    await client.tenant.get();
    const error = await client.tenant.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PqkmsError);
    expect(error).toMatchObject({ status: 429, code: "rate_limited" });
    expect((error as PqkmsError).retryAfter).toBeGreaterThanOrEqual(1);
  });
});

describe("a create whose answer is lost", () => {
  it("is retried with the same Idempotency-Key and makes one key", async () => {
    const { api_key } = await admin.admin.tenants.create({ name: `idem-${crypto.randomUUID()}`, plan: "enterprise" });
    const log: Exchange[] = [];
    const recording = recordingFetch(log);
    let lost = 0;
    /** Sends the first create to the gateway, lets it answer, then drops the answer as a reset connection would. */
    const answerLostFetch: typeof fetch = async (input, init) => {
      const response = await recording(input, init);
      if (init?.method === "POST" && lost++ === 0) {
        log.at(-1)!.status = "lost";
        await response.body?.cancel();
        throw new TypeError("fetch failed: connection reset after the request was sent");
      }
      return response;
    };
    const client = new Pqkms({ url: api.url, apiKey: api_key.token }, { fetch: answerLostFetch, retry: { baseDelayMs: 0 } });
    const key = await client.keys.create({ algorithm: "ML-KEM-768", name: "once" });

    const creates = log.filter((e) => e.method === "POST");
    expect(creates.map((e) => e.status)).toEqual(["lost", 201]);
    expect(creates[0]!.idempotencyKey).toMatch(/.{16,}/);
    expect(creates[1]!.idempotencyKey).toBe(creates[0]!.idempotencyKey);
    const keys = await client.keys.list().toArray();
    expect(keys.map((k) => k.id)).toEqual([key.id]);
  });

  it("a change that is not safe to repeat is not retried", async () => {
    const { api_key } = await admin.admin.tenants.create({ name: `norepeat-${crypto.randomUUID()}`, plan: "enterprise" });
    const plain = new Pqkms({ url: api.url, apiKey: api_key.token });
    const key = await plain.keys.create({ algorithm: "AES-256-GCM" });
    let sent = 0;
    const answerLostFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      sent++;
      await response.body?.cancel();
      throw new TypeError("fetch failed: connection reset after the request was sent");
    };
    const client = new Pqkms({ url: api.url, apiKey: api_key.token }, { fetch: answerLostFetch, retry: { baseDelayMs: 0 } });
    const error = await client.keys.rotate(key.id).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, code: "network_error" });
    expect(sent).toBe(1);
    expect((await plain.keys.get(key.id)).primary_version).toBe(2);
  });
});

describe("abort", () => {
  it("a signal already aborted sends nothing", async () => {
    let sent = 0;
    const countingFetch: typeof fetch = (input, init) => {
      sent++;
      return fetch(input, init);
    };
    const client = new Pqkms({ url: api.url, adminToken: TEST_SECRETS.ADMIN_TOKEN }, { fetch: countingFetch });
    const reason = new Error("stopped by the caller");
    await expect(client.system.health({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(sent).toBe(0);
  });

  it("ends the wait for a retry at once, with the signal's reason", async () => {
    const controller = new AbortController();
    /** Answers in the gateway's place: 503 with a Retry-After of an hour, and aborts once the client is waiting. */
    const unavailableFetch: typeof fetch = async () => {
      setTimeout(() => controller.abort(), 0);
      const problem = { type: "about:blank", title: "Service Unavailable", status: 503, detail: "kms down", code: "kms_unavailable", request_id: "test-request-1" };
      return new Response(JSON.stringify(problem), { status: 503, headers: { "Content-Type": "application/problem+json", "Retry-After": "3600" } });
    };
    const client = new Pqkms({ url: api.url, apiKey: "pqk_unused" }, { fetch: unavailableFetch, retry: { maxElapsedMs: 7_200_000 } });
    // Without the abort the client would wait an hour and the test would time out.
    const error = await client.keys.get(crypto.randomUUID(), { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
  });

  it("an abort during a real request rejects with the signal's reason", async () => {
    const client = new Pqkms({ url: api.url, adminToken: TEST_SECRETS.ADMIN_TOKEN });
    const controller = new AbortController();
    const call = client.system.health({ signal: controller.signal });
    const reason = new Error("changed my mind");
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });
});
