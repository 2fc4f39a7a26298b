/**
 * The API is strict and says what it refuses, through the real gateway:
 * - authorization before validation: a caller without the scope, or restricted away from the key
 *   in the path, is refused 403 (and audited) whatever its body; an authorized caller with a
 *   malformed body gets 400 naming the field;
 * - key restrictions everywhere: a key-restricted API key lists its keys only and reads the audit
 *   events of its keys only;
 * - unknown query parameters and body fields are 400 naming them; reserved label names are 400;
 *   limits are stated and enforced in decoded bytes;
 * - filters: keys by name and label, audit events by request id; one operation vocabulary whatever
 *   the outcome.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { AUDIT_OPERATIONS } from "../../workers/shared/operations.ts";
import type { AuditEventView } from "../../workers/shared/rpc.ts";
import { createApiKey, type TestTenant } from "./helpers.ts";
import { api, b64, createKey, ok, roomyTenant, toBase64, type KeyView } from "./kms-helpers.ts";

type Page = { events: AuditEventView[]; next_cursor: string | null };
type KeyPage = { keys: KeyView[]; next_cursor: string | null };

const events = (tenant: TestTenant, query = "") => ok<Page>(tenant, "GET", `/v1/audit-events?limit=100${query}`);

/** Denials are audited in the background: wait until the log shows them. */
function eventually<T>(check: () => Promise<T>): Promise<T> {
  return vi.waitFor(check, { timeout: 5_000, interval: 50 });
}

describe("authorize before validate", () => {
  let tenant: TestTenant;
  let auditor: TestTenant;
  let key: KeyView;
  let other: KeyView;
  let restricted: TestTenant;

  beforeAll(async () => {
    tenant = await roomyTenant("authorize-first");
    key = await createKey(tenant, { algorithm: "ML-KEM-768" });
    other = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const a = await createApiKey(tenant, { name: "auditor", role: "auditor" });
    auditor = { ...tenant, token: a.token, apiKeyId: a.id };
    const r = await createApiKey(tenant, { name: "one key", role: "app", key_ids: [key.id] });
    restricted = { ...tenant, token: r.token, apiKeyId: r.id };
  });

  it("answers 403 to a caller without the scope whatever its body, and audits the denial", async () => {
    for (const body of [{ algorithm: 5, bogus: true }, { algorithm: "ML-KEM-768" }, "not json"]) {
      const answer = await api(auditor, "POST", "/v1/keys", body);
      expect(answer).toMatchObject({ status: 403, body: { code: "access_denied", rule: "scopes" } });
    }
    const denied = await eventually(async () => {
      const page = await events(tenant, `&operation=keys.create&outcome=denied`);
      expect(page.events).toHaveLength(3);
      return page.events;
    });
    expect(denied.every((e) => e.api_key_id === auditor.apiKeyId && e.rule === "scopes")).toBe(true);
  });

  it("answers 403 to a caller restricted away from the key in the path, before reading its body", async () => {
    const answer = await api(restricted, "POST", `/v1/keys/${other.id}/encrypt`, { plaintext: "%%%", bogus: 1 });
    expect(answer).toMatchObject({ status: 403, body: { code: "access_denied", rule: "key_restriction" } });
    await eventually(async () => {
      const page = await events(tenant, `&key_id=${other.id}&outcome=denied&operation=crypto.encrypt`);
      expect(page.events.map((e) => [e.api_key_id, e.rule])).toEqual([[restricted.apiKeyId, "key_restriction"]]);
    });
  });

  it("answers an authorized caller's malformed body with 400 naming the field", async () => {
    expect(await api(tenant, "POST", "/v1/keys", { algorithm: 5 })).toMatchObject({
      status: 400,
      body: { code: "invalid_request", detail: expect.stringContaining("body.algorithm") },
    });
    expect(await api(restricted, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: "%%%" })).toMatchObject({
      status: 400,
      body: { detail: expect.stringContaining("body.plaintext: must be base64") },
    });
  });
});

