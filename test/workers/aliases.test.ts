/**
 * Aliases through the real gateway: `POST/GET /v1/aliases`, `GET/PATCH/DELETE /v1/aliases/{name}`,
 * and `alias:NAME` wherever a key id goes in a path. Names are unique per tenant and follow one
 * grammar; an alias is re-pointed only to a key of the same purpose, never to a destroyed key;
 * another tenant's alias answers like a missing one; a key-restricted API key manages and lists
 * aliases of its own keys only; every change is one `aliases.*` audit event.
 */
import { describe, expect, it } from "vitest";
import type { AliasView } from "../../workers/shared/rpc.ts";
import { createApiKey, createTenant, expectProblem, request, type TestTenant } from "./helpers.ts";
import { api, b64, createKey, ok, roomyTenant, text, withoutRequestId } from "./kms-helpers.ts";
import { auditEvents, waitForEvent } from "./policy-helpers.ts";

type AliasPage = { aliases: AliasView[]; next_cursor: string | null };

const createAlias = (tenant: TestTenant, name: string, keyId: string) => api<AliasView>(tenant, "POST", "/v1/aliases", { name, key_id: keyId });

describe("alias CRUD", () => {
  it("creates, reads, lists, re-points and deletes an alias", async () => {
    const tenant = await roomyTenant();
    const first = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const second = await createKey(tenant, { algorithm: "X-Wing" });

    const created = await createAlias(tenant, "orders", first.id.toUpperCase());
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(["created_at", "key_id", "name", "purpose", "updated_at"]);
    expect(created.body).toMatchObject({ name: "orders", key_id: first.id, purpose: "encrypt" });
    expect(await ok(tenant, "GET", "/v1/aliases/orders")).toEqual(created.body);

    // ML-KEM-768 → X-Wing: both encrypt, so the alias may move.
    const moved = await ok<AliasView>(tenant, "PATCH", "/v1/aliases/orders", { key_id: second.id });
    expect(moved).toMatchObject({ name: "orders", key_id: second.id, purpose: "encrypt", created_at: created.body.created_at });
    expect(Date.parse(moved.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.body.updated_at));

    const removed = await request("DELETE", "/v1/aliases/orders", { token: tenant.token });
    expect(removed.status).toBe(204);
    await expectProblem(await request("GET", "/v1/aliases/orders", { token: tenant.token }), 404, "alias_not_found");
    await expectProblem(await request("DELETE", "/v1/aliases/orders", { token: tenant.token }), 404, "alias_not_found");
    // The key itself is untouched.
    expect(await ok(tenant, "GET", `/v1/keys/${second.id}`)).toMatchObject({ id: second.id, state: "enabled" });
  });

  it("lists by name, a page at a time, and filters by key", async () => {
    const tenant = await roomyTenant();
    const a = await createKey(tenant, { algorithm: "AES-256-GCM" });
    const b = await createKey(tenant, { algorithm: "ML-DSA-65" });
    for (const name of ["c-orders", "a-billing", "b_reports"]) expect((await createAlias(tenant, name, a.id)).status).toBe(201);
    expect((await createAlias(tenant, "signing", b.id)).status).toBe(201);

    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: AliasPage = await ok<AliasPage>(tenant, "GET", `/v1/aliases?limit=3${cursor === null ? "" : `&cursor=${cursor}`}`);
      expect(page.aliases.length).toBeLessThanOrEqual(3);
      names.push(...page.aliases.map((x) => x.name));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(names).toEqual(["a-billing", "b_reports", "c-orders", "signing"]);

    const ofB = await ok<AliasPage>(tenant, "GET", `/v1/aliases?key_id=${b.id}`);
    expect(ofB).toEqual({ aliases: [expect.objectContaining({ name: "signing", key_id: b.id, purpose: "sign" })], next_cursor: null });
    await expectProblem(await request("GET", "/v1/aliases?cursor=bm90IGEgbmFtZSE", { token: tenant.token }), 400, "invalid_request");
    const unknown = await expectProblem(await request("GET", "/v1/aliases?prefix=a", { token: tenant.token }), 400, "invalid_request");
    expect(unknown.detail).toContain("prefix");
  });

  it("keeps names unique per tenant: a duplicate is 409 conflict saying so", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const other = await createKey(tenant, { algorithm: "ML-KEM-768" });
    expect((await createAlias(tenant, "orders", key.id)).status).toBe(201);
    const duplicate = await expectProblem(await request("POST", "/v1/aliases", { token: tenant.token, body: { name: "orders", key_id: other.id } }), 409, "conflict");
    expect(duplicate.detail).toContain('"orders" already exists');
    expect(await ok(tenant, "GET", "/v1/aliases/orders")).toMatchObject({ key_id: key.id });

    // Another tenant's namespace is its own.
    const neighbour = await roomyTenant("neighbour");
    const theirs = await createKey(neighbour, { algorithm: "ML-KEM-768" });
    expect((await createAlias(neighbour, "orders", theirs.id)).status).toBe(201);
  });

  it("accepts only names of the documented grammar, naming the field", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "ML-KEM-768" });
    for (const name of ["", "Orders", "alias/orders", "-orders", "orders.v2", "a".repeat(101), "ordérs", "orders "]) {
      const problem = await expectProblem(await request("POST", "/v1/aliases", { token: tenant.token, body: { name, key_id: key.id } }), 400, "invalid_request");
      expect({ name, detail: problem.detail }).toMatchObject({ name, detail: expect.stringContaining("body.name") });
    }
    for (const name of ["0", "orders_v2-eu", "a".repeat(100)]) expect((await createAlias(tenant, name, key.id)).status).toBe(201);
    const badKey = await expectProblem(await request("POST", "/v1/aliases", { token: tenant.token, body: { name: "x", key_id: "alias:orders" } }), 400, "invalid_request");
    expect(badKey.detail).toContain("body.key_id");
    // A name no alias can have, in a path, is an alias that does not exist.
    await expectProblem(await request("GET", "/v1/aliases/Orders", { token: tenant.token }), 404, "alias_not_found");
  });

  it("points only to a key of this tenant, of the alias's purpose", async () => {
    const tenant = await roomyTenant();
    const kem = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const aes = await createKey(tenant, { algorithm: "AES-256-GCM" });
    const signer = await createKey(tenant, { algorithm: "ML-DSA-65" });
    expect((await createAlias(tenant, "orders", kem.id)).status).toBe(201);

    const crossed = await expectProblem(await request("PATCH", "/v1/aliases/orders", { token: tenant.token, body: { key_id: signer.id } }), 409, "conflict");
    expect(crossed.detail).toMatch(/encrypt.*not to a sign key/);
    expect(await ok(tenant, "PATCH", "/v1/aliases/orders", { key_id: aes.id })).toMatchObject({ key_id: aes.id, purpose: "encrypt" });

    await expectProblem(await request("POST", "/v1/aliases", { token: tenant.token, body: { name: "ghost", key_id: crypto.randomUUID() } }), 404, "key_not_found");
    const neighbour = await roomyTenant("neighbour");
    const theirs = await createKey(neighbour, { algorithm: "ML-KEM-768" });
    await expectProblem(await request("POST", "/v1/aliases", { token: tenant.token, body: { name: "stolen", key_id: theirs.id } }), 404, "key_not_found");
    await expectProblem(await request("PATCH", "/v1/aliases/orders", { token: tenant.token, body: { key_id: theirs.id } }), 404, "key_not_found");
  });

  it("answers another tenant's alias exactly like a missing one", async () => {
    const owner = await roomyTenant("owner");
    const key = await createKey(owner, { algorithm: "ML-KEM-768" });
    expect((await createAlias(owner, "secret-orders", key.id)).status).toBe(201);
    const intruder = await roomyTenant("intruder");
    const own = await createKey(intruder, { algorithm: "ML-KEM-768" });

    for (const [method, body] of [["GET", undefined], ["PATCH", { key_id: own.id }], ["DELETE", undefined]] as const) {
      const theirs = await expectProblem(await request(method, "/v1/aliases/secret-orders", { token: intruder.token, body }), 404, "alias_not_found");
      const missing = await expectProblem(await request(method, "/v1/aliases/never-made", { token: intruder.token, body }), 404, "alias_not_found");
      expect(withoutRequestId(theirs)).toEqual(withoutRequestId(missing));
    }
    const theirs = await expectProblem(await request("POST", "/v1/keys/alias:secret-orders/encrypt", { token: intruder.token, body: { plaintext: b64("x") } }), 404, "key_not_found");
    const unknown = await expectProblem(await request("POST", `/v1/keys/${crypto.randomUUID()}/encrypt`, { token: intruder.token, body: { plaintext: b64("x") } }), 404, "key_not_found");
    expect(withoutRequestId(theirs)).toEqual(withoutRequestId(unknown));
    expect((await ok<AliasPage>(intruder, "GET", "/v1/aliases")).aliases).toEqual([]);
    expect(await ok(owner, "GET", "/v1/aliases/secret-orders")).toMatchObject({ key_id: key.id });
  });
});

