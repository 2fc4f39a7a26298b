/**
 * The audit archive of the real service, checked offline (architecture §9, docs/audit-archive.md).
 * A checkpoint signed on demand (`POST /v1/audit-checkpoints`) verifies with OpenSSL 3.5 (node:crypto
 * in Node 24) under the key `GET /v1/audit-keys` publishes (PEM and JWK; key id = RFC 7638
 * thumbprint) and commits to the event at its seq. Then, with the kms Worker sealing segments of
 * SEGMENT_EVENTS events, the vault's alarm archives real segments to (local) R2 and signs their
 * checkpoints; `scripts/audit-archive.ts download` copies them through the routes and `verify`
 * accepts the copy, and names the first break once a copied segment is edited. Last, after the audit
 * key is rotated, a copy holds checkpoints of both key versions, each valid in its own period, and
 * the platform's own log copies with the admin token and verifies the same way.
 */
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKPOINT_CONTEXT, checkCheckpoint, parseCheckpointPayload, type MlDsaVerify } from "../../../workers/shared/audit/archive-format.ts";
import { checkAuditKeys } from "../../../workers/shared/audit/archive-keys.ts";
import type { AuditCheckpointView, AuditKeyView, AuditSegmentView } from "../../../workers/shared/rpc.ts";
import { TEST_SECRETS } from "../../support/workers-setup.ts";
import { thumbprint, useTenant } from "./harness.ts";

const SEGMENT_EVENTS = 4;
const tenant = useTenant("audit-archive-interop", { kmsVars: { AUDIT_SEGMENT_EVENTS: String(SEGMENT_EVENTS) } });
const context = Buffer.from(CHECKPOINT_CONTEXT);
const SCRIPT = path.resolve(import.meta.dirname, "../../../scripts/audit-archive.ts");

function runScript(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr }));
  });
}

/** OpenSSL's ML-DSA-65 (FIPS 204 pure, with context) as the offline checker's verify function. */
const opensslVerify: MlDsaVerify = (publicKey, message, signature, ctx) => {
  const key = crypto.createPublicKey({ key: { kty: "AKP", alg: "ML-DSA-65", pub: Buffer.from(publicKey).toString("base64url") }, format: "jwk" });
  return crypto.verify(null, message, { key, context: Buffer.from(ctx) }, signature);
};

async function signSome(count: number): Promise<void> {
  const id = await tenant.createKey("ML-DSA-65", "sign");
  for (let i = 0; i < count; i++) await tenant.sign(id, { message: Buffer.from(`audited operation ${i}`) });
}

describe("a checkpoint made on demand, verified with OpenSSL 3.5", () => {
  it("commits to the tenant's event at its seq, under a published key OpenSSL reads from its PEM and JWK", async () => {
    const { api, token } = tenant;
    await signSome(2);
    const made = await api.request("POST", "/v1/audit-checkpoints", { auth: token });
    expect([200, 201]).toContain(made.status);
    const checkpoint = (await made.json()) as AuditCheckpointView;
    const payload = parseCheckpointPayload(checkpoint.payload);
    if (payload === null) throw new Error(`not a checkpoint payload: ${checkpoint.payload}`);
    expect(payload).toMatchObject({ seq: checkpoint.seq, key_id: checkpoint.key_id });
    const { events } = await api.call<{ events: { seq: number; hash: string }[] }>("GET", "/v1/audit-events?limit=100", { auth: token });
    expect(events.find((e) => e.seq === payload.seq)?.hash).toBe(payload.hash);

    const { keys } = await api.call<{ keys: AuditKeyView[] }>("GET", "/v1/audit-keys", { auth: token });
    expect(await checkAuditKeys(keys)).toBeNull();
    const key = keys.find((k) => k.key_id === checkpoint.key_id);
    if (key === undefined) throw new Error(`audit key ${checkpoint.key_id} is not published`);
    expect(key.key_id).toBe(thumbprint({ kty: "AKP", alg: "ML-DSA-65", pub: key.public_key.jwk.pub ?? "" }));

    const message = Buffer.from(checkpoint.payload, "utf8");
    const signature = Buffer.from(checkpoint.signature, "base64");
    const fromPem = crypto.createPublicKey(key.public_key.pem);
    const fromJwk = crypto.createPublicKey({ key: key.public_key.jwk, format: "jwk" });
    expect(crypto.verify(null, message, { key: fromPem, context }, signature)).toBe(true);
    expect(crypto.verify(null, message, { key: fromJwk, context }, signature)).toBe(true);
    expect(crypto.verify(null, message, fromPem, signature)).toBe(false);
    expect(crypto.verify(null, Buffer.from(checkpoint.payload.replace(/"seq":\d+/, '"seq":0')), { key: fromPem, context }, signature)).toBe(false);
    expect(await checkCheckpoint(checkpoint, keys, opensslVerify, payload.tenant)).toMatchObject({ ok: true });
  });
});

