/**
 * A key's life through the API (architecture §5, §8): create, list, get, update, rotate, raise the
 * minimum decryption version, disable and enable, schedule and cancel deletion. Each step is
 * checked by what the key can and cannot do afterwards. Creation honours `Idempotency-Key`: the
 * same key and body create one key however often and concurrently sent; another body is a 409.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { TestTenant } from "./helpers.ts";
import { api, b64, bytes, createKey, ok, roomyTenant, text, toBase64, type KeyView } from "./kms-helpers.ts";

const DAY_MS = 24 * 3600 * 1000;

let tenant: TestTenant;
beforeAll(async () => {
  tenant = await roomyTenant();
});

const keyPath = (key: { id: string }, action = "") => `/v1/keys/${key.id}${action ? `/${action}` : ""}`;

async function encrypt(key: KeyView, plaintext: string): Promise<{ ciphertext: string; key_version: number }> {
  return ok(tenant, "POST", keyPath(key, "encrypt"), { plaintext: b64(plaintext) });
}

async function decrypt(key: KeyView, ciphertext: string) {
  return api<{ plaintext: string; key_version: number; code?: string }>(tenant, "POST", keyPath(key, "decrypt"), { ciphertext });
}

/** Every crypto operation of the key's kind, each with a valid body. */
async function cryptoAnswers(kem: KeyView, dsa: KeyView, envelope: string, signature: string) {
  return {
    encrypt: await api(tenant, "POST", keyPath(kem, "encrypt"), { plaintext: b64("p") }),
    decrypt: await api(tenant, "POST", keyPath(kem, "decrypt"), { ciphertext: envelope }),
    encapsulate: await api(tenant, "POST", keyPath(kem, "encapsulate")),
    decapsulate: await api(tenant, "POST", keyPath(kem, "decapsulate"), { ciphertext: b64("c".repeat(1088)) }),
    sign: await api(tenant, "POST", keyPath(dsa, "sign"), { message: b64("m") }),
    verify: await api(tenant, "POST", keyPath(dsa, "verify"), { message: b64("m"), signature }),
  };
}

async function keyPair() {
  const kem = await createKey(tenant, { algorithm: "ML-KEM-768" });
  const dsa = await createKey(tenant, { algorithm: "ML-DSA-44" });
  const envelope = (await encrypt(kem, "p")).ciphertext;
  const { signature } = await ok<{ signature: string }>(tenant, "POST", keyPath(dsa, "sign"), { message: b64("m") });
  return { kem, dsa, envelope, signature };
}

describe("create, list, get", () => {
  it("a created key is listed at once, newest first, and reads back the same", async () => {
    const created = await createKey(tenant, { algorithm: "ML-KEM-768", name: "orders", description: "order db", labels: { env: "prod" }, deletion_window_days: 10 });
    expect(created).toMatchObject({
      name: "orders", description: "order db", labels: { env: "prod" }, algorithm: "ML-KEM-768", purpose: "encrypt", state: "enabled",
      primary_version: 1, min_decryption_version: 1, deletion_window_days: 10, deletion_date: null, versions: [{ version: 1, state: "enabled" }],
    });
    const listed = await ok<{ keys: KeyView[] }>(tenant, "GET", "/v1/keys?limit=100");
    expect(listed.keys[0]).toEqual(created);
    expect(await ok(tenant, "GET", keyPath(created))).toEqual(created);
    const filtered = await ok<{ keys: KeyView[] }>(tenant, "GET", "/v1/keys?algorithm=ML-KEM-768&state=enabled&limit=100");
    expect(filtered.keys.map((k) => k.id)).toContain(created.id);
    const none = await ok<{ keys: KeyView[] }>(tenant, "GET", "/v1/keys?algorithm=ML-DSA-87&limit=100");
    expect(none.keys.map((k) => k.id)).not.toContain(created.id);
  });

  it("a deletion window outside 7–30 days is refused at creation, naming the field", async () => {
    for (const days of [6, 31, 7.5, "10"]) {
      const answer = await api(tenant, "POST", "/v1/keys", { algorithm: "ML-DSA-44", deletion_window_days: days });
      expect(answer).toMatchObject({ status: 400, body: { code: "invalid_request", detail: expect.stringContaining("body.deletion_window_days") } });
    }
  });
});

