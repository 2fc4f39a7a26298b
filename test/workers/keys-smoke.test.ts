import { describe, expect, it } from "vitest";
import { createTenant, json, request } from "./helpers.ts";

const b64 = (text: string) => btoa(text);

describe("keys: the round trips", () => {
  it("ML-KEM-768: create, encrypt, decrypt", async () => {
    const t = await createTenant();
    const created = await request("POST", "/v1/keys", { token: t.token, body: { algorithm: "ML-KEM-768", name: "k" } });
    expect(created.status, await created.clone().text()).toBe(201);
    const key = await json<{ id: string }>(created);
    const enc = await request("POST", `/v1/keys/${key.id}/encrypt`, { token: t.token, body: { plaintext: b64("hello"), aad: b64("ctx") } });
    expect(enc.status, await enc.clone().text()).toBe(200);
    const { ciphertext } = await json<{ ciphertext: string }>(enc);
    const dec = await request("POST", `/v1/keys/${key.id}/decrypt`, { token: t.token, body: { ciphertext, aad: b64("ctx") } });
    expect(dec.status, await dec.clone().text()).toBe(200);
    expect(atob((await json<{ plaintext: string }>(dec)).plaintext)).toBe("hello");
  });

  it("ML-DSA-65: create, sign, verify", async () => {
    const t = await createTenant();
    const key = await json<{ id: string }>(await request("POST", "/v1/keys", { token: t.token, body: { algorithm: "ML-DSA-65" } }));
    const signed = await request("POST", `/v1/keys/${key.id}/sign`, { token: t.token, body: { message: b64("m"), context: b64("c") } });
    expect(signed.status, await signed.clone().text()).toBe(200);
    const { signature } = await json<{ signature: string }>(signed);
    const verified = await request("POST", `/v1/keys/${key.id}/verify`, { token: t.token, body: { message: b64("m"), context: b64("c"), signature } });
    expect(await json(verified)).toMatchObject({ valid: true, key_version: 1 });
    const pk = await request("GET", `/v1/keys/${key.id}/public-key?format=jwk`, { token: t.token });
    expect(pk.status, await pk.clone().text()).toBe(200);
  });
});