describe("archived segments, copied and checked offline", () => {
  it("download copies every checkpointed segment; verify accepts the copy and names an edit in it", async () => {
    const { api, token } = tenant;
    await signSome(3 * SEGMENT_EVENTS);
    // The vault's alarm seals, puts and checkpoints segments on its own schedule: wait for two.
    await expect
      .poll(async () => {
        const { segments } = await api.call<{ segments: AuditSegmentView[] }>("GET", "/v1/audit-exports", { auth: token });
        return segments.filter((s) => s.checkpoint_seq !== null).length;
      }, { timeout: 20_000, interval: 250 })
      .toBeGreaterThanOrEqual(2);

    const out = await mkdtemp(path.join(tmpdir(), "pqkms-audit-interop-"));
    try {
      const fetched = await runScript(["download", "--url", api.url, "--api-key", token, "--out", out]);
      expect(fetched.stderr).toBe("");
      expect(fetched.code).toBe(0);
      const verified = await runScript(["verify", "--from-archive", out, "--rest-in-vault", "--json"]);
      expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, from_seq: 1 });
      expect(JSON.parse(verified.stdout).segments).toBeGreaterThanOrEqual(2);
      expect(verified.code).toBe(0);

      const [logDir] = await readdir(path.join(out, "logs"));
      const segments = path.join(out, "logs", logDir as string, "segments");
      const first = path.join(segments, (await readdir(segments)).sort()[0] as string);
      const bytes = await readFile(first);
      bytes[bytes.length - 9] = (bytes[bytes.length - 9] ?? 0) ^ 0x10;
      await writeFile(first, bytes);
      const broken = await runScript(["verify", "--from-archive", out, "--rest-in-vault", "--json"]);
      expect(JSON.parse(broken.stdout)).toMatchObject({ valid: false, first_break: { stage: "digest", seq: 1 } });
      expect(broken.code).toBe(1);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

describe("after the audit key is rotated", () => {
  const segmentsSignedBy = async (route: string, auth: string, keyId: string) => {
    const { checkpoints } = await tenant.api.call<{ checkpoints: AuditCheckpointView[] }>("GET", `${route}?limit=100`, { auth });
    return checkpoints.filter((c) => c.key_id === keyId && parseCheckpointPayload(c.payload)?.segment !== null).length;
  };

  it("a copy holds both key versions' checkpoints and verifies; so does the platform's log, with the admin token", async () => {
    const { api, token } = tenant;
    // Checkpoints under the key about to retire (the tests above made some; when this test runs
    // alone or first, these events make them).
    const { keys } = await api.call<{ keys: AuditKeyView[] }>("GET", "/v1/audit-keys", { auth: token });
    const retiring = keys.find((k) => k.status === "current");
    if (retiring === undefined) throw new Error("no current audit key is published");
    await signSome(SEGMENT_EVENTS);
    await expect.poll(() => segmentsSignedBy("/v1/audit-checkpoints", token, retiring.key_id), { timeout: 20_000, interval: 250 }).toBeGreaterThanOrEqual(1);
    const rotated = await api.call<AuditKeyView>("POST", "/admin/v1/audit-keys/rotate", { auth: "admin", status: 201 });
    await signSome(2 * SEGMENT_EVENTS);
    // The platform's log: the rotation itself, then fail-open switched on and off.
    for (let i = 0; i < 2; i++) {
      await api.call("POST", "/admin/v1/policy/fail-open", { auth: "admin", body: { minutes: 1, reason: `archive check ${i}` } });
      await api.call("DELETE", "/admin/v1/policy/fail-open", { auth: "admin" });
    }
    await expect.poll(() => segmentsSignedBy("/v1/audit-checkpoints", token, rotated.key_id), { timeout: 20_000, interval: 250 }).toBeGreaterThanOrEqual(1);
    await expect.poll(() => segmentsSignedBy("/admin/v1/audit-checkpoints", "admin", rotated.key_id), { timeout: 20_000, interval: 250 }).toBeGreaterThanOrEqual(1);

    const out = await mkdtemp(path.join(tmpdir(), "pqkms-audit-interop-rotated-"));
    try {
      expect((await runScript(["download", "--url", api.url, "--api-key", token, "--out", path.join(out, "tenant")])).code).toBe(0);
      const [tenantLog] = await readdir(path.join(out, "tenant", "logs"));
      const checkpointDir = path.join(out, "tenant", "logs", tenantLog as string, "checkpoints");
      const keyIds = new Set<string>();
      for (const name of await readdir(checkpointDir)) keyIds.add((JSON.parse(await readFile(path.join(checkpointDir, name), "utf8")) as { key_id: string }).key_id);
      expect(keyIds.size).toBe(2);
      const tenantVerdict = await runScript(["verify", "--from-archive", path.join(out, "tenant"), "--rest-in-vault", "--json"]);
      expect(JSON.parse(tenantVerdict.stdout)).toMatchObject({ valid: true, keys: 2 });

      const platform = await runScript(["download", "--url", api.url, "--admin-token", TEST_SECRETS.ADMIN_TOKEN, "--out", path.join(out, "platform")]);
      expect(platform.stdout).toMatch(/^log platform: [1-9]\d* segments/m);
      expect(platform.code).toBe(0);
      const platformVerdict = await runScript(["verify", "--from-archive", path.join(out, "platform"), "--rest-in-vault", "--json"]);
      expect(JSON.parse(platformVerdict.stdout)).toMatchObject({ tenant: "platform", valid: true, from_seq: 1 });
      expect(platformVerdict.code).toBe(0);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
