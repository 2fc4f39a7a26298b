/**
 * The audit archive's routes at the edge (architecture §9): their input checked before any call
 * (400 naming the field), and an API key restricted to some keys refused the segments and
 * checkpoints (403 access_denied, rule key_restriction), since they hold every key's events.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { segmentId } from "../../workers/shared/audit/archive-format.ts";
import { createApiKey, expectProblem, request, type TestTenant } from "./helpers.ts";
import { roomyTenant } from "./kms-helpers.ts";

let tenant: TestTenant;

beforeAll(async () => {
  tenant = await roomyTenant("audit-archive-routes");
});

describe("input checked at the edge", () => {
  it.each([
    ["a UUID", "/v1/audit-exports/00000000-0000-4000-8000-000000000000", "path.id"],
    ["an unpadded range", "/v1/audit-exports/1-2", "path.id"],
    ["a range whose first seq is after its last", `/v1/audit-exports/${segmentId(9, 2)}`, "path.id"],
    ["a range from seq 0", `/v1/audit-exports/${segmentId(0, 2)}`, "path.id"],
    ["a segment cursor that is not a segment id", "/v1/audit-exports?cursor=abc", "query.cursor"],
    ["a page size of 0", "/v1/audit-exports?limit=0", "query.limit"],
    ["an unknown parameter", "/v1/audit-exports?tenant=other", "query"],
    ["a checkpoint cursor that is not a seq", "/v1/audit-checkpoints?cursor=-1", "query.cursor"],
    ["a verify basis that does not exist", "/v1/audit-events/verify?from=genesis", "query.from"],
  ])("refuses %s: 400 invalid_request naming the field", async (_what, path, field) => {
    const problem = await expectProblem(await request("GET", path, { token: tenant.token }), 400, "invalid_request");
    expect(problem.detail).toContain(field);
  });

  it("refuses the same on the platform admin's routes", async () => {
    const bad = await expectProblem(await request("GET", "/admin/v1/audit-exports/latest", { admin: true }), 400, "invalid_request");
    expect(bad.detail).toContain("path.id");
    const from = await expectProblem(await request("GET", "/admin/v1/audit-events/verify?from=all", { admin: true }), 400, "invalid_request");
    expect(from.detail).toContain("query.from");
    const body = await expectProblem(await request("POST", "/admin/v1/audit-keys/rotate", { admin: true, body: { algorithm: "RSA" } }), 400, "invalid_request");
    expect(body.detail).toContain("body");
  });
});

describe("an API key restricted to some keys", () => {
  let restricted: string;

  beforeAll(async () => {
    restricted = (await createApiKey(tenant, { name: "one key only", scopes: ["audit:read"], key_ids: [crypto.randomUUID()] })).token;
  });

  it.each([
    ["GET", "/v1/audit-exports"],
    ["GET", `/v1/audit-exports/${segmentId(1, 10)}`],
    ["GET", "/v1/audit-checkpoints"],
    ["POST", "/v1/audit-checkpoints"],
  ])("is refused %s %s: 403 access_denied, rule key_restriction", async (method, path) => {
    const problem = await expectProblem(await request(method, path, { token: restricted }), 403, "access_denied");
    expect(problem.rule).toBe("key_restriction");
  });

  it("is refused before its input is read: a malformed segment id is still 403", async () => {
    const problem = await expectProblem(await request("GET", "/v1/audit-exports/not-a-segment", { token: restricted }), 403, "access_denied");
    expect(problem.rule).toBe("key_restriction");
  });

  it("is not refused the public audit keys or the events of its own keys", async () => {
    for (const path of ["/v1/audit-keys", "/v1/audit-events?limit=5"]) {
      const response = await request("GET", path, { token: restricted });
      expect([401, 403], `${path}: ${response.status}`).not.toContain(response.status);
    }
  });
});
