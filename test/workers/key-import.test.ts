/**
 * Key import through the gateway (architecture §5, key import): material sealed by an independent
 * HPKE implementation (@hpke/core with @hpke/ml-kem and @hpke/hybridkem-x-wing, RFC 9180 base mode)
 * to an import job's public key becomes a key version the vault uses; every refusal writes nothing
 * and leaves the job usable; a used job answers 410; another tenant's job id answers like a missing
 * one; plans and scopes; the audit rows. Expiry, and the job secret's absence from every answer
 * and from D1, are in test/vault/import-jobs.test.ts (they need the vault's clock and storage).
 */
import { Aes256Gcm, CipherSuite, HkdfSha256 } from "@hpke/core";
import { XWing } from "@hpke/hybridkem-x-wing";
import { MlKem768 } from "@hpke/ml-kem";
import { describe, expect, it } from "vitest";
import { KEY_ALGORITHM_NAMES } from "../../workers/shared/algorithms.ts";
import type { AuditEventView, ImportJobView } from "../../workers/shared/rpc.ts";
import { decodeAndOpen } from "../../workers/kms/src/crypto/hpke-envelope.ts";
import { openAeadEnvelope } from "../../workers/kms/src/crypto/aead-envelope.ts";
import { ALGORITHMS, hasPublicKey, type AlgorithmName, type KemAlgorithmName, type SignatureAlgorithmName } from "../../workers/kms/src/crypto/algorithms.ts";
import { concatBytes, utf8, uuidToBytes } from "../../workers/kms/src/crypto/bytes.ts";
import { sealEnvelope } from "../../workers/kms/src/crypto/hpke-envelope.ts";
import { NobleProvider } from "../../workers/kms/src/crypto/noble-provider.ts";
import { createApiKey, createTenant, expectProblem, request, type TestTenant } from "./helpers.ts";
import { api, b64, bytes, createKey, ok, roomyTenant, text, toBase64, withoutRequestId, type KeyView } from "./kms-helpers.ts";

const provider = new NobleProvider();

/** RFC 9180 SealBase by @hpke/core: enc ‖ ct, info = "pqkms import v1" ‖ job id bytes, aad = the algorithm's name. */
async function seal(job: ImportJobView, aadAlgorithm: string, material: Uint8Array): Promise<string> {
  const kem = job.wrapping_algorithm === "X-Wing" ? new XWing() : new MlKem768();
  const suite = new CipherSuite({ kem, kdf: new HkdfSha256(), aead: new Aes256Gcm() });
  const recipientPublicKey = await suite.kem.importKey("raw", bytes(job.public_key.raw).slice().buffer, true);
  const info = concatBytes(utf8("pqkms import v1"), uuidToBytes(job.id) as Uint8Array);
  const { enc, ct } = await suite.seal({ recipientPublicKey, info }, material, utf8(aadAlgorithm));
  return toBase64(concatBytes(new Uint8Array(enc), new Uint8Array(ct)));
}

const newJob = (tenant: TestTenant, wrapping: "ML-KEM-768" | "X-Wing" = "ML-KEM-768") =>
  api<ImportJobView>(tenant, "POST", "/v1/import-jobs", { wrapping_algorithm: wrapping }).then((answer) => {
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    return answer.body;
  });

const importInto = (tenant: TestTenant, keyId: string, body: Record<string, unknown>) => api<KeyView>(tenant, "POST", `/v1/keys/${keyId}/import`, body);