describe("alias:NAME wherever a key id goes in a path", () => {
  it("encrypts, decrypts, rotates, reads and gets the public key through an alias", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "ML-KEM-768" });
    expect((await createAlias(tenant, "orders", key.id)).status).toBe(201);

    expect(await ok(tenant, "GET", "/v1/keys/alias:orders")).toMatchObject({ id: key.id });
    expect(await ok(tenant, "GET", "/v1/keys/alias%3Aorders")).toMatchObject({ id: key.id });
    const sealed = await ok<{ ciphertext: string; key_version: number }>(tenant, "POST", "/v1/keys/alias:orders/encrypt", { plaintext: b64("order 7") });
    const opened = await ok<{ plaintext: string }>(tenant, "POST", `/v1/keys/${key.id}/decrypt`, { ciphertext: sealed.ciphertext });
    expect(text(opened.plaintext)).toBe("order 7");
    expect(await ok(tenant, "POST", "/v1/keys/alias:orders/rotate")).toMatchObject({ id: key.id, primary_version: 2 });
    expect(await ok(tenant, "GET", "/v1/keys/alias:orders/public-key?format=raw")).toMatchObject({ key_id: key.id, version: 2 });
    expect(await ok(tenant, "POST", "/v1/keys/alias:orders/decrypt", { ciphertext: sealed.ciphertext })).toMatchObject({ key_version: 1 });
  });

  it("signs and verifies through an alias", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "ML-DSA-44" });
    expect((await createAlias(tenant, "release-signing", key.id)).status).toBe(201);
    const { signature } = await ok<{ signature: string }>(tenant, "POST", "/v1/keys/alias:release-signing/sign", { message: b64("v1.2.3") });
    expect(await ok(tenant, "POST", `/v1/keys/${key.id}/verify`, { message: b64("v1.2.3"), signature })).toMatchObject({ valid: true });
  });

  it("answers an unknown or malformed alias exactly like an unknown key id", async () => {
    const tenant = await roomyTenant();
    const unknownKey = await expectProblem(await request("GET", `/v1/keys/${crypto.randomUUID()}`, { token: tenant.token }), 404, "key_not_found");
    for (const segment of ["alias:nope", "alias:", "alias:Orders", "ALIAS:nope", "alias%3A", "alias:a%2Fb"]) {
      const problem = await expectProblem(await request("GET", `/v1/keys/${segment}`, { token: tenant.token }), 404, "key_not_found");
      expect({ segment, problem: withoutRequestId(problem) }).toEqual({ segment, problem: withoutRequestId(unknownKey) });
    }
  });

  it("moves encrypt-by-alias to the new key while key-less decrypt still opens the old key's envelopes", async () => {
    const tenant = await roomyTenant();
    const old = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const next = await createKey(tenant, { algorithm: "X-Wing" });
    expect((await createAlias(tenant, "orders", old.id)).status).toBe(201);
    const before = await ok<{ ciphertext: string }>(tenant, "POST", "/v1/keys/alias:orders/encrypt", { plaintext: b64("before"), aad: b64("row-1") });

    await ok(tenant, "PATCH", "/v1/aliases/orders", { key_id: next.id });
    const after = await ok<{ ciphertext: string }>(tenant, "POST", "/v1/keys/alias:orders/encrypt", { plaintext: b64("after"), aad: b64("row-2") });

    // Each envelope names its own key: the new one is X-Wing's, the old one still opens.
    const openedAfter = await ok<{ plaintext: string }>(tenant, "POST", `/v1/keys/${next.id}/decrypt`, { ciphertext: after.ciphertext, aad: b64("row-2") });
    expect(text(openedAfter.plaintext)).toBe("after");
    const openedBefore = await ok<{ plaintext: string }>(tenant, "POST", "/v1/decrypt", { ciphertext: before.ciphertext, aad: b64("row-1") });
    expect(text(openedBefore.plaintext)).toBe("before");
    expect(text((await ok<{ plaintext: string }>(tenant, "POST", "/v1/decrypt", { ciphertext: after.ciphertext, aad: b64("row-2") })).plaintext)).toBe("after");
    // Through the alias, the old envelope names another key than the alias now does.
    await expectProblem(await request("POST", "/v1/keys/alias:orders/decrypt", { token: tenant.token, body: { ciphertext: before.ciphertext, aad: b64("row-1") } }), 400, "decrypt_failed");
  });
});