describe("update", () => {
  it("changes name, description and labels; clears with null", async () => {
    const key = await createKey(tenant, { algorithm: "ML-DSA-44", name: "a", description: "d", labels: { x: "1" } });
    const patched = await ok<KeyView>(tenant, "PATCH", keyPath(key), { name: "b", description: null, labels: { y: "2" } });
    expect(patched).toMatchObject({ name: "b", description: null, labels: { y: "2" }, primary_version: 1 });
    expect(await ok(tenant, "GET", keyPath(key))).toEqual(patched);
  });

  it("refuses min_decryption_version above the primary version, naming the field", async () => {
    const key = await createKey(tenant, { algorithm: "ML-KEM-512" });
    const answer = await api(tenant, "PATCH", keyPath(key), { min_decryption_version: 2 });
    expect(answer).toMatchObject({ status: 400, body: { code: "invalid_request", detail: expect.stringContaining("body.min_decryption_version") } });
    expect(await api(tenant, "PATCH", keyPath(key), {})).toMatchObject({ status: 400, body: { code: "invalid_request" } });
  });
});

describe("rotate", () => {
  it("KEM key: new primary version; v1 envelopes still decrypt; encryption uses v2", async () => {
    const key = await createKey(tenant, { algorithm: "ML-KEM-768" });
    const v1 = await encrypt(key, "first");
    const rotated = await ok<KeyView>(tenant, "POST", keyPath(key, "rotate"));
    expect(rotated).toMatchObject({ primary_version: 2, min_decryption_version: 1 });
    expect(rotated.versions.map((v) => v.version)).toEqual([1, 2]);

    expect(await decrypt(key, v1.ciphertext)).toMatchObject({ status: 200, body: { plaintext: b64("first"), key_version: 1 } });
    const v2 = await encrypt(key, "second");
    expect(v2.key_version).toBe(2);
    // architecture §7: the key version is the u32 at bytes 21–24 of the envelope.
    expect([...bytes(v2.ciphertext).subarray(21, 25)]).toEqual([0, 0, 0, 2]);
    expect(text((await decrypt(key, v2.ciphertext)).body.plaintext)).toBe("second");

    // Raw decapsulation names its version; one that does not exist is a bad request.
    const ciphertext = toBase64(new Uint8Array(1088));
    expect(await api(tenant, "POST", keyPath(key, "decapsulate"), { ciphertext, key_version: 1 })).toMatchObject({ status: 200, body: { key_version: 1 } });
    expect(await api(tenant, "POST", keyPath(key, "decapsulate"), { ciphertext })).toMatchObject({ status: 200, body: { key_version: 2 } });
    expect(await api(tenant, "POST", keyPath(key, "decapsulate"), { ciphertext, key_version: 3 })).toMatchObject({
      status: 400, body: { code: "invalid_request", detail: "body.key_version: key has no version 3" },
    });
  });

  it("symmetric key: v1 envelopes still decrypt after rotation; it has no public key", async () => {
    const key = await createKey(tenant, { algorithm: "ChaCha20-Poly1305" });
    expect(key.purpose).toBe("encrypt");
    const v1 = await encrypt(key, "first");
    await ok(tenant, "POST", keyPath(key, "rotate"));
    const v2 = await encrypt(key, "second");
    expect([v1.key_version, v2.key_version]).toEqual([1, 2]);
    expect(await decrypt(key, v1.ciphertext)).toMatchObject({ status: 200, body: { plaintext: b64("first"), key_version: 1 } });
    expect(await decrypt(key, v2.ciphertext)).toMatchObject({ status: 200, body: { plaintext: b64("second"), key_version: 2 } });
    expect(await api(tenant, "GET", `${keyPath(key, "public-key")}?format=raw`)).toMatchObject({ status: 400, body: { code: "unsupported_operation" } });
    expect(await api(tenant, "POST", keyPath(key, "encapsulate"))).toMatchObject({ status: 400, body: { code: "unsupported_operation" } });
  });

  it("signing key: v1 signatures verify as version 1; signing uses v2", async () => {
    const key = await createKey(tenant, { algorithm: "ML-DSA-65" });
    const message = b64("statement");
    const v1 = await ok<{ signature: string; key_version: number }>(tenant, "POST", keyPath(key, "sign"), { message });
    await ok(tenant, "POST", keyPath(key, "rotate"));
    expect(await ok(tenant, "POST", keyPath(key, "verify"), { message, signature: v1.signature, key_version: 1 })).toEqual({ valid: true, key_version: 1 });
    expect(await ok(tenant, "POST", keyPath(key, "verify"), { message, signature: v1.signature })).toEqual({ valid: false, key_version: 2 });
    const v2 = await ok<{ signature: string; key_version: number }>(tenant, "POST", keyPath(key, "sign"), { message });
    expect(v2.key_version).toBe(2);
    expect(await ok(tenant, "POST", keyPath(key, "verify"), { message, signature: v2.signature })).toEqual({ valid: true, key_version: 2 });
    const [pk1, pk2] = [await ok(tenant, "GET", `${keyPath(key, "public-key")}?version=1&format=raw`), await ok(tenant, "GET", `${keyPath(key, "public-key")}?version=2&format=raw`)];
    expect(pk1.public_key).not.toEqual(pk2.public_key);
  });

  it("min_decryption_version = 2 refuses v1 envelopes with 409 key_disabled; v2 envelopes still decrypt", async () => {
    const key = await createKey(tenant, { algorithm: "ML-KEM-1024" });
    const v1 = await encrypt(key, "old");
    await ok(tenant, "POST", keyPath(key, "rotate"));
    const v2 = await encrypt(key, "new");
    expect(await ok(tenant, "PATCH", keyPath(key), { min_decryption_version: 2 })).toMatchObject({ min_decryption_version: 2 });
    expect(await decrypt(key, v1.ciphertext)).toMatchObject({ status: 409, body: { code: "key_disabled" } });
    expect(await decrypt(key, v2.ciphertext)).toMatchObject({ status: 200, body: { key_version: 2 } });
  });
});

