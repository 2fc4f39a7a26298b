/**
 * The retry schedule as pure functions (no waiting): Retry-After in both of RFC 9110's forms,
 * full-jitter backoff bounds, and giving up on attempts and on total time. Then which answers the
 * client sends again, with a fetch that answers scripted statuses in the gateway's place (a real 429
 * and a lost answer are in retries.test.ts, against the Workers).
 */
import { describe, expect, it } from "vitest";
import { Pqkms } from "../src/index.ts";
import { backoffMs, DEFAULT_RETRY, nextDelayMs, parseRetryAfter } from "../src/client/retry.ts";

const NOW = Date.parse("2026-12-02T10:00:00Z");

describe("parseRetryAfter (RFC 9110 §10.2.3)", () => {
  it("reads delay-seconds and HTTP-dates", () => {
    expect(parseRetryAfter("3", NOW)).toBe(3);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(0);
    expect(parseRetryAfter("Wed, 02 Dec 2026 10:00:05 GMT", NOW)).toBe(5);
    expect(parseRetryAfter("Wed, 02 Dec 2026 09:59:00 GMT", NOW)).toBe(0);
  });

  it("ignores what is absent or unreadable", () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter("soon", NOW)).toBeUndefined();
    expect(parseRetryAfter("-1", NOW)).toBeUndefined();
  });
});

describe("backoff", () => {
  it("draws from 0 up to a ceiling that doubles and is capped", () => {
    const options = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffMs(attempt, options, () => 0.999999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffMs(3, options, () => 0)).toBe(0);
  });

  it("Retry-After wins over the backoff, even above its cap", () => {
    expect(nextDelayMs(1, NOW, NOW, 7, { ...DEFAULT_RETRY, maxDelayMs: 1_000 }, () => 0.5)).toBe(7_000);
  });

  it("gives up when the attempts are spent or the wait would pass the total time", () => {
    const options = { ...DEFAULT_RETRY, maxAttempts: 3, maxElapsedMs: 10_000 };
    expect(nextDelayMs(2, NOW, NOW, undefined, options, () => 0.5)).toBeTypeOf("number");
    expect(nextDelayMs(3, NOW, NOW, undefined, options, () => 0.5)).toBeUndefined();
    expect(nextDelayMs(1, NOW, NOW + 5_000, 6, options, () => 0.5)).toBeUndefined();
    expect(nextDelayMs(1, NOW, NOW + 5_000, 5, options, () => 0.5)).toBe(5_000);
  });
});

describe("which failures the client sends again", () => {
  /** Answers in the gateway's place with the given statuses and codes, one per request, recording each request. */
  function scriptedFetch(answers: { status: number; code?: string }[], sent: string[]): typeof fetch {
    return async (input, init) => {
      sent.push(`${init?.method} ${new URL(String(input)).pathname}`);
      const { status, code } = answers.shift() ?? { status: 200 };
      if (status === 200) return Response.json({ id: "k", primary_version: 2 });
      const problem = { type: "about:blank", title: "x", status, detail: "scripted", code, request_id: "scripted-0001" };
      return new Response(JSON.stringify(problem), { status, headers: { "Content-Type": "application/problem+json", "Retry-After": "0" } });
    };
  }
  const client = (answers: { status: number; code?: string }[], sent: string[]) =>
    new Pqkms({ url: "http://gateway.test", apiKey: "pqk_unused" }, { fetch: scriptedFetch(answers, sent), retry: { baseDelayMs: 0 } });

  it("a 503 after which the vault may have acted is not repeated for a change", async () => {
    const sent: string[] = [];
    await expect(client([{ status: 503, code: "kms_unavailable" }], sent).keys.rotate("k")).rejects.toMatchObject({ status: 503, code: "kms_unavailable", retryAfter: 0 });
    expect(sent).toHaveLength(1);
  });

  it("a 503 from before the handler ran is repeated for a change, and any 503 for a read", async () => {
    const sent: string[] = [];
    await expect(client([{ status: 503, code: "policy_unavailable" }], sent).keys.rotate("k")).resolves.toMatchObject({ primary_version: 2 });
    await expect(client([{ status: 503, code: "kms_unavailable" }], sent).keys.get("k")).resolves.toMatchObject({ id: "k" });
    expect(sent).toEqual(["POST /v1/keys/k/rotate", "POST /v1/keys/k/rotate", "GET /v1/keys/k", "GET /v1/keys/k"]);
  });

  it("other 4xx and 5xx are never repeated", async () => {
    const sent: string[] = [];
    await expect(client([{ status: 409, code: "conflict" }], sent).keys.get("k")).rejects.toMatchObject({ status: 409, code: "conflict" });
    await expect(client([{ status: 500, code: "internal_error" }], sent).keys.get("k")).rejects.toMatchObject({ status: 500 });
    expect(sent).toHaveLength(2);
  });

  it("gives up after maxAttempts", async () => {
    const sent: string[] = [];
    const unavailable = Array.from({ length: 10 }, () => ({ status: 429, code: "rate_limited" }));
    await expect(client(unavailable, sent).tenant.get()).rejects.toMatchObject({ status: 429, code: "rate_limited" });
    expect(sent).toHaveLength(DEFAULT_RETRY.maxAttempts);
  });
});
