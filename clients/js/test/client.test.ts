/**
 * The client against the real three Workers (wrangler's test harness): keys created, listed past
 * one page, read, rotated; bytes encrypted, decrypted, signed and verified; failures as PqkmsError
 * with the gateway's code, the field it names, the policy rule and the request id.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, sharedApi, type Api } from "../../../test/node/interop/harness.ts";
import { TEST_SECRETS } from "../../../test/support/workers-setup.ts";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { Pqkms, PqkmsError, sealImportMaterial, type Algorithm } from "../src/index.ts";

let api: Api;
let client: Pqkms;
let apiKey: string;

beforeAll(async () => {
  api = sharedApi();
  apiKey = await createTenant(api, "client-sdk");
  client = new Pqkms({ url: api.url, apiKey });
}, 60_000);
afterAll(() => api?.close());

async function failure(promise: Promise<unknown>): Promise<PqkmsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PqkmsError);
  return error as PqkmsError;
}

describe("keys", () => {
  it("creates, lists past one page, reads and rotates", async () => {
    const label = `run:${crypto.randomUUID()}`;
    const created = [];
    for (let i = 0; i < 3; i++) created.push(await client.keys.create({ algorithm: "AES-256-GCM", name: `page-${i}`, labels: { run: label.slice(4) } }));

    const listed = [];
    for await (const key of client.keys.list({ label, limit: 2 })) listed.push(key.id);
    expect(listed.sort()).toEqual(created.map((k) => k.id).sort());

    const pages = [];
    for await (const page of client.keys.list({ label, limit: 2 }).pages()) pages.push(page.keys.length);
    expect(pages).toEqual([2, 1]);

    const first = created[0]!;
    expect(await client.keys.get(first.id)).toMatchObject({ id: first.id, name: "page-0", primary_version: 1 });
    const rotated = await client.keys.rotate(first.id);
    expect(rotated.primary_version).toBe(2);
    expect(rotated.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it("encrypts and decrypts bytes, and text as UTF-8", async () => {
    const key = await client.keys.create({ algorithm: "ML-KEM-768" });
    const plaintext = new Uint8Array(300).map((_, i) => i % 251);
    const aad = new Uint8Array([1, 2, 3]);
    const sealed = await client.keys.encrypt(key.id, plaintext, { aad });
    expect(sealed.ciphertext).toBeInstanceOf(Uint8Array);
    expect((await client.keys.decrypt(key.id, sealed.ciphertext, { aad })).plaintext).toEqual(plaintext);
    // The envelope names its key: decrypt without saying which.
    const text = await client.keys.encrypt(key.id, "héllo");
    expect(new TextDecoder().decode((await client.envelopes.decrypt(text.ciphertext)).plaintext)).toBe("héllo");
  });

  it("signs and verifies, and the public key comes in each format", async () => {
    const key = await client.keys.create({ algorithm: "ML-DSA-65" });
    const message = new TextEncoder().encode("release 1.2.3");
    const { signature } = await client.keys.sign(key.id, message, { context: "ci" });
    expect(await client.keys.verify(key.id, message, signature, { context: "ci" })).toMatchObject({ valid: true, key_version: 1 });
    expect((await client.keys.verify(key.id, "release 1.2.4", signature, { context: "ci" })).valid).toBe(false);

    expect((await client.keys.publicKey(key.id, { format: "raw" })).public_key).toHaveLength(1952);
    expect((await client.keys.publicKey(key.id)).public_key).toBeInstanceOf(Uint8Array);
    expect((await client.keys.publicKey(key.id, { format: "pem" })).public_key).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect((await client.keys.publicKey(key.id, { format: "jwk" })).public_key).toMatchObject({ kty: "AKP", alg: "ML-DSA-65" });
  });
});

describe("failures", () => {
  it("an unknown key is 404 key_not_found with the request id", async () => {
    const error = await failure(client.keys.get(crypto.randomUUID(), { requestId: "client-test-404" }));
    expect(error).toMatchObject({ status: 404, code: "key_not_found", requestId: "client-test-404" });
  });

  it("bad input is 400 naming the field", async () => {
    const error = await failure(client.keys.create({ algorithm: "RSA-2048" as Algorithm }));
    expect(error).toMatchObject({ status: 400, code: "invalid_request" });
    expect(error.detail).toMatch(/algorithm/);
    expect(error.requestId).toMatch(/.{8,}/);
  });

  it("a policy denial is 403 with the rule that denied it", async () => {
    const own = new Pqkms({ url: api.url, apiKey: await createTenant(api, "client-sdk-policy") });
    const key = await own.keys.create({ algorithm: "ML-DSA-44" });
    const rule = await own.policyRules.create({ kind: "operation_deny", value: "crypto.sign" });
    const error = await failure(own.keys.sign(key.id, "x"));
    expect(error).toMatchObject({ status: 403, code: "access_denied", rule: "tenant_operation_deny" });
    await own.policyRules.delete(rule.id);
  });

  it("an admin call from an API-key client names the credential it needs", async () => {
    await expect(client.admin.tenants.get("t")).rejects.toThrow(/adminToken/);
    const admin = new Pqkms({ url: api.url, adminToken: TEST_SECRETS.ADMIN_TOKEN });
    const error = await failure(admin.admin.tenants.get(crypto.randomUUID()));
    expect(error).toMatchObject({ status: 404, code: "tenant_not_found" });
  });
});

describe("the built package", () => {
  it("imports by its name in plain Node and calls the gateway", async () => {
    const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    expect(existsSync(dist), "clients/js/dist is missing: run npm run client:build (npm ci and npm test build it)").toBe(true);
    // A separate process, as an application would run it: the package by name, no TypeScript.
    const program = `
      import { Pqkms, PqkmsError } from "@pqkms/client";
      const client = new Pqkms({ url: process.env.URL, apiKey: process.env.KEY });
      const key = await client.keys.create({ algorithm: "AES-256-GCM" });
      const { ciphertext } = await client.keys.encrypt(key.id, "from dist");
      const { plaintext } = await client.keys.decrypt(key.id, ciphertext);
      const error = await client.keys.get("00000000-0000-4000-8000-000000000000").catch((e) => e);
      console.log(JSON.stringify({ text: new TextDecoder().decode(plaintext), error: error instanceof PqkmsError ? error.code : String(error) }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", program], {
      cwd: fileURLToPath(new URL("../../..", import.meta.url)),
      env: { ...process.env, URL: api.url, KEY: apiKey },
    });
    expect(JSON.parse(stdout)).toEqual({ text: "from dist", error: "key_not_found" });
  });
});

describe("key import", () => {
  it("brings an ML-DSA-65 seed in through an X-Wing import job; the service signs with it and a second use of the job is gone", async () => {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const { publicKey } = ml_dsa65.keygen(seed);
    const job = await client.importJobs.create({ wrapping_algorithm: "X-Wing" });
    expect(job).toMatchObject({ state: "active", wrapping_algorithm: "X-Wing" });
    const key = await client.keys.create({ algorithm: "ML-DSA-65", origin: "imported" });
    expect(key).toMatchObject({ origin: "imported", state: "pending_import" });

    const wrappedMaterial = await sealImportMaterial(job, { algorithm: "ML-DSA-65", material: seed });
    const imported = await client.keys.import(key.id, { importJobId: job.id, wrappedMaterial, expectedPublicKey: publicKey });
    expect(imported).toMatchObject({ id: key.id, state: "enabled", primary_version: 1 });
    expect((await client.importJobs.get(job.id)).state).toBe("used");
    const listed = [];
    for await (const j of client.importJobs.list({ limit: 1 })) listed.push(j.id);
    expect(listed).toContain(job.id);

    const { signature } = await client.keys.sign(key.id, "imported, then used");
    expect(ml_dsa65.verify(signature, new TextEncoder().encode("imported, then used"), publicKey)).toBe(true);

    const again = await failure(client.keys.import(key.id, { importJobId: job.id, wrappedMaterial }));
    expect(again).toMatchObject({ status: 410, code: "import_job_gone" });
  });
});
