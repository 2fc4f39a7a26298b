/**
 * The `pqkms` management commands, spawned as a user runs them, against the real three Workers:
 * a key's lifecycle (update, disable, enable, schedule and cancel deletion), one version at a time
 * (`keys versions …`, the primary refused with exit 1 and `conflict`), aliases standing for key
 * ids, API keys listed and revoked, policy rules added and removed, and `tenant`. Every answer is
 * read back with `--json`. A spawn costs ~0.5 s of CPU, so keys are made and results checked
 * through the API: only the commands under test are spawned.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createTenant, sharedApi, type Api } from "../../../test/node/interop/harness.ts";
import { ERROR_LINE, pqkms, pqkmsJson } from "./cli-run.ts";

let api: Api;
let token: string;
let env: Record<string, string>;

beforeAll(async () => {
  api = sharedApi();
  token = await createTenant(api, "cli-manage");
  env = { PQKMS_URL: api.url, PQKMS_API_KEY: token };
}, 60_000);

interface Version {
  version: number;
  state: string;
  destruction_date: string | null;
}
interface Key {
  id: string;
  name: string | null;
  state: string;
  primary_version: number;
  deletion_date: string | null;
  versions: Version[];
}

const createKey = (algorithm: string) => api.call<Key>("POST", "/v1/keys", { auth: token, body: { algorithm }, status: 201 });
const DAY = 86_400_000;

describe("a key's lifecycle", () => {
  it("updates, disables, enables, schedules deletion and cancels it", async () => {
    const key = await createKey("AES-256-GCM");
    expect((await pqkmsJson<Key>(["keys", "update", key.id, "--name", "after"], { env })).name).toBe("after");
    expect((await pqkmsJson<Key>(["keys", "disable", key.id], { env })).state).toBe("disabled");
    expect((await pqkmsJson<Key>(["keys", "enable", key.id], { env })).state).toBe("enabled");

    const scheduled = await pqkmsJson<Key>(["keys", "schedule-deletion", key.id, "--days", "7"], { env });
    expect(scheduled.state).toBe("pending_deletion");
    const days = (Date.parse(scheduled.deletion_date ?? "") - Date.now()) / DAY;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    // A scheduled deletion is cancelled into a disabled key, never straight back into use.
    expect(await pqkmsJson<Key>(["keys", "cancel-deletion", key.id], { env })).toMatchObject({ state: "disabled", deletion_date: null });
    expect(await api.call<Key>("GET", `/v1/keys/${key.id}`, { auth: token })).toMatchObject({ name: "after", state: "disabled" });
  });
});

describe("one version at a time", () => {
  it("disables, enables, schedules and cancels a version's destruction; the primary is refused", async () => {
    const key = await createKey("ML-DSA-44");
    await api.call("POST", `/v1/keys/${key.id}/rotate`, { auth: token });
    const version = (k: Key, n: number) => k.versions.find((v) => v.version === n);

    expect(version(await pqkmsJson<Key>(["keys", "versions", "disable", key.id, "1"], { env }), 1)).toMatchObject({ state: "disabled" });
    expect(version(await pqkmsJson<Key>(["keys", "versions", "enable", key.id, "1"], { env }), 1)).toMatchObject({ state: "enabled" });
    const scheduled = version(await pqkmsJson<Key>(["keys", "versions", "schedule-destruction", key.id, "1", "--days", "7"], { env }), 1);
    expect(scheduled?.state).toBe("pending_destruction");
    expect(Date.parse(scheduled?.destruction_date ?? "")).toBeGreaterThan(Date.now() + 6.9 * DAY);
    expect(version(await pqkmsJson<Key>(["keys", "versions", "cancel-destruction", key.id, "1"], { env }), 1)).toMatchObject({ state: "disabled", destruction_date: null });

    // The primary version cannot be disabled without rotating first (409 → exit 1, one line).
    const primary = await pqkms(["keys", "versions", "disable", key.id, "2"], { env });
    expect(primary.code).toBe(1);
    expect(ERROR_LINE.exec(primary.stderr)?.[1]).toBe("conflict");
    expect(version(await api.call<Key>("GET", `/v1/keys/${key.id}`, { auth: token }), 2)).toMatchObject({ state: "enabled" });
  });
});

describe("aliases", () => {
  it("names a key, stands for it in a command, moves to another key and is deleted", async () => {
    const first = await createKey("AES-256-GCM");
    const second = await createKey("AES-256-GCM");
    expect(await pqkmsJson(["aliases", "create", "orders", first.id], { env })).toMatchObject({ name: "orders", key_id: first.id });
    expect((await pqkmsJson<Key>(["keys", "get", "alias:orders"], { env })).id).toBe(first.id);

    const listed = await pqkms(["aliases", "list", "--key-id", first.id], { env });
    expect(listed.code).toBe(0);
    expect(listed.stdout.toString("utf8")).toMatch(new RegExp(`^orders\\s+${first.id}\\s+encrypt\\s`, "m"));

    expect(await pqkmsJson(["aliases", "update", "orders", second.id], { env })).toMatchObject({ name: "orders", key_id: second.id });
    expect(await pqkmsJson(["aliases", "delete", "orders"], { env })).toEqual({ deleted: "orders" });
    expect((await api.request("GET", "/v1/keys/alias:orders", { auth: token })).status).toBe(404);
  });
});

describe("access", () => {
  it("lists and revokes API keys, adds and removes a policy rule, and shows the tenant", async () => {
    const made = await pqkmsJson<{ id: string; token: string }>(["api-keys", "create", "--name", "short-lived", "--role", "auditor"], { env });
    const listed = await pqkmsJson<{ api_keys: { id: string; role: string; revoked_at: string | null }[] }>(["api-keys", "list"], { env });
    expect(listed.api_keys.find((k) => k.id === made.id)).toMatchObject({ role: "auditor", revoked_at: null });
    expect(JSON.stringify(listed)).not.toContain(made.token);
    expect(await pqkmsJson(["api-keys", "revoke", made.id], { env })).toEqual({ revoked: made.id });
    expect((await api.request("GET", "/v1/tenant", { auth: made.token })).status).toBe(401);

    const rule = await pqkmsJson<{ id: string; kind: string; value: string }>(["policy-rules", "create", "operation_deny", "crypto.sign"], { env });
    expect(rule).toMatchObject({ kind: "operation_deny", value: "crypto.sign" });
    const signer = await createKey("ML-DSA-44");
    const sign = () => api.request("POST", `/v1/keys/${signer.id}/sign`, { auth: token, body: { message: "bQ==" } });
    const denied = await pqkms(["sign", "--key", signer.id], { env, input: "m" });
    expect(denied.code).toBe(3);
    expect(ERROR_LINE.exec(denied.stderr)?.slice(1, 3)).toEqual(["access_denied", "tenant_operation_deny"]);
    expect((await pqkmsJson<{ rules: { id: string }[] }>(["policy-rules", "list"], { env })).rules.map((r) => r.id)).toContain(rule.id);
    expect(await pqkmsJson(["policy-rules", "delete", rule.id], { env })).toEqual({ deleted: rule.id });
    expect((await sign()).status).toBe(200);

    expect(await pqkmsJson(["tenant"], { env })).toMatchObject({ name: "cli-manage", status: "active" });
  });
});