/** Creates an imported key, seals fresh material to a new job, imports it; returns the key, material and job. */
async function imported(tenant: TestTenant, algorithm: AlgorithmName, wrapping: "ML-KEM-768" | "X-Wing" = "ML-KEM-768") {
  const key = await createKey(tenant, { algorithm, origin: "imported" });
  const job = await newJob(tenant, wrapping);
  const material = provider.generateSeed(algorithm);
  const publicKey = hasPublicKey(ALGORITHMS[algorithm]) ? (await provider.deriveKeyPair(algorithm, material)).publicKey : null;
  const body = { import_job_id: job.id, wrapped_material: await seal(job, algorithm, material), ...(publicKey ? { expected_public_key: toBase64(publicKey) } : {}) };
  const answer = await importInto(tenant, key.id, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return { key: answer.body, material, publicKey, job };
}

const ASYMMETRIC = KEY_ALGORITHM_NAMES.filter((name) => hasPublicKey(ALGORITHMS[name]));

describe("round trip", () => {
  it.each(ASYMMETRIC.map((name, i) => [name, i % 2 === 0 ? "ML-KEM-768" : "X-Wing"] as const))(
    "%s sealed to a %s job: the key uses the material",
    async (algorithm, wrapping) => {
      const tenant = await roomyTenant();
      const { key, material, publicKey, job } = await imported(tenant, algorithm, wrapping);
      expect(key).toMatchObject({ state: "enabled", origin: "imported", primary_version: 1, versions: [{ version: 1, state: "enabled" }] });
      const raw = await ok<{ public_key: string }>(tenant, "GET", `/v1/keys/${key.id}/public-key?format=raw`);
      expect(raw.public_key).toBe(toBase64(publicKey as Uint8Array));
      const spec = ALGORITHMS[algorithm];
      if (spec.kind === "kem") {
        // Sealed here to the derived public key; the vault opens it with the imported private key.
        const envelope = await sealEnvelope(provider, algorithm as KemAlgorithmName, key.id, 1, publicKey as Uint8Array, utf8("pt"), utf8("a"));
        const opened = await ok<{ plaintext: string }>(tenant, "POST", `/v1/keys/${key.id}/decrypt`, { ciphertext: toBase64(envelope), aad: b64("a") });
        expect(text(opened.plaintext)).toBe("pt");
      } else if (algorithm !== "SLH-DSA-SHA2-128s") {
        // (128s signs in seconds; its public key check above is what shows the material is in use.)
        const { signature } = await ok<{ signature: string }>(tenant, "POST", `/v1/keys/${key.id}/sign`, { message: b64("m") });
        expect(await provider.verify(algorithm as SignatureAlgorithmName, publicKey as Uint8Array, { message: utf8("m") }, bytes(signature))).toBe(true);
      }
      const used = await ok<ImportJobView>(tenant, "GET", `/v1/import-jobs/${job.id}`);
      expect(used).toMatchObject({ state: "used", key_id: key.id, key_version: 1 });
      expect(material).toHaveLength(spec.secretLength);
    },
  );

  it.each(["AES-256-GCM", "ChaCha20-Poly1305"] as const)("%s: what the key encrypts opens under the imported key", async (algorithm) => {
    const tenant = await roomyTenant();
    const { key, material } = await imported(tenant, algorithm);
    const { ciphertext } = await ok<{ ciphertext: string }>(tenant, "POST", `/v1/keys/${key.id}/encrypt`, { plaintext: b64("pt"), aad: b64("a") });
    const handle = await provider.importSecretKey(algorithm, material);
    const opened = await decodeAndOpen(openAeadEnvelope, provider, handle, bytes(ciphertext), utf8("a"), { keyId: key.id, keyVersion: 1 });
    expect(opened.ok && new TextDecoder().decode(opened.value)).toBe("pt");
  });

  it.each(["HMAC-SHA-256", "HMAC-SHA-512"] as const)("%s: the key's tag is the HMAC under the imported key", async (algorithm) => {
    const tenant = await roomyTenant();
    const { key, material } = await imported(tenant, algorithm);
    const { mac } = await ok<{ mac: string }>(tenant, "POST", `/v1/keys/${key.id}/mac`, { message: b64("m") });
    const hash = algorithm === "HMAC-SHA-256" ? "SHA-256" : "SHA-512";
    const webKey = await crypto.subtle.importKey("raw", material, { name: "HMAC", hash }, false, ["sign"]);
    expect(mac).toBe(toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", webKey, utf8("m")))));
  });
});

describe("an imported key", () => {
  it("waits in pending_import with no version, refusing crypto; a second import makes version 2; it never rotates", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "ML-DSA-44", origin: "imported" });
    expect(key).toMatchObject({ state: "pending_import", origin: "imported", versions: [] });
    await expectProblem(await request("POST", `/v1/keys/${key.id}/sign`, { token: tenant.token, body: { message: b64("m") } }), 409, "key_disabled");
    await expectProblem(await request("POST", `/v1/keys/${key.id}/enable`, { token: tenant.token }), 409, "conflict");

    for (const version of [1, 2]) {
      const job = await newJob(tenant);
      const answer = await importInto(tenant, key.id, { import_job_id: job.id, wrapped_material: await seal(job, "ML-DSA-44", provider.generateSeed("ML-DSA-44")) });
      expect(answer.body).toMatchObject({ state: "enabled", primary_version: version });
    }
    const rotate = await expectProblem(await request("POST", `/v1/keys/${key.id}/rotate`, { token: tenant.token }), 409, "conflict");
    expect(rotate.detail).toContain("import");
    await expectProblem(await request("PATCH", `/v1/keys/${key.id}`, { token: tenant.token, body: { rotation_period: "P90D" } }), 409, "conflict");
    await expectProblem(await request("POST", "/v1/keys", { token: tenant.token, body: { algorithm: "ML-DSA-44", origin: "imported", rotation_period: "P90D" } }), 409, "conflict");
    expect((await createKey(tenant, { algorithm: "ML-DSA-44" })).origin).toBe("generated");
  });

  it("a pending_import key's cancelled deletion returns it to pending_import; a disabled key takes no material", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "AES-256-GCM", origin: "imported" });
    await ok(tenant, "POST", `/v1/keys/${key.id}/schedule-deletion`, {});
    expect((await ok<KeyView>(tenant, "POST", `/v1/keys/${key.id}/cancel-deletion`)).state).toBe("pending_import");
    const job = await newJob(tenant);
    await ok(tenant, "POST", `/v1/keys/${key.id}/import`, { import_job_id: job.id, wrapped_material: await seal(job, "AES-256-GCM", new Uint8Array(32).fill(1)) });
    await ok(tenant, "POST", `/v1/keys/${key.id}/disable`);
    const next = await newJob(tenant);
    const body = { import_job_id: next.id, wrapped_material: await seal(next, "AES-256-GCM", new Uint8Array(32).fill(2)) };
    await expectProblem(await request("POST", `/v1/keys/${key.id}/import`, { token: tenant.token, body }), 409, "key_disabled");
    expect((await ok<ImportJobView>(tenant, "GET", `/v1/import-jobs/${next.id}`)).state).toBe("active");
  });

  it("a generated key takes no imported material", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "AES-256-GCM" });
    const job = await newJob(tenant);
    const answer = await importInto(tenant, key.id, { import_job_id: job.id, wrapped_material: await seal(job, "AES-256-GCM", new Uint8Array(32)) });
    expect(answer.status).toBe(409);
    expect((await ok<ImportJobView>(tenant, "GET", `/v1/import-jobs/${job.id}`)).state).toBe("active");
  });
});