describe("a key-restricted API key and aliases", () => {
  async function restrictedSetup() {
    const tenant = await createTenant({ name: "restricted", plan: "enterprise" });
    const mine = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const mineToo = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const theirs = await createKey(tenant, { algorithm: "ML-KEM-768" });
    expect((await createAlias(tenant, "theirs", theirs.id)).status).toBe(201);
    const restricted = await createApiKey(tenant, { name: "orders app", role: "admin", key_ids: [mine.id, mineToo.id] });
    return { tenant, mine, mineToo, theirs, restricted: { ...tenant, token: restricted.token, apiKeyId: restricted.id } };
  }

  it("creates and re-points aliases only to its keys, and lists only aliases of its keys", async () => {
    const { tenant, mine, mineToo, theirs, restricted } = await restrictedSetup();
    expect((await createAlias(restricted, "mine", mine.id)).status).toBe(201);
    const denied = await expectProblem(await request("POST", "/v1/aliases", { token: restricted.token, body: { name: "grab", key_id: theirs.id } }), 403, "access_denied");
    expect(denied.rule).toBe("key_restriction");
    expect((await ok(restricted, "PATCH", "/v1/aliases/mine", { key_id: mineToo.id }))).toMatchObject({ key_id: mineToo.id });
    const repoint = await expectProblem(await request("PATCH", "/v1/aliases/mine", { token: restricted.token, body: { key_id: theirs.id } }), 403, "access_denied");
    expect(repoint.rule).toBe("key_restriction");
    // An alias of a key outside the restriction can be neither taken over, nor read, nor deleted.
    for (const [method, body] of [["GET", undefined], ["PATCH", { key_id: mine.id }], ["DELETE", undefined]] as const) {
      const problem = await expectProblem(await request(method, "/v1/aliases/theirs", { token: restricted.token, body }), 403, "access_denied");
      expect(problem.rule).toBe("key_restriction");
    }
    expect((await ok<AliasPage>(restricted, "GET", "/v1/aliases")).aliases.map((a) => a.name)).toEqual(["mine"]);
    expect((await ok<AliasPage>(tenant, "GET", "/v1/aliases")).aliases.map((a) => a.name)).toEqual(["mine", "theirs"]);
    expect(await ok(tenant, "GET", "/v1/aliases/theirs")).toMatchObject({ key_id: theirs.id });
  });

  it("is checked on the key an alias resolves to, and the refusal is audited", async () => {
    const { tenant, theirs, restricted } = await restrictedSetup();
    const response = await request("POST", "/v1/keys/alias:theirs/encrypt", { token: restricted.token, body: { plaintext: b64("x") } });
    const problem = await expectProblem(response, 403, "access_denied");
    expect(problem.rule).toBe("key_restriction");
    const event = await waitForEvent(tenant, response.headers.get("x-request-id"));
    expect(event).toMatchObject({ operation: "crypto.encrypt", key_id: theirs.id, outcome: "denied", rule: "key_restriction", api_key_id: restricted.apiKeyId });
  });
});

