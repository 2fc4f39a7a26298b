/**
 * Import jobs inside the TenantVault (architecture §5, key import), with a clock the test moves: a job
 * used before its 24 hours imports; at 24 hours it is refused, and the alarm destroys its private
 * key (secret erased, tombstone kept, audited in the same transaction). A job's wrapped key is in
 * its own AAD domain: it never unwraps as a key version, nor a version's as a job's. The job's
 * private key appears in no answer and nowhere in D1; the key's origin is projected to D1.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { NobleProvider } from "../../workers/kms/src/crypto/noble-provider.ts";
import { parseKeyring } from "../../workers/kms/src/crypto/kek.ts";
import { sealBase } from "../../workers/kms/src/crypto/hpke.ts";
import { ALGORITHMS } from "../../workers/kms/src/crypto/algorithms.ts";
import { concatBytes, utf8 } from "../../workers/kms/src/crypto/bytes.ts";
import { importJobBinding, unwrapSecret, WrappingKey } from "../../workers/kms/src/crypto/wrap.ts";
import { importInfo } from "../../workers/kms/src/vault/key-material.ts";
import { IMPORT_JOB_TTL_MS } from "../../workers/kms/src/vault/import-jobs.ts";
import { TenantVault } from "../../workers/kms/src/vault/tenant-vault.ts";
import { fromBase64, toBase64, toBase64Url } from "../../workers/shared/base64.ts";
import type { ImportJobView } from "../../workers/shared/rpc.ts";
import { newVault, value, type TestVault } from "./helpers.ts";

/** Years ahead of the real clock, so no alarm this test sets fires on its own while it runs. */
const T0 = Date.UTC(2041, 0, 1, 12);
const provider = new NobleProvider();
const hex = (bytes: Uint8Array) => [...bytes].map((x) => x.toString(16).padStart(2, "0")).join("");

function withClock(vault: TestVault, use: (v: TenantVault, clock: { now: number }, state: DurableObjectState) => Promise<void>): Promise<void> {
  return runInDurableObject(vault.stub, async (_instance, state) => {
    const clock = { now: T0 };
    await use(new TenantVault(state, env as unknown as KmsEnv, () => clock.now), clock, state);
  });
}

/** Seals an ML-DSA-44 secret to the job (the project's own HPKE; the gateway test uses @hpke/core). */
async function sealed(job: ImportJobView): Promise<Uint8Array> {
  const kem = ALGORITHMS["ML-KEM-768"];
  const publicKey = fromBase64(job.public_key.raw) as Uint8Array;
  const { enc, ciphertext } = await sealBase(provider, "ML-KEM-768", kem.hpke, publicKey, importInfo(job.id), utf8("ML-DSA-44"), provider.generateSeed("ML-DSA-44"));
  return concatBytes(enc, ciphertext);
}

const jobRow = (state: DurableObjectState, id: string) =>
  state.storage.sql.exec<{ state: string; wrapped_secret: ArrayBuffer | null; destroyed_at: number | null }>("SELECT state, wrapped_secret, destroyed_at FROM import_jobs WHERE id = ?", id).one();

