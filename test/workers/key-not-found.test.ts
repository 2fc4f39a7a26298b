/**
 * Another tenant's key does not exist for you (architecture §6): on every route that names a key, its id
 * answers exactly like a random UUID and like something that is not a UUID at all — same status,
 * code, title and detail — whatever the route, body or API key restriction. The routes come from
 * the gateway's own registry, so a new key route is covered (or this test fails asking for a body).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { cryptoRoutes } from "../../workers/gateway/src/routes/crypto.ts";
import { keyRoutes } from "../../workers/gateway/src/routes/keys.ts";
import { createApiKey, type Json, type TestTenant } from "./helpers.ts";
import { api, b64, createKey, ok, roomyTenant, toBase64, withoutRequestId, type KeyView } from "./kms-helpers.ts";

/** A body each key route accepts, so that the answer is about the key, not the input. */
function validBody(path: string, envelope: string): Json | undefined {
  const action = path.split("/")[4];
  const bodies: Record<string, Json> = {
    "": { name: "renamed" },
    "schedule-deletion": { days: 7 },
    encrypt: { plaintext: b64("x") },
    decrypt: { ciphertext: envelope },
    rewrap: { ciphertext: envelope },
    datakey: {},
    decapsulate: { ciphertext: toBase64(new Uint8Array(1088)) },
    sign: { message: b64("m") },
    verify: { message: b64("m"), signature: b64("not a signature") },
    mac: { message: b64("m") },
    "verify-mac": { message: b64("m"), mac: b64("not a tag") },
  };
  return bodies[action ?? ""];
}

const KEY_ROUTES = [...keyRoutes, ...cryptoRoutes].filter((r) => r.path.includes("/:key"));

let owner: TestTenant;
let caller: TestTenant;
let kem: KeyView;
let dsa: KeyView;
let hmac: KeyView;
let envelope: string;

beforeAll(async () => {
  owner = await roomyTenant("owner");
  caller = await roomyTenant("caller");
  kem = await createKey(owner, { algorithm: "ML-KEM-768" });
  dsa = await createKey(owner, { algorithm: "ML-DSA-44" });
  hmac = await createKey(owner, { algorithm: "HMAC-SHA-256" });
  envelope = (await ok<{ ciphertext: string }>(owner, "POST", `/v1/keys/${kem.id}/encrypt`, { plaintext: b64("theirs") })).ciphertext;
});

/** The other tenant's key that the route would act on, were isolation broken. */
const theirKey = (path: string) => (/\/(mac|verify-mac)$/.test(path) ? hmac : /\/(sign|verify)$/.test(path) ? dsa : kem);

const NON_UUIDS = ["not-a-uuid", "12345", "00000000-0000-0000-0000-00000000000g", `${crypto.randomUUID()}0`, "k".repeat(300), "with%20space"];

describe("a key id the caller cannot see", () => {
  it("covers every key route", () => {
    expect(KEY_ROUTES.length).toBeGreaterThanOrEqual(14);
    for (const route of KEY_ROUTES) {
      if (route.body) expect(validBody(route.path, "x"), `sample body for ${route.method} ${route.path}`).toBeDefined();
    }
  });

  it.each(KEY_ROUTES.map((r) => [r.method.toUpperCase(), r.path, r] as const))("%s %s: another tenant's key = a random UUID = a non-UUID", async (method, path, route) => {
    const body = route.body ? validBody(path, envelope) : undefined;
    const at = (id: string) => path.replace(":key", id);
    const reference = await api(caller, method, at(crypto.randomUUID()), body);
    expect(reference.status).toBe(404);
    expect(reference.body).toMatchObject({ code: "key_not_found", title: "Key not found" });
    const expected = withoutRequestId(reference.body);

    const ids = [theirKey(path).id, theirKey(path).id.toUpperCase(), ...NON_UUIDS];
    for (const id of ids) {
      const answer = await api(caller, method, at(id), body);
      expect({ id, status: answer.status, body: withoutRequestId(answer.body) }).toEqual({ id, status: 404, body: expected });
    }
  });

  it("nothing the caller tried changed the owner's keys", async () => {
    for (const key of [kem, dsa]) {
      expect(await ok(owner, "GET", `/v1/keys/${key.id}`)).toMatchObject({ state: "enabled", name: null, primary_version: 1 });
    }
    expect((await ok<{ plaintext: string }>(owner, "POST", `/v1/keys/${kem.id}/decrypt`, { ciphertext: envelope })).plaintext).toBe(b64("theirs"));
  });

  it("an API key restricted to some keys is refused alike for another tenant's key and a random one", async () => {
    const own = await createKey(caller, { algorithm: "ML-DSA-44" });
    const restricted = await createApiKey(caller, { name: "one-key", role: "app", key_ids: [own.id] });
    const tenant = { ...caller, token: restricted.token };
    for (const path of ["/v1/keys/:key", "/v1/keys/:key/sign"]) {
      const body = path.endsWith("sign") ? { message: b64("m") } : undefined;
      const method = body ? "POST" : "GET";
      const random = await api(tenant, method, path.replace(":key", crypto.randomUUID()), body);
      const theirs = await api(tenant, method, path.replace(":key", dsa.id), body);
      expect(random.status).toBe(403);
      expect(withoutRequestId(theirs.body)).toEqual(withoutRequestId(random.body));
      expect((await api(tenant, method, path.replace(":key", own.id), body)).status).toBe(200);
    }
  });
});