describe("key restrictions everywhere", () => {
  it("lists only the restricted key, and reads only its audit events", async () => {
    const tenant = await roomyTenant("restricted-reads");
    const mine = await createKey(tenant, { algorithm: "ML-KEM-768", name: "mine" });
    const theirs = await createKey(tenant, { algorithm: "ML-KEM-768", name: "theirs" });
    const r = await createApiKey(tenant, { name: "reader", scopes: ["keys:read", "audit:read", "crypto:encrypt"], key_ids: [mine.id] });
    const reader = { ...tenant, token: r.token, apiKeyId: r.id };
    await ok(tenant, "POST", `/v1/keys/${theirs.id}/encrypt`, { plaintext: b64("x") });
    await ok(reader, "POST", `/v1/keys/${mine.id}/encrypt`, { plaintext: b64("y") });

    const listed = await ok<KeyPage>(reader, "GET", "/v1/keys");
    expect(listed.keys.map((k) => k.id)).toEqual([mine.id]);
    expect((await ok<KeyPage>(tenant, "GET", "/v1/keys")).keys.map((k) => k.id).sort()).toEqual([mine.id, theirs.id].sort());

    const seen = (await events(reader)).events;
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.every((e) => e.key_id === mine.id)).toBe(true);
    expect((await events(reader, `&key_id=${theirs.id}`)).events).toEqual([]);
    expect((await events(tenant, `&key_id=${theirs.id}`)).events.length).toBeGreaterThanOrEqual(2);
  });
});

describe("strict input", () => {
  let tenant: TestTenant;
  let key: KeyView;

  beforeAll(async () => {
    tenant = await roomyTenant("strict-input");
    key = await createKey(tenant, { algorithm: "ML-KEM-768" });
  });

  it("refuses unknown query parameters, naming them", async () => {
    for (const [path, name] of [
      ["/v1/keys?bogus=1", "bogus"],
      ["/v1/audit-events?key=1", "key"],
      ["/v1/tenant?verbose=true", "verbose"],
      [`/v1/keys/${key.id}?expand=versions`, "expand"],
    ] as const) {
      expect(await api(tenant, "GET", path)).toMatchObject({
        status: 400,
        body: { code: "invalid_request", detail: `query: unknown name "${name}"` },
      });
    }
  });

  it("refuses unknown body fields, and a body where the operation takes none, naming them", async () => {
    expect(await api(tenant, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: b64("x"), aad_b64: b64("y") })).toMatchObject({
      status: 400,
      body: { detail: 'body: unknown name "aad_b64"' },
    });
    expect(await api(tenant, "POST", "/v1/keys", { algorithm: "ML-KEM-768", purpose: "encrypt" })).toMatchObject({
      status: 400,
      body: { detail: 'body: unknown name "purpose"' },
    });
    expect(await api(tenant, "POST", `/v1/keys/${key.id}/rotate`, { force: true })).toMatchObject({
      status: 400,
      body: { detail: 'body: unknown name "force"' },
    });
    expect((await ok<KeyView>(tenant, "GET", `/v1/keys/${key.id}`)).primary_version).toBe(1);
  });

  it("treats a JSON null body as a body that is not an object, never as no body", async () => {
    expect(await api(tenant, "POST", `/v1/keys/${key.id}/schedule-deletion`, "null")).toMatchObject({
      status: 400,
      body: { code: "invalid_request", detail: expect.stringContaining("body") },
    });
    expect(await api(tenant, "POST", `/v1/keys/${key.id}/rotate`, "null")).toMatchObject({
      status: 400,
      body: { detail: "body: this operation takes no body" },
    });
    const after = await ok<KeyView>(tenant, "GET", `/v1/keys/${key.id}`);
    expect(after).toMatchObject({ state: "enabled", primary_version: 1, deletion_date: null });
  });

  it("refuses reserved label names instead of dropping them", async () => {
    for (const name of ["__proto__", "constructor", "prototype"]) {
      const body = `{"algorithm":"AES-256-GCM","labels":{"team":"a","${name}":"x"}}`;
      const answer = await api(tenant, "POST", "/v1/keys", body);
      expect(answer).toMatchObject({ status: 400, body: { detail: `body.labels.${name}: "${name}" is a reserved name` } });
    }
    const patched = await api(tenant, "PATCH", `/v1/keys/${key.id}`, JSON.parse('{"labels":{"__proto__":"x"}}'));
    expect(patched.status).toBe(400);
  });

  it("states and enforces size limits in bytes after decoding", async () => {
    const limit = 262_144;
    const at = await api(tenant, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: toBase64(new Uint8Array(limit)) });
    expect(at.status).toBe(200);
    const over = await api(tenant, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: toBase64(new Uint8Array(limit + 1)) });
    expect(over).toMatchObject({
      status: 400,
      body: { detail: `body.plaintext: at most ${limit} bytes (after base64 decoding); got ${limit + 1}` },
    });
  });

  it("accepts a date or a date-time for from and to, and refuses anything else naming it", async () => {
    expect((await api(tenant, "GET", "/v1/audit-events?from=2026-01-01&to=2099-12-31")).status).toBe(200);
    expect((await api(tenant, "GET", "/v1/audit-events?to=2026-12-01T10:00:00%2B01:00")).status).toBe(200);
    for (const bad of ["from=2026-13-01", "to=tomorrow", "from=2026-12-01T10:00:00"]) {
      expect(await api(tenant, "GET", `/v1/audit-events?${bad}`)).toMatchObject({
        status: 400,
        body: { detail: expect.stringContaining(`query.${bad.split("=")[0]}`) },
      });
    }
  });
});