describe("import job expiry", () => {
  it("imports just before 24 hours; at 24 hours refuses (410), and the alarm destroys the job's key, audited", async () => {
    const vault = await newVault();
    await withClock(vault, async (v, clock, state) => {
      const early = value(await v.createImportJob(vault.call, "ML-KEM-768"));
      const late = value(await v.createImportJob(vault.call, "ML-KEM-768"));
      expect(late.expires_at).toBe(new Date(T0 + IMPORT_JOB_TTL_MS).toISOString());
      expect(await state.storage.getAlarm()).toBeLessThanOrEqual(T0 + IMPORT_JOB_TTL_MS);
      const key = value(await v.createKey(vault.call, { algorithm: "ML-DSA-44", origin: "imported" }, null, 100));

      clock.now = T0 + IMPORT_JOB_TTL_MS - 1;
      const input = async (job: ImportJobView) => ({ importJobId: job.id, wrappedMaterial: await sealed(job), expectedPublicKey: null });
      expect(value(await v.importKey(vault.call, key.id, await input(early)))).toMatchObject({ state: "enabled", primary_version: 1 });

      clock.now = T0 + IMPORT_JOB_TTL_MS;
      const refused = await v.importKey(vault.call, key.id, await input(late));
      expect(refused).toMatchObject({ ok: false, error: { code: "import_job_gone" } });
      expect(refused.ok || refused.error.detail).toContain("expired");
      expect(jobRow(state, late.id).state).toBe("active");

      await v.alarm();
      expect(jobRow(state, late.id)).toEqual({ state: "expired", wrapped_secret: null, destroyed_at: T0 + IMPORT_JOB_TTL_MS });
      expect(value(await v.getImportJob(vault.call, late.id)).state).toBe("expired");
      // The used job's secret went at its use; its tombstone stays.
      expect(jobRow(state, early.id)).toMatchObject({ state: "used", wrapped_secret: null });
      const destroyed = state.storage.sql
        .exec<{ operation: string; api_key_id: string; detail: string }>("SELECT operation, api_key_id, detail FROM audit_events WHERE operation = 'import-jobs.destroy'")
        .toArray();
      expect(destroyed).toEqual([{ operation: "import-jobs.destroy", api_key_id: "system", detail: `import job ${late.id} expired; its private key was destroyed` }]);
      // The alarm also projected the key: D1 shows its origin.
      const projected = await env.DB.prepare("SELECT origin, state, primary_version FROM keys WHERE tenant_id = ? AND id = ?").bind(vault.tenantId, key.id).first();
      expect(projected).toEqual({ origin: "imported", state: "enabled", primary_version: 1 });
      // A second alarm destroys nothing again.
      await v.alarm();
      expect(state.storage.sql.exec("SELECT 1 FROM audit_events WHERE operation = 'import-jobs.destroy'").toArray()).toHaveLength(1);
    });
  });
});

describe("the job's private key", () => {
  it("unwraps only in its own domain, and is in no answer and nowhere in D1", async () => {
    const vault = await newVault();
    await withClock(vault, async (v, _clock, state) => {
      const job = value(await v.createImportJob(vault.call, "X-Wing"));
      const answers = JSON.stringify([job, value(await v.getImportJob(vault.call, job.id)), value(await v.listImportJobs(vault.call, { limit: 10 }))]);
      const row = state.storage.sql.exec<{ wrapped_secret: ArrayBuffer; kek_id: string }>("SELECT wrapped_secret, kek_id FROM import_jobs WHERE id = ?", job.id).one();
      const blob = new Uint8Array(row.wrapped_secret);

      const keyring = parseKeyring(env);
      if (!keyring.ok) expect.fail(keyring.error.detail);
      const wrappingKey = await WrappingKey.derive(keyring.value, vault.tenantId, row.kek_id);
      const secret = await unwrapSecret(wrappingKey, blob, importJobBinding(job.id, "X-Wing"));
      if (!secret.ok) expect.fail("the test could not unwrap the job key it looks for");
      // The same blob read as a key version (any version, the job id as key id) does not unwrap.
      for (const version of [0, 1]) {
        expect((await unwrapSecret(wrappingKey, blob, { keyId: job.id, version, algorithm: "X-Wing" })).ok).toBe(false);
      }
      // Nor does a key version's blob as a job's.
      const key = value(await v.createKey(vault.call, { algorithm: "X-Wing" }, null, 100));
      const versionBlob = state.storage.sql.exec<{ wrapped_secret: ArrayBuffer }>("SELECT wrapped_secret FROM key_versions WHERE key_id = ?", key.id).one();
      expect((await unwrapSecret(wrappingKey, new Uint8Array(versionBlob.wrapped_secret), importJobBinding(key.id, "X-Wing"))).ok).toBe(false);

      await v.alarm(); // drains the outbox into D1
      const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'").all<{ name: string }>();
      const d1: string[] = [];
      for (const { name } of tables.results) {
        const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all<Record<string, unknown>>();
        for (const r of rows.results) for (const cell of Object.values(r)) if (cell !== null) d1.push(cell instanceof ArrayBuffer ? hex(new Uint8Array(cell)) : String(cell));
      }
      const everywhere = `${answers}\n${d1.join("\n")}`;
      expect(everywhere).toContain(key.id);
      for (const form of [toBase64(secret.value), toBase64Url(secret.value), hex(secret.value), toBase64(blob), hex(blob)]) {
        expect(everywhere).not.toContain(form);
      }
    });
  });
});
