/**
 * The `pqkms` CLI, spawned as a user runs it, against the real three Workers: keys managed, a
 * signature made and checked offline with only the public key, a tampered message refused with
 * exit 1, errors as one line with code, rule and request id and their documented exit codes, the
 * denied call found again in the audit log, the log paged, and configuration refused when missing
 * or readable by others.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenant, sharedApi, type Api } from "../../../test/node/interop/harness.ts";
import { ERROR_LINE, pqkms, pqkmsJson, scratch } from "./cli-run.ts";

let api: Api;
let env: Record<string, string>;

beforeAll(async () => {
  api = sharedApi();
  env = { PQKMS_URL: api.url, PQKMS_API_KEY: await createTenant(api, "cli") };
}, 60_000);
afterAll(() => api?.close());

interface Key {
  id: string;
  primary_version: number;
  versions: { version: number }[];
}

describe("keys", () => {
  it("creates, lists, reads and rotates", async () => {
    const run = crypto.randomUUID().slice(0, 8);
    const key = await pqkmsJson<Key>(["keys", "create", "--algorithm", "AES-256-GCM", "--name", `cli-${run}`, "--label", `run=${run}`], { env });
    expect(key).toMatchObject({ primary_version: 1 });

    const listed = await pqkms(["keys", "list", "--label", `run:${run}`], { env });
    expect(listed.code).toBe(0);
    const lines = listed.stdout.toString().trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+NAME\s+ALGORITHM\s+PURPOSE\s+STATE\s+PRIMARY\s+CREATED$/);
    expect(lines.slice(1)).toHaveLength(1);
    expect(lines[1]).toContain(key.id);

    const shown = await pqkms(["keys", "get", key.id], { env });
    expect(shown.stdout.toString()).toMatch(/primary version:\s+1\n/);
    const rotated = await pqkmsJson<Key>(["keys", "rotate", key.id], { env });
    expect(rotated.primary_version).toBe(2);
    expect(rotated.versions.map((v) => v.version)).toEqual([1, 2]);
  });
});

describe("sign and verify", () => {
  it("signs, verifies offline with the public key file, and answers exit 1 for a tampered message", async () => {
    const dir = scratch();
    const file = (name: string) => path.join(dir, name);
    const key = await pqkmsJson<Key>(["keys", "create", "--algorithm", "ML-DSA-65"], { env });
    writeFileSync(file("msg.txt"), "release 1.2.3");
    const signed = await pqkms(["sign", "--key", key.id, "--in", file("msg.txt"), "--out", file("msg.sig"), "--context", "ci"], { env });
    expect(signed).toMatchObject({ code: 0, stderr: "" });
    expect(readFileSync(file("msg.sig"))).toHaveLength(3309); // FIPS 204 ML-DSA-65 signature, raw binary
    expect((await pqkms(["public-key", "--key", key.id, "--format", "pem", "--out", file("key.pem")], { env })).code).toBe(0);

    // Offline: no configuration at all, only the public key.
    const verify = (message: string, context = "ci") =>
      pqkms(["verify", "--public-key", file("key.pem"), "--signature", file("msg.sig"), "--context", context], { input: message });
    const valid = await verify("release 1.2.3");
    expect(valid).toMatchObject({ code: 0, stderr: "" });
    expect(valid.stdout.toString()).toBe("valid\n");
    const tampered = await verify("release 1.2.4");
    expect(tampered).toMatchObject({ code: 1, stderr: "" });
    expect(tampered.stdout.toString()).toBe("invalid\n");
    expect((await verify("release 1.2.3", "other")).code).toBe(1);

    // The service agrees.
    const online = await pqkmsJson<{ valid: boolean; key_version: number }>(["verify", "--key", key.id, "--signature", file("msg.sig"), "--in", file("msg.txt"), "--context", "ci"], { env });
    expect(online).toEqual({ valid: true, key_version: 1 });
  });
});

describe("import", () => {
  it("seals a seed to a new import job and imports it; material yielding another public key is refused", async () => {
    const dir = scratch();
    const seed = crypto.getRandomValues(new Uint8Array(32));
    writeFileSync(path.join(dir, "seed.bin"), seed);
    const { publicKey } = ml_dsa65.keygen(seed);
    const other = ml_dsa65.keygen(crypto.getRandomValues(new Uint8Array(32))).publicKey;
    writeFileSync(path.join(dir, "other.json"), JSON.stringify({ key_id: crypto.randomUUID(), version: 1, algorithm: "ML-DSA-65", format: "raw", public_key: Buffer.from(other).toString("base64") }));

    const key = await pqkmsJson<Key & { state: string }>(["keys", "create", "--algorithm", "ML-DSA-65", "--origin", "imported"], { env });
    expect(key.state).toBe("pending_import");
    const refused = await pqkms(["keys", "import", key.id, "--material", path.join(dir, "seed.bin"), "--expected-public-key", path.join(dir, "other.json")], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(ERROR_LINE);

    const imported = await pqkmsJson<Key & { state: string }>(["keys", "import", key.id, "--material", path.join(dir, "seed.bin")], { env });
    expect(imported).toMatchObject({ state: "enabled", primary_version: 1 });
    const raw = await pqkms(["public-key", "--key", key.id, "--format", "raw"], { env });
    expect(new Uint8Array(raw.stdout)).toEqual(publicKey);
  });
});

describe("errors", () => {
  it("print one line with the code and request id, and exit 4 for a key that does not exist", async () => {
    const run = await pqkms(["keys", "get", "00000000-0000-4000-8000-000000000000"], { env });
    expect(run.code).toBe(4);
    expect(run.stdout).toHaveLength(0);
    const [, code, , requestId] = ERROR_LINE.exec(run.stderr) ?? [];
    expect(code).toBe("key_not_found");
    expect(requestId).toBeTruthy();
  });

  it("name the rule of a denied call (exit 3), and the audit log finds it by its request id", async () => {
    const key = await pqkmsJson<Key>(["keys", "create", "--algorithm", "ML-DSA-44"], { env });
    const verifier = await pqkmsJson<{ token: string }>(["api-keys", "create", "--name", "verifier", "--scope", "crypto:verify"], { env });
    const denied = await pqkms(["sign", "--key", key.id], { env: { ...env, PQKMS_API_KEY: verifier.token }, input: "hello" });
    expect(denied.code).toBe(3);
    const [, code, rule, requestId] = ERROR_LINE.exec(denied.stderr) ?? [];
    expect({ code, rule }).toEqual({ code: "access_denied", rule: "scopes" });

    const found = await pqkmsJson<{ events: { operation: string; outcome: string; rule: string; request_id: string }[] }>(
      ["audit", "list", "--request-id", requestId!, "--outcome", "denied"],
      { env },
    );
    expect(found.events).toEqual([expect.objectContaining({ operation: "crypto.sign", outcome: "denied", rule: "scopes", request_id: requestId })]);
  });

  it("a usage error exits 2 on one line", async () => {
    const run = await pqkms(["keys", "create", "--algorithm", "RSA-2048"], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(ERROR_LINE);
    expect(run.stderr).toContain("(code=usage)");
  });
});

describe("audit", () => {
  it("pages with --limit and --cursor, and --all follows every page", async () => {
    // Events of its own (the tests above make more, in whatever order they run).
    for (let i = 0; i < 5; i++) await api.call("POST", "/v1/keys", { auth: env.PQKMS_API_KEY, body: { algorithm: "AES-256-GCM" }, status: 201 });
    const first = await pqkmsJson<{ events: { seq: number }[]; next_cursor: string | null }>(["audit", "list", "--limit", "2"], { env });
    expect(first.events).toHaveLength(2);
    expect(first.next_cursor).not.toBeNull();
    const second = await pqkmsJson<{ events: { seq: number }[] }>(["audit", "list", "--limit", "2", "--cursor", first.next_cursor!], { env });
    expect(second.events[0]!.seq).toBeLessThan(first.events[1]!.seq); // newest first
    const all = await pqkmsJson<{ events: { seq: number }[]; next_cursor: null }>(["audit", "list", "--all", "--limit", "3"], { env });
    expect(all.events.length).toBeGreaterThan(4);
    expect(all.events.map((e) => e.seq)).toEqual([...all.events.map((e) => e.seq)].sort((a, b) => b - a));
  });
});

describe("configuration", () => {
  it("missing: exit 2 naming what to set", async () => {
    const run = await pqkms(["keys", "list"], { env: { PQKMS_URL: api.url } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^pqkms: no API key: set PQKMS_API_KEY .*\(code=config_missing\)\n$/);
  });

  it("a profile from the config file, refused while others can read the key", async () => {
    const home = scratch();
    const config = path.join(home, "config.json");
    writeFileSync(config, JSON.stringify({ profiles: { local: { url: api.url, api_key: env.PQKMS_API_KEY } } }));
    chmodSync(config, 0o644);
    const open = await pqkms(["--profile", "local", "usage"], { env: { PQKMS_CONFIG: config }, cwd: home });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain("(code=config_unprotected)");
    expect(open.stderr).not.toContain(env.PQKMS_API_KEY!);

    chmodSync(config, 0o600);
    const usage = await pqkmsJson<{ plan: string }>(["usage", "--profile", "local"], { env: { PQKMS_CONFIG: config }, cwd: home });
    expect(usage.plan).toBe("enterprise");
  });
});
