/**
 * Rewrap and data keys (architecture §5) for every encryption key type, the exact key limit on
 * concurrent creates, and what signature keys refuse (external μ outside ML-DSA, datakey).
 */
import { describe, expect, it } from "vitest";
import { createTenant, expectProblem, request } from "./helpers.ts";
import { api, b64, bytes, createKey, ok, roomyTenant, text, toBase64 } from "./kms-helpers.ts";

const ENCRYPTION_ALGORITHMS = ["ML-KEM-768", "X-Wing", "AES-256-GCM", "ChaCha20-Poly1305"] as const;

describe.each(ENCRYPTION_ALGORITHMS)("%s: rewrap", (algorithm) => {
  it("moves an envelope to the primary version without the plaintext leaving the service", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm });
    const v1 = await ok<{ ciphertext: string }>(tenant, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: b64("ledger"), aad: b64("row-7") });
    await ok(tenant, "POST", `/v1/keys/${key.id}/rotate`);

    const rewrapped = await ok<Record<string, unknown>>(tenant, "POST", `/v1/keys/${key.id}/rewrap`, { ciphertext: v1.ciphertext, aad: b64("row-7") });
    expect(Object.keys(rewrapped).sort()).toEqual(["ciphertext", "key_version", "source_version"]);
    expect(rewrapped).toMatchObject({ key_version: 2, source_version: 1 });

    await ok(tenant, "PATCH", `/v1/keys/${key.id}`, { min_decryption_version: 2 });
    const old = await api(tenant, "POST", `/v1/keys/${key.id}/decrypt`, { ciphertext: v1.ciphertext, aad: b64("row-7") });
    expect(old.status).toBe(409);
    const opened = await ok<{ plaintext: string; key_version: number }>(tenant, "POST", `/v1/keys/${key.id}/decrypt`, {
      ciphertext: rewrapped.ciphertext,
      aad: b64("row-7"),
    });
    expect({ plaintext: text(opened.plaintext), version: opened.key_version }).toEqual({ plaintext: "ledger", version: 2 });
  });

  it("refuses a wrong aad or a tampered envelope exactly like decrypt does", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm });
    const { ciphertext } = await ok<{ ciphertext: string }>(tenant, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: b64("x"), aad: b64("a") });
    await expectProblem(await request("POST", `/v1/keys/${key.id}/rewrap`, { token: tenant.token, body: { ciphertext, aad: b64("b") } }), 400, "decrypt_failed");
    const tampered = bytes(ciphertext);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    const body = { ciphertext: toBase64(tampered), aad: b64("a") };
    await expectProblem(await request("POST", `/v1/keys/${key.id}/rewrap`, { token: tenant.token, body }), 400, "decrypt_failed");
  });
});

describe.each(ENCRYPTION_ALGORITHMS)("%s: data keys", (algorithm) => {
  it("seals a fresh AES-256 key; the plaintext copy only when asked for, and it decrypts to that copy", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm });
    const sealedOnly = await ok<Record<string, unknown>>(tenant, "POST", `/v1/keys/${key.id}/datakey`, {});
    expect(Object.keys(sealedOnly).sort()).toEqual(["algorithm", "ciphertext", "key_version"]);

    const both = await ok<{ ciphertext: string; plaintext: string; algorithm: string }>(tenant, "POST", `/v1/keys/${key.id}/datakey`, {
      plaintext: true,
      aad: b64("tenant-data"),
    });
    expect(both.algorithm).toBe("AES-256-GCM");
    expect(bytes(both.plaintext)).toHaveLength(32);
    expect(both.plaintext).not.toBe(sealedOnly.plaintext);
    const opened = await ok<{ plaintext: string }>(tenant, "POST", `/v1/keys/${key.id}/decrypt`, { ciphertext: both.ciphertext, aad: b64("tenant-data") });
    expect(opened.plaintext).toBe(both.plaintext);
  });
});

describe("what signature keys refuse", () => {
  it("answers datakey, rewrap and encrypt on a signature key with 400 unsupported_operation", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "ML-DSA-44" });
    for (const [path, body] of [["datakey", {}], ["rewrap", { ciphertext: b64("x") }], ["encrypt", { plaintext: b64("x") }]] as const) {
      await expectProblem(await request("POST", `/v1/keys/${key.id}/${path}`, { token: tenant.token, body }), 400, "unsupported_operation");
    }
  });

  it("refuses an external μ for keys that are not ML-DSA, and accepts it for ML-DSA", async () => {
    const tenant = await roomyTenant();
    const mu = toBase64(new Uint8Array(64).fill(7));
    const slh = await createKey(tenant, { algorithm: "SLH-DSA-SHA2-128f" });
    await expectProblem(await request("POST", `/v1/keys/${slh.id}/sign`, { token: tenant.token, body: { mu } }), 400, "unsupported_operation");
    const mldsa = await createKey(tenant, { algorithm: "ML-DSA-65" });
    const signed = await ok<{ signature: string }>(tenant, "POST", `/v1/keys/${mldsa.id}/sign`, { mu });
    expect(await ok(tenant, "POST", `/v1/keys/${mldsa.id}/verify`, { mu, signature: signed.signature })).toMatchObject({ valid: true });
  });
});

describe("the key limit", () => {
  it("is exact under concurrent creates: with max_keys 3, exactly 3 of 8 simultaneous creates succeed", async () => {
    const tenant = await createTenant({ name: "limited", plan: "pro", limits: { max_keys: 3, burst: 100, rate_per_second: 100 } });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => request("POST", "/v1/keys", { token: tenant.token, body: { algorithm: "ML-KEM-512" } })),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 403, 403, 403, 403, 403]);
    const refused = answers.find((r) => r.status === 403) as Response;
    await expectProblem(refused, 403, "plan_restricted");
  });
});
