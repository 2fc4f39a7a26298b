/**
 * Key-less `POST /v1/decrypt` and `POST /v1/rewrap {ciphertext, aad?}`: the key is the one the
 * envelope's header names. An envelope that names no key of the caller's tenant (another tenant's,
 * a random id, bytes that are no envelope) answers like a tampered envelope: 400 `decrypt_failed`,
 * the same body. The scope and the key restriction are checked on the envelope's key.
 */
import { describe, expect, it } from "vitest";
import { createApiKey, createTenant, expectProblem, request } from "./helpers.ts";
import { b64, bytes, createKey, ok, roomyTenant, text, toBase64, withoutRequestId } from "./kms-helpers.ts";
import { auditEvents, waitForEvent } from "./policy-helpers.ts";

const ENCRYPTION_ALGORITHMS = ["ML-KEM-768", "X-Wing", "AES-256-GCM", "ChaCha20-Poly1305"] as const;

describe.each(ENCRYPTION_ALGORITHMS)("%s", (algorithm) => {
  it("decrypts and rewraps without naming the key", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm });
    const v1 = await ok<{ ciphertext: string }>(tenant, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: b64("ledger"), aad: b64("row-7") });
    await ok(tenant, "POST", `/v1/keys/${key.id}/rotate`);

    const opened = await ok<{ plaintext: string; key_version: number }>(tenant, "POST", "/v1/decrypt", { ciphertext: v1.ciphertext, aad: b64("row-7") });
    expect({ plaintext: text(opened.plaintext), version: opened.key_version }).toEqual({ plaintext: "ledger", version: 1 });
    const rewrapped = await ok<{ ciphertext: string; key_version: number; source_version: number }>(tenant, "POST", "/v1/rewrap", { ciphertext: v1.ciphertext, aad: b64("row-7") });
    expect(rewrapped).toMatchObject({ key_version: 2, source_version: 1 });
    const again = await ok<{ plaintext: string; key_version: number }>(tenant, "POST", "/v1/decrypt", { ciphertext: rewrapped.ciphertext, aad: b64("row-7") });
    expect({ plaintext: text(again.plaintext), version: again.key_version }).toEqual({ plaintext: "ledger", version: 2 });
    await expectProblem(await request("POST", "/v1/decrypt", { token: tenant.token, body: { ciphertext: v1.ciphertext, aad: b64("row-8") } }), 400, "decrypt_failed");
  });
});

describe("an envelope that names no key of this tenant", () => {
  it("answers 400 decrypt_failed, the same as a tampered envelope, and is audited", async () => {
    const owner = await roomyTenant("owner");
    const key = await createKey(owner, { algorithm: "ML-KEM-768" });
    const { ciphertext } = await ok<{ ciphertext: string }>(owner, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: b64("theirs") });
    const tenant = await roomyTenant("other");
    const own = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const mine = await ok<{ ciphertext: string }>(tenant, "POST", `/v1/keys/${own.id}/encrypt`, { plaintext: b64("mine") });
    const tampered = bytes(mine.ciphertext);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;

    for (const path of ["/v1/decrypt", "/v1/rewrap"]) {
      const reference = await expectProblem(await request("POST", path, { token: tenant.token, body: { ciphertext: toBase64(tampered) } }), 400, "decrypt_failed");
      const foreign = await request("POST", path, { token: tenant.token, body: { ciphertext } });
      const problem = await expectProblem(foreign, 400, "decrypt_failed");
      expect(withoutRequestId(problem)).toEqual(withoutRequestId(reference));
      const garbage = await expectProblem(await request("POST", path, { token: tenant.token, body: { ciphertext: b64("not an envelope") } }), 400, "decrypt_failed");
      expect(withoutRequestId(garbage)).toEqual(withoutRequestId(reference));
      const event = (await auditEvents(tenant)).events.find((e) => e.request_id === foreign.headers.get("x-request-id"));
      expect(event).toMatchObject({ operation: path === "/v1/decrypt" ? "crypto.decrypt" : "crypto.rewrap", outcome: "failed", rule: "decrypt_failed" });
    }
    // The owner still opens it.
    expect(text((await ok<{ plaintext: string }>(owner, "POST", "/v1/decrypt", { ciphertext })).plaintext)).toBe("theirs");
  });
});

describe("scope and key restriction on the envelope's key", () => {
  it("refuses a key outside the API key's restriction: 403, audited with that key", async () => {
    const tenant = await createTenant({ name: "restricted", plan: "enterprise" });
    const mine = await createKey(tenant, { algorithm: "AES-256-GCM" });
    const theirs = await createKey(tenant, { algorithm: "AES-256-GCM" });
    const restricted = await createApiKey(tenant, { name: "app", role: "app", key_ids: [mine.id] });
    const seal = (id: string) => ok<{ ciphertext: string }>(tenant, "POST", `/v1/keys/${id}/encrypt`, { plaintext: b64("x") });
    const [own, foreign] = await Promise.all([seal(mine.id), seal(theirs.id)]);

    expect((await request("POST", "/v1/decrypt", { token: restricted.token, body: { ciphertext: own.ciphertext } })).status).toBe(200);
    for (const [path, operation] of [["/v1/decrypt", "crypto.decrypt"], ["/v1/rewrap", "crypto.rewrap"]] as const) {
      const response = await request("POST", path, { token: restricted.token, body: { ciphertext: foreign.ciphertext } });
      const problem = await expectProblem(response, 403, "access_denied");
      expect(problem.rule).toBe("key_restriction");
      const event = await waitForEvent(tenant, response.headers.get("x-request-id"));
      expect(event).toMatchObject({ operation, key_id: theirs.id, outcome: "denied", rule: "key_restriction", api_key_id: restricted.id });
    }
  });

  it("needs crypto:decrypt for both, checked before the body is read", async () => {
    const tenant = await createTenant({ name: "scopes", plan: "enterprise" });
    const encryptOnly = await createApiKey(tenant, { name: "encrypt only", scopes: ["crypto:encrypt"] });
    for (const path of ["/v1/decrypt", "/v1/rewrap"]) {
      const problem = await expectProblem(await request("POST", path, { token: encryptOnly.token, body: "{not json" }), 403, "access_denied");
      expect(problem.rule).toBe("scopes");
    }
  });
});