describe("refusals write nothing and leave the job usable", () => {
  it("wrong algorithm as aad, wrong length, wrong expected public key; then the right material imports", async () => {
    const tenant = await roomyTenant();
    const key = await createKey(tenant, { algorithm: "ML-KEM-768", origin: "imported" });
    const job = await newJob(tenant, "X-Wing");
    const material = provider.generateSeed("ML-KEM-768");
    const other = (await provider.deriveKeyPair("ML-KEM-768", provider.generateSeed("ML-KEM-768"))).publicKey;
    const refusals = [
      [{ wrapped_material: await seal(job, "ML-KEM-1024", material) }, "body.wrapped_material"],
      [{ wrapped_material: await seal(job, "ML-KEM-768", material.subarray(0, 32)) }, "64"],
      [{ wrapped_material: toBase64(new Uint8Array(100)) }, "body.wrapped_material"],
      [{ wrapped_material: await seal(job, "ML-KEM-768", material), expected_public_key: toBase64(other) }, "body.expected_public_key"],
    ] as const;
    for (const [body, detail] of refusals) {
      const problem = await expectProblem(await request("POST", `/v1/keys/${key.id}/import`, { token: tenant.token, body: { import_job_id: job.id, ...body } }), 400, "invalid_request");
      expect(problem.detail).toContain(detail);
    }
    expect(await ok<KeyView>(tenant, "GET", `/v1/keys/${key.id}`)).toMatchObject({ state: "pending_import", versions: [] });
    expect((await ok<ImportJobView>(tenant, "GET", `/v1/import-jobs/${job.id}`)).state).toBe("active");

    const derived = (await provider.deriveKeyPair("ML-KEM-768", material)).publicKey;
    const spki = bytes((await ok<{ public_key: { spki: string } }>(tenant, "POST", "/v1/import-jobs", { wrapping_algorithm: "ML-KEM-768" })).public_key.spki);
    expect(spki.length).toBeGreaterThan(derived.length);
    const done = await importInto(tenant, key.id, { import_job_id: job.id, wrapped_material: await seal(job, "ML-KEM-768", material), expected_public_key: toBase64(derived) });
    expect(done.status).toBe(200);
  });

  it("a used job answers 410 import_job_gone; another tenant's job id answers exactly like a missing one", async () => {
    const tenant = await roomyTenant();
    const { job } = await imported(tenant, "ML-DSA-65");
    const again = await createKey(tenant, { algorithm: "ML-DSA-65", origin: "imported" });
    const replay = { import_job_id: job.id, wrapped_material: await seal(job, "ML-DSA-65", provider.generateSeed("ML-DSA-65")) };
    const gone = await expectProblem(await request("POST", `/v1/keys/${again.id}/import`, { token: tenant.token, body: replay }), 410, "import_job_gone");
    expect(gone.detail).toContain("already used");

    const stranger = await roomyTenant("stranger");
    const theirs = await newJob(stranger);
    const target = await createKey(tenant, { algorithm: "ML-DSA-65", origin: "imported" });
    const missing = crypto.randomUUID();
    const ask = async (id: string) => withoutRequestId(await expectProblem(await request("GET", `/v1/import-jobs/${id}`, { token: tenant.token }), 404, "import_job_not_found"));
    expect(await ask(theirs.id)).toEqual(await ask(missing));
    const use = async (id: string) => {
      const body = { import_job_id: id, wrapped_material: await seal(theirs, "ML-DSA-65", provider.generateSeed("ML-DSA-65")) };
      return withoutRequestId(await expectProblem(await request("POST", `/v1/keys/${target.id}/import`, { token: tenant.token, body }), 404, "import_job_not_found"));
    };
    expect(await use(theirs.id)).toEqual(await use(missing));
    expect((await ok<ImportJobView>(stranger, "GET", `/v1/import-jobs/${theirs.id}`)).state).toBe("active");
  });
});