describe("disable and enable", () => {
  it("a disabled key answers every crypto operation with 409 key_disabled, and can still be read", async () => {
    const { kem, dsa, envelope, signature } = await keyPair();
    for (const key of [kem, dsa]) expect(await ok(tenant, "POST", keyPath(key, "disable"))).toMatchObject({ state: "disabled" });
    for (const [operation, answer] of Object.entries(await cryptoAnswers(kem, dsa, envelope, signature))) {
      expect({ operation, status: answer.status, code: answer.body.code }).toEqual({ operation, status: 409, code: "key_disabled" });
    }
    expect(await ok(tenant, "GET", keyPath(kem))).toMatchObject({ state: "disabled" });
    expect(await api(tenant, "GET", `${keyPath(dsa, "public-key")}?format=jwk`)).toMatchObject({ status: 200 });
    expect(await api(tenant, "POST", keyPath(kem, "rotate"))).toMatchObject({ status: 409, body: { code: "key_disabled" } });

    for (const key of [kem, dsa]) expect(await ok(tenant, "POST", keyPath(key, "enable"))).toMatchObject({ state: "enabled" });
    for (const [operation, answer] of Object.entries(await cryptoAnswers(kem, dsa, envelope, signature))) {
      expect({ operation, status: answer.status }).toEqual({ operation, status: 200 });
    }
  });
});

describe("scheduled deletion", () => {
  it("defaults to the key's own deletion window; 7 and 30 days are accepted", async () => {
    const key = await createKey(tenant, { algorithm: "ML-DSA-44", deletion_window_days: 12 });
    const scheduled = await ok<KeyView>(tenant, "POST", keyPath(key, "schedule-deletion"));
    expect(scheduled.state).toBe("pending_deletion");
    expect(Date.parse(scheduled.deletion_date ?? "") - Date.parse(scheduled.updated_at)).toBe(12 * DAY_MS);
    for (const days of [7, 30]) {
      const other = await createKey(tenant, { algorithm: "ML-DSA-44" });
      const answer = await ok<KeyView>(tenant, "POST", keyPath(other, "schedule-deletion"), { days });
      expect(Date.parse(answer.deletion_date ?? "") - Date.parse(answer.updated_at)).toBe(days * DAY_MS);
    }
  });

  it("refuses a window outside 7–30 whole days, naming the field, and leaves the key as it was", async () => {
    const key = await createKey(tenant, { algorithm: "ML-DSA-44" });
    for (const days of [0, 6, 31, 365, 7.5, -7, "7", null]) {
      const answer = await api(tenant, "POST", keyPath(key, "schedule-deletion"), { days });
      expect(answer).toMatchObject({ status: 400, body: { code: "invalid_request", detail: expect.stringContaining("body.days") } });
    }
    expect(await ok(tenant, "GET", keyPath(key))).toMatchObject({ state: "enabled", deletion_date: null });
  });

  it("a key pending deletion refuses use with 409; cancelling brings it back disabled, then enable restores it", async () => {
    const { kem, dsa, envelope, signature } = await keyPair();
    for (const key of [kem, dsa]) await ok(tenant, "POST", keyPath(key, "schedule-deletion"), { days: 7 });
    for (const [operation, answer] of Object.entries(await cryptoAnswers(kem, dsa, envelope, signature))) {
      expect({ operation, status: answer.status, code: answer.body.code }).toEqual({ operation, status: 409, code: "key_disabled" });
    }
    expect(await api(tenant, "POST", keyPath(kem, "schedule-deletion"))).toMatchObject({ status: 409, body: { code: "conflict" } });
    expect(await api(tenant, "POST", keyPath(kem, "enable"))).toMatchObject({ status: 409, body: { code: "conflict" } });

    for (const key of [kem, dsa]) {
      expect(await ok(tenant, "POST", keyPath(key, "cancel-deletion"))).toMatchObject({ state: "disabled", deletion_date: null });
      await ok(tenant, "POST", keyPath(key, "enable"));
    }
    expect(text((await decrypt(kem, envelope)).body.plaintext)).toBe("p");
    expect(await api(tenant, "POST", keyPath(kem, "cancel-deletion"))).toMatchObject({ status: 409, body: { code: "conflict" } });
  });
});