describe("audit of alias changes", () => {
  it("records create, update and delete as aliases.* events naming the key, in a chain that verifies", async () => {
    const tenant = await roomyTenant();
    const first = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const second = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const created = await createAlias(tenant, "orders", first.id);
    const updated = await api(tenant, "PATCH", "/v1/aliases/orders", { key_id: second.id });
    const deleted = await request("DELETE", "/v1/aliases/orders", { token: tenant.token });
    expect([created.status, updated.status, deleted.status]).toEqual([201, 200, 204]);

    const { events } = await auditEvents(tenant, "");
    const aliasEvents = events.filter((e) => e.operation.startsWith("aliases.")).reverse();
    expect(aliasEvents).toMatchObject([
      { operation: "aliases.create", key_id: first.id, outcome: "allowed", request_id: created.requestId, detail: `alias orders → ${first.id}` },
      { operation: "aliases.update", key_id: second.id, outcome: "allowed", request_id: updated.requestId, detail: `alias orders: ${first.id} → ${second.id}` },
      { operation: "aliases.delete", key_id: second.id, outcome: "allowed", request_id: deleted.headers.get("x-request-id") },
    ]);
    const filtered = await auditEvents(tenant, "operation=aliases.update");
    expect(filtered.events.map((e) => e.operation)).toEqual(["aliases.update"]);
    expect(await ok(tenant, "GET", "/v1/audit-events/verify")).toMatchObject({ valid: true });
  });
});

describe("the API document", () => {
  it("describes the alias routes and the key-less decrypt and rewrap", async () => {
    const response = await request("GET", "/openapi.json");
    expect(response.status).toBe(200);
    const { paths } = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(paths["/v1/aliases"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(paths["/v1/aliases/{name}"] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
    expect(Object.keys(paths["/v1/decrypt"] ?? {})).toEqual(["post"]);
    expect(Object.keys(paths["/v1/rewrap"] ?? {})).toEqual(["post"]);
  });
});
