/**
 * The audit archive through the gateway, end to end with the real kms Worker and its local R2
 * (architecture §9): a segment is listed and streamed as stored, its bytes' SHA-256 equal to the
 * listing's `sha256` and to `Repr-Digest` (RFC 9530); another tenant's segment id answers exactly
 * like a missing one; checkpoints are signed on demand (201, then 200 with the same one); verify
 * says where it started; the platform admin's twins read the platform log and rotate its key.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { segmentId } from "../../workers/shared/audit/archive-format.ts";
import { fromBase64 } from "../../workers/shared/base64.ts";
import type { AuditCheckpointView, AuditKeyView, AuditSegmentView, AuditVerdictView } from "../../workers/shared/rpc.ts";
import { TEST_AUDIT_SEGMENT_EVENTS } from "../support/test-vars.ts";
import { expectProblem, json, request, type TestTenant } from "./helpers.ts";
import { api, b64, createKey, ok, roomyTenant, withoutRequestId } from "./kms-helpers.ts";

interface SegmentPage {
  segments: AuditSegmentView[];
  next_cursor: string | null;
  status: { head_seq: number; archived_through: number };
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

/**
 * A tenant whose log has one archived segment. A segment is sealed once the kms Worker's
 * AUDIT_SEGMENT_EVENTS events wait (the test value, support/test-vars.ts); the key's creation and
 * each encryption below are one audited event each, and the vault's alarm archives them right after
 * the append that fills it.
 */
async function tenantWithSegment(name: string): Promise<{ tenant: TestTenant; segment: AuditSegmentView }> {
  const tenant = await roomyTenant(name);
  const key = await createKey(tenant, { algorithm: "AES-256-GCM" });
  for (let i = 1; i < TEST_AUDIT_SEGMENT_EVENTS; i++) await ok(tenant, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: b64("x") });
  // The vault's alarm archives in the background, right after the append that filled the segment:
  // wait for it (bounded), asserting nothing about how long it takes.
  for (let attempt = 0; attempt < 500; attempt++) {
    const page = await ok<SegmentPage>(tenant, "GET", "/v1/audit-exports?limit=1");
    const [segment] = page.segments;
    if (segment !== undefined) return { tenant, segment };
    await scheduler.wait(20);
  }
  throw new Error(`no segment archived after ${TEST_AUDIT_SEGMENT_EVENTS} events: ${JSON.stringify(await ok(tenant, "GET", "/v1/audit-exports?limit=1"))}`);
}

let owner: { tenant: TestTenant; segment: AuditSegmentView };
let other: TestTenant;

beforeAll(async () => {
  owner = await tenantWithSegment("audit-exports");
  other = await roomyTenant("audit-exports-other");
});

