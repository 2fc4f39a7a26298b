/**
 * `pqkms encrypt|decrypt|seal` spawned against the real three Workers: a small input becomes one
 * service envelope, one over the 256 KiB threshold the stream format (a whole number of chunks and
 * not), through files and through stdin/stdout, byte-identical back; offline seal to the public key
 * opened by the service; a cut or modified stream and a wrong aad fail with exit 1 and leave no
 * output file; nothing is drawn on a piped stderr.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, sharedApi, type Api } from "../../../test/node/interop/harness.ts";
import { ERROR_LINE, pqkms, pqkmsJson, scratch } from "./cli-run.ts";

let api: Api;
let env: Record<string, string>;
let keyId: string;
let aesId: string;
let dir: string;
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  api = sharedApi();
  env = { PQKMS_URL: api.url, PQKMS_API_KEY: await createTenant(api, "cli-data") };
  keyId = (await pqkmsJson<{ id: string }>(["keys", "create", "--algorithm", "ML-KEM-768"], { env })).id;
  aesId = (await pqkmsJson<{ id: string }>(["keys", "create", "--algorithm", "AES-256-GCM"], { env })).id;
  dir = scratch();
}, 60_000);
afterAll(() => api?.close());

const ENVELOPE = Buffer.from("PQK\x01", "latin1");
const STREAM = Buffer.from("PQKS", "latin1");

describe("encrypt and decrypt", () => {
  it("a 100-byte file becomes one envelope and comes back, by key and key-less", async () => {
    const plaintext = randomBytes(100);
    writeFileSync(file("small.bin"), plaintext);
    expect(await pqkms(["encrypt", "--key", keyId, "--in", file("small.bin"), "--out", file("small.pqk")], { env })).toMatchObject({ code: 0, stderr: "" });
    expect(readFileSync(file("small.pqk")).subarray(0, 4)).toEqual(ENVELOPE);
    const byKey = await pqkms(["decrypt", "--key", keyId, "--in", file("small.pqk")], { env });
    expect(byKey.code).toBe(0);
    expect(byKey.stdout).toEqual(plaintext);
    // stdin to stdout, with aad, and the key taken from the envelope's header.
    const sealed = await pqkms(["encrypt", "--key", keyId, "--aad", "order:7"], { env, input: plaintext });
    const opened = await pqkms(["decrypt", "--aad", "order:7"], { env, input: sealed.stdout });
    expect(opened.stdout).toEqual(plaintext);
  });

  it("--json gives the API's answer with the envelope as base64, which decrypt --base64 reads", async () => {
    const answer = await pqkmsJson<{ ciphertext: string; key_version: number }>(["encrypt", "--key", keyId], { env, input: "hello" });
    expect(answer.key_version).toBe(1);
    const opened = await pqkms(["decrypt", "--base64"], { env, input: answer.ciphertext });
    expect(opened.stdout.toString()).toBe("hello");
  });

  it("a file of whole 64 KiB chunks over the threshold streams through files (data key wrapped by an AES key), with no progress bar on a pipe", async () => {
    const plaintext = randomBytes(5 * 64 * 1024);
    writeFileSync(file("five.bin"), plaintext);
    const encrypted = await pqkms(["encrypt", "--key", aesId, "--in", file("five.bin"), "--out", file("five.pqks")], { env });
    expect(encrypted).toMatchObject({ code: 0, stderr: "" });
    expect(readFileSync(file("five.pqks")).subarray(0, 4)).toEqual(STREAM);
    const decrypted = await pqkms(["decrypt", "--in", file("five.pqks"), "--out", file("five.out")], { env });
    expect(decrypted).toMatchObject({ code: 0, stderr: "" });
    expect(readFileSync(file("five.out")).equals(plaintext)).toBe(true);
  });

  it("--json with a stream: the summary on stdout and the stream in --out; without --out, exit 2 and nothing on stdout", async () => {
    const plaintext = randomBytes(5 * 64 * 1024);
    writeFileSync(file("json.bin"), plaintext);
    const summary = await pqkmsJson(["encrypt", "--key", aesId, "--in", file("json.bin"), "--out", file("json.pqks")], { env });
    expect(summary).toEqual({ format: "stream", bytes_in: plaintext.length, out: file("json.pqks") });
    expect(readFileSync(file("json.pqks")).subarray(0, 4)).toEqual(STREAM);
    const refused = await pqkms(["--json", "encrypt", "--key", aesId, "--in", file("json.bin")], { env });
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/^pqkms: --json with a stream needs --out FILE .*\(code=usage\)\n$/) as unknown });
    expect(refused.stdout).toHaveLength(0);
  });

  it("an odd size streams through stdin and stdout (data key wrapped by ML-KEM-768); a wrong aad, a cut and a changed byte fail with exit 1 and no file", async () => {
    const plaintext = randomBytes(300 * 1024 + 7);
    const encrypted = await pqkms(["encrypt", "--key", keyId, "--aad", "run:1"], { env, input: plaintext });
    expect(encrypted.code).toBe(0);
    const stream = encrypted.stdout;
    expect(stream.subarray(0, 4)).toEqual(STREAM);
    const decrypted = await pqkms(["decrypt", "--aad", "run:1"], { env, input: stream });
    expect(decrypted.code).toBe(0);
    expect(decrypted.stdout.equals(plaintext)).toBe(true);

    const refused = async (input: Buffer, aad: string, code: RegExp) => {
      const out = file(`refused-${crypto.randomUUID()}`);
      const run = await pqkms(["decrypt", "--aad", aad, "--out", out], { env, input });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(ERROR_LINE);
      expect(run.stderr).toMatch(code);
      expect(existsSync(out)).toBe(false);
    };
    await refused(stream, "run:2", /code=decrypt_failed/);
    await refused(stream.subarray(0, stream.length - 100), "run:1", /code=stream_chunk/);
    const changed = Buffer.from(stream);
    changed[changed.length - 70_000]! ^= 1;
    await refused(changed, "run:1", /code=stream_chunk/);
  });
});

describe("seal", () => {
  it("seals offline to the public key, small and large, and the service decrypts both", async () => {
    expect((await pqkms(["public-key", "--key", keyId, "--json", "--out", file("key.json")], { env })).code).toBe(0);
    expect((await pqkms(["public-key", "--key", keyId, "--format", "pem", "--out", file("key.pem")], { env })).code).toBe(0);
    // Offline: no gateway configured.
    const small = await pqkms(["seal", "--public-key", file("key.json")], { input: "to the key" });
    expect(small).toMatchObject({ code: 0, stderr: "" });
    expect((await pqkms(["decrypt"], { env, input: small.stdout })).stdout.toString()).toBe("to the key");

    const large = randomBytes(260 * 1024);
    const pemWithoutId = await pqkms(["seal", "--public-key", file("key.pem")], { input: large });
    expect(pemWithoutId.code).toBe(2);
    expect(pemWithoutId.stderr).toContain("code=missing_key_id");
    const sealed = await pqkms(["seal", "--public-key", file("key.pem"), "--key-id", keyId, "--key-version", "1"], { input: large });
    expect(sealed.stdout.subarray(0, 4)).toEqual(STREAM);
    const opened = await pqkms(["decrypt", "--key", keyId], { env, input: sealed.stdout });
    expect(opened.stdout.equals(large)).toBe(true);
  });
});