describe("filters and one operation vocabulary", () => {
  it("lists keys by exact name and by one label", async () => {
    const tenant = await roomyTenant("filters");
    const a = await createKey(tenant, { algorithm: "AES-256-GCM", name: "orders", labels: { env: "prod", "team-x": "pay" } });
    const b = await createKey(tenant, { algorithm: "AES-256-GCM", name: "orders-archive", labels: { env: "dev" } });
    const ids = async (query: string) => (await ok<KeyPage>(tenant, "GET", `/v1/keys?${query}`)).keys.map((k) => k.id);
    expect(await ids("name=orders")).toEqual([a.id]);
    expect(await ids("label=env:prod")).toEqual([a.id]);
    expect(await ids("label=env:dev")).toEqual([b.id]);
    expect(await ids("label=team-x:pay&name=orders")).toEqual([a.id]);
    expect(await ids("label=env:staging")).toEqual([]);
    expect(await api(tenant, "GET", "/v1/keys?label=env")).toMatchObject({ status: 400, body: { detail: expect.stringContaining("query.label") } });
  });

  it("finds audit events by request id, and names an operation the same way allowed or denied", async () => {
    const tenant = await roomyTenant("vocabulary");
    const key = await createKey(tenant, { algorithm: "ML-DSA-44" });
    const r = await createApiKey(tenant, { name: "reader", role: "auditor" });
    const reader = { ...tenant, token: r.token, apiKeyId: r.id };
    const denied = await api(reader, "POST", `/v1/keys/${key.id}/disable`);
    expect(denied.status).toBe(403);
    const allowed = await api(tenant, "POST", `/v1/keys/${key.id}/disable`, undefined, { "x-request-id": "req-disable-0001" });
    expect(allowed.status).toBe(200);

    const disables = await eventually(async () => {
      const page = await events(tenant, "&operation=keys.disable");
      expect(page.events).toHaveLength(2);
      return page.events;
    });
    expect(disables.map((e) => e.outcome).sort()).toEqual(["allowed", "denied"]);
    expect((await events(tenant, "&request_id=req-disable-0001")).events).toEqual([disables.find((e) => e.outcome === "allowed")]);

    const all = (await events(tenant)).events;
    expect(all.every((e) => (AUDIT_OPERATIONS as readonly string[]).includes(e.operation))).toBe(true);
    expect(await api(tenant, "GET", "/v1/audit-events?operation=key.disable")).toMatchObject({
      status: 400,
      body: { detail: expect.stringContaining("query.operation") },
    });
  });
});