describe("GET /v1/audit-exports", () => {
  it("lists the segment with its range, digest and size, and the archive's status", async () => {
    const page = await ok<SegmentPage>(owner.tenant, "GET", "/v1/audit-exports?limit=5");
    const segment = page.segments.at(-1) as AuditSegmentView;
    expect(segment.id).toBe(segmentId(segment.first_seq, segment.last_seq));
    expect(segment.first_seq).toBe(1);
    expect(segment.count).toBe(segment.last_seq - segment.first_seq + 1);
    expect(segment.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(page.status.archived_through).toBeGreaterThanOrEqual(segment.last_seq);
  });
});

describe("GET /v1/audit-exports/{id}", () => {
  it("streams the gzip object with Content-Length, Content-Disposition and a Repr-Digest its bytes match", async () => {
    const response = await request("GET", `/v1/audit-exports/${owner.segment.id}`, { token: owner.tenant.token });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/gzip");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="${owner.segment.id}.ndjson.gz"`);
    expect(response.headers.get("content-length")).toBe(String(owner.segment.bytes));
    expect(response.headers.get("cache-control")).toBe("no-store");
    const bytes = await response.arrayBuffer();
    expect(bytes.byteLength).toBe(owner.segment.bytes);
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    expect(hex(digest)).toBe(owner.segment.sha256);
    const header = /^sha-256=:([A-Za-z0-9+/=]+):$/.exec(response.headers.get("repr-digest") ?? "");
    expect(hex((fromBase64(header?.[1] ?? "") as Uint8Array<ArrayBuffer>).buffer)).toBe(owner.segment.sha256);
    // NDJSON inside: one event a line, the segment's range in order.
    const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text();
    const seqs = text.trim().split("\n").map((line) => (JSON.parse(line) as { seq: number }).seq);
    expect(seqs).toEqual(Array.from({ length: owner.segment.count }, (_, i) => owner.segment.first_seq + i));
  });

  it("answers another tenant's segment id exactly like one that does not exist", async () => {
    const missing = segmentId(owner.segment.last_seq + 1_000_000, owner.segment.last_seq + 1_000_001);
    const theirs = await request("GET", `/v1/audit-exports/${owner.segment.id}`, { token: other.token });
    const none = await request("GET", `/v1/audit-exports/${missing}`, { token: other.token });
    const a = await expectProblem(theirs, 404, "audit_segment_not_found");
    const b = await expectProblem(none, 404, "audit_segment_not_found");
    const spelled = (body: typeof a, id: string) => ({ ...withoutRequestId(body), detail: String(body.detail).replaceAll(id, "{id}") });
    expect(spelled(a, owner.segment.id)).toEqual(spelled(b, missing));
    expect([...theirs.headers.keys()].sort()).toEqual([...none.headers.keys()].sort());
  });
});

describe("checkpoints", () => {
  it("signs one on demand (201), then answers the same one (200) while the head has not moved", async () => {
    const tenant = await roomyTenant("audit-checkpoint-on-demand");
    await createKey(tenant, { algorithm: "AES-256-GCM" });
    const first = await api<AuditCheckpointView>(tenant, "POST", "/v1/audit-checkpoints");
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const again = await api<AuditCheckpointView>(tenant, "POST", "/v1/audit-checkpoints");
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const keys = await ok<{ keys: AuditKeyView[] }>(tenant, "GET", "/v1/audit-keys");
    expect(keys.keys.map((k) => k.key_id)).toContain(first.body.key_id);
    const listed = await ok<{ checkpoints: AuditCheckpointView[] }>(tenant, "GET", "/v1/audit-checkpoints?limit=5");
    expect(listed.checkpoints[0]).toEqual(first.body);
  });
});

describe("GET /v1/audit-events/verify", () => {
  it("checks from the latest checkpoint by default, and over the whole window with from=window, saying which", async () => {
    const signed = await api<AuditCheckpointView>(owner.tenant, "POST", "/v1/audit-checkpoints");
    expect([200, 201]).toContain(signed.status);
    const fromCheckpoint = await ok<AuditVerdictView>(owner.tenant, "GET", "/v1/audit-events/verify");
    expect(fromCheckpoint).toMatchObject({ valid: true, basis: "checkpoint" });
    expect(fromCheckpoint.checkpoint?.seq).toBeGreaterThanOrEqual(signed.body.seq);
    const window = await ok<AuditVerdictView>(owner.tenant, "GET", "/v1/audit-events/verify?from=window");
    expect(window).toMatchObject({ valid: true, basis: "hot_window", from_seq: 1 });
    expect(window.checked).toBeGreaterThan(fromCheckpoint.checked);
  });
});

describe("the platform admin's twins", () => {
  it("reads the platform log's archive and checkpoints, and rotates the audit key", async () => {
    const exports = await request("GET", "/admin/v1/audit-exports?limit=5", { admin: true });
    expect(exports.status).toBe(200);
    expect(await json(exports)).toMatchObject({ segments: expect.any(Array), status: expect.any(Object) });
    const checkpoints = await request("GET", "/admin/v1/audit-checkpoints", { admin: true });
    expect(checkpoints.status).toBe(200);
    await expectProblem(await request("GET", `/admin/v1/audit-exports/${segmentId(1, 1)}`, { admin: true }), 404, "audit_segment_not_found");

    const before = await json<{ keys: AuditKeyView[] }>(await request("GET", "/admin/v1/audit-keys", { admin: true }));
    const rotated = await request("POST", "/admin/v1/audit-keys/rotate", { admin: true });
    expect(rotated.status).toBe(201);
    const key = await json<AuditKeyView>(rotated);
    expect(key).toMatchObject({ algorithm: "ML-DSA-65", status: "current", valid_until: null });
    const after = await json<{ keys: AuditKeyView[] }>(await request("GET", "/admin/v1/audit-keys", { admin: true }));
    expect(after.keys[0]?.key_id).toBe(key.key_id);
    expect(after.keys.length).toBe(before.keys.length + 1);
    expect(after.keys.slice(1).every((k) => k.status === "retired")).toBe(true);
  });
});
