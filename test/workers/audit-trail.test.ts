/**
 * The tenant's audit trail through the API (architecture §9): every lifecycle change and every crypto
 * operation — allowed, denied or failed — adds exactly one event naming the API key, the request,
 * the key and version and the outcome; `GET /v1/audit-events` pages newest first with filters;
 * `GET /v1/audit-events/verify` checks the hash chain, from the latest checkpoint or (`from=window`)
 * over every event the vault holds.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditEventView } from "../../workers/shared/rpc.ts";
import type { TestTenant } from "./helpers.ts";
import { api, b64, createKey, ok, roomyTenant, toBase64, type Answer, type KeyView } from "./kms-helpers.ts";

type Page = { events: AuditEventView[]; next_cursor: string | null };

const eventsOf = async (tenant: TestTenant, query = "") => ok<Page>(tenant, "GET", `/v1/audit-events?limit=100${query}`);

describe("one event per operation", () => {
  it("records each lifecycle change and crypto operation once, with its outcome, request id and version", async () => {
    const tenant = await roomyTenant();
    const kem = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const path = (action = "") => `/v1/keys/${kem.id}${action ? `/${action}` : ""}`;
    const envelope = async () => (await ok<{ ciphertext: string }>(tenant, "POST", path("encrypt"), { plaintext: b64("x") })).ciphertext;
    const v1 = await envelope();

    const steps: [string, () => Promise<Answer>, Partial<AuditEventView>][] = [
      ["update", () => api(tenant, "PATCH", path(), { name: "n" }), { operation: "keys.update", outcome: "allowed" }],
      ["rotate", () => api(tenant, "POST", path("rotate")), { operation: "keys.rotate", outcome: "allowed", key_version: 2 }],
      ["encrypt", () => api(tenant, "POST", path("encrypt"), { plaintext: b64("x") }), { operation: "crypto.encrypt", outcome: "allowed", key_version: 2 }],
      ["decrypt v1", () => api(tenant, "POST", path("decrypt"), { ciphertext: v1 }), { operation: "crypto.decrypt", outcome: "allowed", key_version: 1 }],
      ["decrypt garbage", () => api(tenant, "POST", path("decrypt"), { ciphertext: b64("garbage") }), { operation: "crypto.decrypt", outcome: "failed", rule: "decrypt_failed" }],
      ["sign with a KEM key", () => api(tenant, "POST", path("sign"), { message: b64("m") }), { operation: "crypto.sign", outcome: "failed", rule: "unsupported_operation" }],
      ["decapsulate, wrong length", () => api(tenant, "POST", path("decapsulate"), { ciphertext: b64("short") }), { operation: "crypto.decapsulate", outcome: "failed", rule: "invalid_request" }],
      ["encapsulate", () => api(tenant, "POST", path("encapsulate")), { operation: "crypto.encapsulate", outcome: "allowed", key_version: 2 }],
      ["raise min version", () => api(tenant, "PATCH", path(), { min_decryption_version: 2 }), { operation: "keys.update", outcome: "allowed" }],
      ["decrypt below min", () => api(tenant, "POST", path("decrypt"), { ciphertext: v1 }), { operation: "crypto.decrypt", outcome: "denied", rule: "key_disabled" }],
      ["disable", () => api(tenant, "POST", path("disable")), { operation: "keys.disable", outcome: "allowed" }],
      ["encrypt while disabled", () => api(tenant, "POST", path("encrypt"), { plaintext: b64("x") }), { operation: "crypto.encrypt", outcome: "denied", rule: "key_disabled" }],
      ["enable", () => api(tenant, "POST", path("enable")), { operation: "keys.enable", outcome: "allowed" }],
      ["schedule deletion", () => api(tenant, "POST", path("schedule-deletion"), { days: 7 }), { operation: "keys.schedule-deletion", outcome: "allowed" }],
      ["cancel deletion", () => api(tenant, "POST", path("cancel-deletion")), { operation: "keys.cancel-deletion", outcome: "allowed" }],
    ];

    let seen = (await eventsOf(tenant)).events.length;
    for (const [name, run, expected] of steps) {
      const answer = await run();
      const { events } = await eventsOf(tenant);
      expect({ name, added: events.length - seen }).toEqual({ name, added: 1 });
      seen = events.length;
      expect({ name, event: events[0] }).toMatchObject({
        name,
        event: { ...expected, key_id: kem.id, api_key_id: tenant.apiKeyId, request_id: answer.requestId, severity: expected.outcome === "allowed" ? "info" : "warning" },
      });
    }
  });

  it("records operations on a key id that does not exist, and no events for reads", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "ML-DSA-44" });
    const before = (await eventsOf(tenant)).events.length;
    await ok(tenant, "GET", `/v1/keys/${key.id}`);
    await ok(tenant, "GET", "/v1/keys");
    await ok(tenant, "GET", `/v1/keys/${key.id}/public-key`);
    expect((await eventsOf(tenant)).events.length).toBe(before);

    const missing = crypto.randomUUID();
    await api(tenant, "POST", `/v1/keys/${missing}/sign`, { message: b64("m") });
    const [event] = (await eventsOf(tenant, `&key_id=${missing}`)).events;
    expect(event).toMatchObject({ operation: "crypto.sign", outcome: "denied", rule: "key_not_found", key_version: null });
  });
});

describe("listing and verification", () => {
  let tenant: TestTenant;
  let key: KeyView;
  let other: KeyView;
  beforeAll(async () => {
    tenant = await roomyTenant();
    key = await createKey(tenant, { algorithm: "ML-KEM-512" });
    other = await createKey(tenant, { algorithm: "ML-KEM-512" });
    for (let i = 0; i < 5; i++) await ok(tenant, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: b64(`m${i}`) });
    await ok(tenant, "POST", `/v1/keys/${key.id}/disable`);
    await api(tenant, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: b64("refused") });
    await ok(tenant, "POST", `/v1/keys/${other.id}/encrypt`, { plaintext: b64("o") });
  });

  it("pages newest first with a cursor, without gaps or repeats", async () => {
    const all = (await eventsOf(tenant)).events;
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((a, b) => b - a));
    const paged: AuditEventView[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await ok<Page>(tenant, "GET", `/v1/audit-events?limit=3${cursor === null ? "" : `&cursor=${cursor}`}`);
      expect(page.events.length).toBeLessThanOrEqual(3);
      paged.push(...page.events);
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(paged).toEqual(all);
  });

  it("filters by key, operation, outcome and time", async () => {
    const byKey = (await eventsOf(tenant, `&key_id=${key.id}`)).events;
    expect(byKey.length).toBe(8);
    expect(byKey.every((e) => e.key_id === key.id)).toBe(true);
    expect((await eventsOf(tenant, `&key_id=${key.id.toUpperCase()}`)).events).toEqual(byKey);

    const encrypts = (await eventsOf(tenant, `&key_id=${key.id}&operation=crypto.encrypt`)).events;
    expect(encrypts.map((e) => e.outcome)).toEqual(["denied", "allowed", "allowed", "allowed", "allowed", "allowed"]);
    const denied = (await eventsOf(tenant, "&outcome=denied")).events;
    expect(denied.map((e) => [e.operation, e.rule])).toEqual([["crypto.encrypt", "key_disabled"]]);

    const all = (await eventsOf(tenant)).events;
    const middle = all[Math.floor(all.length / 2)] as AuditEventView;
    const from = encodeURIComponent(middle.time);
    const since = (await eventsOf(tenant, `&from=${from}`)).events;
    expect(since.length).toBeGreaterThan(0);
    expect(since.every((e) => e.time >= middle.time)).toBe(true);
    // Both bounds are inclusive: events at the middle one's millisecond are in both pages.
    const until = (await eventsOf(tenant, `&to=${from}`)).events;
    expect(until.every((e) => e.time <= middle.time)).toBe(true);
    expect(since.length + until.length).toBe(all.length + all.filter((e) => e.time === middle.time).length);

    // A date is a whole UTC day: from the start of `from`'s day to the end of `to`'s.
    const today = middle.time.slice(0, 10);
    const dayBefore = new Date(Date.parse(today) - 86_400_000).toISOString().slice(0, 10);
    expect((await eventsOf(tenant, `&from=${today}&to=${today}`)).events).toEqual(all.filter((e) => e.time.startsWith(today)));
    expect((await eventsOf(tenant, `&to=${dayBefore}`)).events).toEqual(all.filter((e) => e.time < today));
  });

  it("refuses malformed queries, naming the parameter", async () => {
    for (const query of ["limit=0", "limit=101", "cursor=abc", "outcome=maybe", "key_id=nope", "from=yesterday"]) {
      const answer = await api(tenant, "GET", `/v1/audit-events?${query}`);
      expect(answer).toMatchObject({ status: 400, body: { code: "invalid_request", detail: expect.stringContaining(`query.${query.split("=")[0]}`) } });
    }
  });

  it("verifies a long chain as valid", async () => {
    const busy = await roomyTenant();
    const kem = await createKey(busy, { algorithm: "ML-KEM-512" });
    const body = { plaintext: toBase64(new Uint8Array(8)) };
    for (let batch = 0; batch < 8; batch++) {
      const answers = await Promise.all(Array.from({ length: 25 }, () => api(busy, "POST", `/v1/keys/${kem.id}/encrypt`, body)));
      expect(answers.every((a) => a.status === 200)).toBe(true);
    }
    // from=window walks all 201 events; the default starts from the latest checkpoint (the alarm signs
    // one per archived segment), so it checks at most as many, and says where it started.
    expect(await ok(busy, "GET", "/v1/audit-events/verify?from=window")).toMatchObject({ valid: true, checked: 201, from_seq: 1, to_seq: 201 });
    const fromCheckpoint = await ok<{ valid: boolean; checked: number; basis: string; to_seq: number }>(busy, "GET", "/v1/audit-events/verify");
    expect(fromCheckpoint).toMatchObject({ valid: true, to_seq: 201 });
    expect(["checkpoint", "genesis"]).toContain(fromCheckpoint.basis);
    expect(fromCheckpoint.checked).toBeLessThanOrEqual(201);
  });
});