async function keyCount(caller: TestTenant): Promise<number> {
  const answer = await api<{ keys: KeyView[] }>(caller, "GET", "/v1/keys?limit=100");
  expect(answer.status).toBe(200);
  return answer.body.keys.length;
}

const create = (caller: TestTenant, body: Record<string, unknown>, idempotencyKey: string) =>
  api<KeyView & { code?: string }>(caller, "POST", "/v1/keys", body, { "idempotency-key": idempotencyKey });

describe("Idempotency-Key on key creation", () => {
  it("the same request twice in sequence creates one key and answers it both times", async () => {
    const caller = await roomyTenant();
    const body = { algorithm: "ML-DSA-44", name: "signer", labels: { team: "a" } };
    const first = await create(caller, body, "create-signer-1");
    const second = await create(caller, body, "create-signer-1");
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body).toMatchObject({ name: "signer", algorithm: "ML-DSA-44" });
    expect(await keyCount(caller)).toBe(1);
  });

  it("the same request ten times concurrently creates exactly one key", async () => {
    const caller = await roomyTenant();
    const body = { algorithm: "ML-KEM-768", name: "burst" };
    const answers = await Promise.all(Array.from({ length: 10 }, () => create(caller, body, "burst-key")));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(await keyCount(caller)).toBe(1);
  });

  it("a different body under a used key is a 409 idempotency_conflict and creates nothing", async () => {
    const caller = await roomyTenant();
    const first = await create(caller, { algorithm: "ML-KEM-512", name: "a" }, "reused");
    for (const other of [{ algorithm: "ML-KEM-512", name: "b" }, { algorithm: "ML-KEM-768", name: "a" }, { algorithm: "ML-KEM-512" }]) {
      const answer = await create(caller, other, "reused");
      expect(answer).toMatchObject({ status: 409, body: { code: "idempotency_conflict" } });
    }
    expect(await keyCount(caller)).toBe(1);
    expect((await create(caller, { algorithm: "ML-KEM-512", name: "a" }, "reused")).body.id).toBe(first.body.id);
  });

  it("different keys, or no key, create different keys; keys are per caller", async () => {
    const caller = await roomyTenant();
    const other = await roomyTenant();
    const body = { algorithm: "ML-DSA-44" };
    const a = await create(caller, body, "k-1");
    const b = await create(caller, body, "k-2");
    const plain = await api<KeyView>(caller, "POST", "/v1/keys", body);
    const elsewhere = await create(other, body, "k-1");
    expect(new Set([a.body.id, b.body.id, plain.body.id, elsewhere.body.id]).size).toBe(4);
    expect(await keyCount(caller)).toBe(3);
    expect(await keyCount(other)).toBe(1);
  });

  it("a malformed Idempotency-Key is refused before anything is created", async () => {
    const caller = await roomyTenant();
    for (const header of ["has space", "x".repeat(256), "tab\there"]) {
      expect(await create(caller, { algorithm: "ML-DSA-44" }, header)).toMatchObject({ status: 400, body: { code: "invalid_request" } });
    }
    expect(await keyCount(caller)).toBe(0);
  });
});