describe("jobs", () => {
  it("show their public key in every format, expire 24 h after creation, and are listed newest first", async () => {
    const tenant = await roomyTenant();
    const kem = await newJob(tenant);
    const xwing = await newJob(tenant, "X-Wing");
    expect(Object.keys(kem).sort()).toEqual(["created_at", "expires_at", "id", "key_id", "key_version", "public_key", "state", "used_at", "wrapping_algorithm"]);
    expect(Date.parse(kem.expires_at) - Date.parse(kem.created_at)).toBe(24 * 3600_000);
    expect(bytes(kem.public_key.raw)).toHaveLength(1184);
    expect(kem.public_key.pem).toContain("BEGIN PUBLIC KEY");
    expect(kem.public_key.jwk).toMatchObject({ kty: "AKP", alg: "ML-KEM-768" });
    expect(bytes(xwing.public_key.raw)).toHaveLength(1216);
    expect(xwing.public_key.jwk).toBeNull();
    const page = await ok<{ import_jobs: ImportJobView[]; next_cursor: string | null }>(tenant, "GET", "/v1/import-jobs?limit=1");
    expect(page.import_jobs.map((j) => j.id)).toEqual([xwing.id]);
    const next = await ok<{ import_jobs: ImportJobView[] }>(tenant, "GET", `/v1/import-jobs?limit=1&cursor=${page.next_cursor}`);
    expect(next.import_jobs.map((j) => j.id)).toEqual([kem.id]);
  });
});

describe("plans, scopes and audit", () => {
  it("free tenants are refused every import route (plan_import); pro tenants may import", async () => {
    const free = await createTenant({ plan: "free" });
    for (const [method, path, body] of [
      ["POST", "/v1/import-jobs", { wrapping_algorithm: "ML-KEM-768" }],
      ["GET", "/v1/import-jobs", undefined],
      ["GET", `/v1/import-jobs/${crypto.randomUUID()}`, undefined],
    ] as const) {
      const problem = await expectProblem(await request(method, path, { token: free.token, ...(body ? { body } : {}) }), 403, "plan_restricted");
      expect(problem.rule).toBe("plan_import");
    }
    const pro = await createTenant({ plan: "pro" });
    await newJob(pro);
  });

  it("creating jobs and importing need keys:write; reading jobs keys:read", async () => {
    const tenant = await roomyTenant();
    const job = await newJob(tenant);
    const reader = await createApiKey(tenant, { name: "r", role: "auditor" });
    const as = { token: reader.token };
    await expectProblem(await request("POST", "/v1/import-jobs", { ...as, body: { wrapping_algorithm: "X-Wing" } }), 403, "access_denied");
    expect((await request("GET", `/v1/import-jobs/${job.id}`, as)).status).toBe(200);
    const key = await createKey(tenant, { algorithm: "ML-DSA-44", origin: "imported" });
    await expectProblem(await request("POST", `/v1/keys/${key.id}/import`, { ...as, body: { import_job_id: job.id, wrapped_material: b64("x") } }), 403, "access_denied");
  });

  it("audits the job's creation and the import naming the job", async () => {
    const tenant = await roomyTenant();
    const { key, job } = await imported(tenant, "ML-DSA-44");
    const { events } = await ok<{ events: AuditEventView[] }>(tenant, "GET", "/v1/audit-events?limit=20");
    const created = events.find((e) => e.operation === "import-jobs.create" && e.detail?.includes(job.id));
    expect(created).toMatchObject({ outcome: "allowed", key_id: null, detail: `import job ${job.id} (ML-KEM-768)` });
    expect(events.find((e) => e.operation === "keys.import")).toMatchObject({ key_id: key.id, key_version: 1, outcome: "allowed", detail: `import job ${job.id}` });
  });
});
