/**
 * The D1 projection (architecture §8): the vault commits without D1, queues each key change in its
 * outbox, and its alarm drains the outbox into D1 with idempotent, version-guarded upserts. D1 being
 * down never blocks the vault; the alarm backs off and retries; once D1 is back the projection
 * converges, and deliveries repeated or out of order converge to the same state. Only key metadata
 * is projected: crypto operations queue nothing, and `audit` rows an older vault still holds are
 * discarded by the drain (D1 has no audit table any more).
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { projectionStatements, type OutboxKind } from "../../workers/kms/src/vault/outbox.ts";
import { PLATFORM_AUDIT_TENANT } from "../../workers/shared/rpc.ts";
import { archiveDue, b, count, createKey, newVault, sql, value, type TestVault } from "./helpers.ts";

type Entry = { kind: OutboxKind; payload: string };

const triggerName = (tenantId: string, table: string) => `fail_${table}_${tenantId.replaceAll("-", "")}`;

/** Makes D1 refuse this tenant's projected rows, as an outage would. */
async function breakD1(tenantId: string): Promise<void> {
  for (const table of ["keys"]) {
    await env.DB.prepare(
      `CREATE TRIGGER ${triggerName(tenantId, table)} BEFORE INSERT ON ${table} WHEN NEW.tenant_id = '${tenantId}'
       BEGIN SELECT RAISE(ABORT, 'd1 unavailable'); END`,
    ).run();
  }
}

async function repairD1(tenantId: string): Promise<void> {
  for (const table of ["keys"]) await env.DB.prepare(`DROP TRIGGER ${triggerName(tenantId, table)}`).run();
}

/** Everything D1 holds for a tenant's projection, tenant id left out so tenants can be compared. */
async function d1State(tenantId: string) {
  const rows = async (query: string) => (await env.DB.prepare(query).bind(tenantId).all()).results;
  return {
    keys: await rows(
      `SELECT id, name, algorithm, purpose, state, primary_version, min_decryption_version, created_at, updated_at, deletion_date,
         projected_seq FROM keys WHERE tenant_id = ? ORDER BY id`,
    ),
    key_versions: await rows("SELECT key_id, version, state, created_at, projected_seq FROM key_versions WHERE tenant_id = ? ORDER BY key_id, version"),
  };
}

/** What D1 must hold for a vault: its keys and versions, as the vault has them. */
async function vaultTruth(vault: TestVault) {
  return {
    keys: await sql(vault, "SELECT id, state, primary_version, min_decryption_version, name, revision AS projected_seq FROM keys ORDER BY id"),
    key_versions: await sql(vault, "SELECT key_id, version, state FROM key_versions ORDER BY key_id, version"),
  };
}

async function projectBatches(tenantId: string, entries: Entry[], batches: number[][]): Promise<void> {
  for (const batch of batches) {
    await env.DB.batch(batch.flatMap((i) => projectionStatements(env.DB, tenantId, entries[i]?.kind ?? "key", entries[i]?.payload ?? "")));
  }
}

async function freshTenantRow(): Promise<string> {
  const id = crypto.randomUUID();
  await env.DB.prepare("INSERT INTO tenants (id, name, plan, created_at, updated_at) VALUES (?, 'replay', 'free', 0, 0)").bind(id).run();
  return id;
}

const alarmAt = (vault: TestVault) => runInDurableObject(vault.stub, (_instance, state) => state.storage.getAlarm());
const maxAttempts = async (vault: TestVault) => (await sql<{ a: number }>(vault, "SELECT max(attempts) AS a FROM outbox"))[0]?.a ?? 0;

/** Every kind of key change, made while D1 is down: more than one drain batch of outbox entries. */
async function busyHistory(vault: TestVault): Promise<void> {
  const kem = await createKey(vault, "ML-KEM-768");
  const dsa = await createKey(vault, "ML-DSA-65");
  const doomed = await createKey(vault, "ML-KEM-512");
  value(await vault.stub.updateKey(vault.call, kem.id, { name: "renamed", labels: { team: "a" } }));
  value(await vault.stub.rotateKey(vault.call, kem.id));
  value(await vault.stub.updateKey(vault.call, kem.id, { min_decryption_version: 2 }));
  value(await vault.stub.changeState(vault.call, dsa.id, "disable", null));
  value(await vault.stub.changeState(vault.call, dsa.id, "enable", null));
  value(await vault.stub.changeState(vault.call, dsa.id, "schedule_deletion", 10));
  value(await vault.stub.changeState(vault.call, dsa.id, "cancel_deletion", null));
  value(await vault.stub.changeState(vault.call, doomed.id, "schedule_deletion", 7));
  // Renames are the cheapest key change: enough of them to need more than one drain batch.
  for (let i = 0; i < 45; i++) value(await vault.stub.updateKey(vault.call, dsa.id, { name: `n${i}` }));
  await Promise.all(Array.from({ length: 5 }, () => vault.stub.encrypt(vault.call, kem.id, b("x"), b(""))));
  await sql(vault, "UPDATE keys SET deletion_date = ? WHERE id = ?", Date.now() - 1, doomed.id);
}

describe("D1 down during projection", () => {
  it("the vault commits, the outbox keeps every change, and the alarm backs off; back up, D1 converges once", async () => {
    const vault = await newVault();
    await breakD1(vault.tenantId);
    await busyHistory(vault);
    const queued = await count(vault, "outbox");
    expect(queued).toBeGreaterThan(50);

    for (let run = 1; run <= 2; run++) {
      const before = Date.now();
      expect(await runDurableObjectAlarm(vault.stub)).toBe(true);
      const attempts = await maxAttempts(vault);
      expect(attempts).toBeGreaterThanOrEqual(run);
      expect(await alarmAt(vault)).toBeGreaterThanOrEqual(before + 1000 * 2 ** attempts);
    }
    // The destruction that was due happened in the vault although D1 could not hear of it.
    expect(await count(vault, "keys", "state = 'destroyed'")).toBe(1);
    expect(await count(vault, "outbox")).toBeGreaterThan(queued);
    expect(await d1State(vault.tenantId)).toEqual({ keys: [], key_versions: [] });

    await repairD1(vault.tenantId);
    expect(await runDurableObjectAlarm(vault.stub)).toBe(true);
    expect(await count(vault, "outbox")).toBe(0);
    expect(await alarmAt(vault)).toBe(await archiveDue(vault));
    const projected = await d1State(vault.tenantId);
    const truth = await vaultTruth(vault);
    expect(projected.keys).toEqual(truth.keys.map((k) => expect.objectContaining(k)));
    expect(projected.key_versions).toEqual(truth.key_versions.map((v) => expect.objectContaining(v)));
  });
});

describe("repeated and out-of-order delivery", () => {
  it("converges to the in-order state, for any order and any duplication (real D1)", async () => {
    const vault = await newVault();
    await breakD1(vault.tenantId);
    await busyHistory(vault);
    await runDurableObjectAlarm(vault.stub);
    const entries = await sql<Entry>(vault, "SELECT kind, payload FROM outbox ORDER BY seq");
    await repairD1(vault.tenantId);
    await runDurableObjectAlarm(vault.stub);

    const inOrder = await freshTenantRow();
    await projectBatches(inOrder, entries, entries.map((_, i) => [i]));
    const expected = await d1State(inOrder);
    expect(expected).toEqual(await d1State(vault.tenantId));

    const n = entries.length;
    const deliveries = fc
      .array(fc.nat({ max: n - 1 }), { maxLength: n })
      .map((extra) => [...Array.from({ length: n }, (_, i) => i), ...extra])
      .chain((all) => fc.tuple(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), fc.array(fc.integer({ min: 1, max: 60 }), { minLength: all.length, maxLength: all.length })))
      .map(([order, sizes]) => {
        const batches: number[][] = [];
        let at = 0;
        for (const size of sizes) {
          if (at >= order.length) break;
          batches.push(order.slice(at, at + size));
          at += size;
        }
        return batches;
      });
    await fc.assert(
      fc.asyncProperty(deliveries, async (batches) => {
        const tenantId = await freshTenantRow();
        await projectBatches(tenantId, entries, batches);
        expect(await d1State(tenantId)).toEqual(expected);
      }),
      { numRuns: 20 },
    );
  });
});

describe("the platform's own audit log", () => {
  it("is kept in its vault only: nothing is queued for D1, which has no tenant row for it", async () => {
    // The platform's vault is one object for the whole project: other files (audit keys) write to
    // its log too, so this test finds its own events by request id rather than counting them all.
    const stub = env.VAULT.get(env.VAULT.idFromName(PLATFORM_AUDIT_TENANT));
    const call = { tenantId: PLATFORM_AUDIT_TENANT, placement: "default" as const, apiKeyId: "platform-admin", requestId: `projection-${crypto.randomUUID()}` };
    const event = { operation: "policy.fail-open.enable", keyId: null, outcome: "allowed", rule: null, severity: "critical", detail: "drill" } as const;
    value(await stub.recordEvent(call, event));
    value(await stub.recordEvent(call, event));
    const platform: TestVault = { tenantId: PLATFORM_AUDIT_TENANT, stub, call };
    expect(await count(platform, "outbox")).toBe(0);
    const verdict = value(await stub.verifyAudit(call, { from: "checkpoint" }));
    expect(verdict.valid).toBe(true);
    expect(verdict.checked).toBeGreaterThanOrEqual(2);
    const newest = value(await stub.auditEvents(call, { limit: 100 })).events;
    expect(newest.filter((e) => e.request_id === call.requestId)).toHaveLength(2);
  });
});

describe("what the outbox carries", () => {
  it("key changes only: crypto operations, refusals and recorded events queue nothing", async () => {
    const vault = await newVault();
    const kem = await createKey(vault, "ML-KEM-768");
    const queued = await count(vault, "outbox");
    const envelope = value(await vault.stub.encrypt(vault.call, kem.id, b("x"), b(""))).ciphertext;
    value(await vault.stub.decrypt(vault.call, kem.id, envelope, b("")));
    value(await vault.stub.encapsulate(vault.call, kem.id));
    expect((await vault.stub.sign(vault.call, kem.id, { message: b("m") })).ok).toBe(false);
    value(await vault.stub.recordEvent(vault.call, { operation: "crypto.sign", keyId: null, outcome: "denied", rule: "access_denied", severity: "warning", detail: null }));
    expect(await count(vault, "outbox")).toBe(queued);
    expect(await count(vault, "outbox", "kind != 'key'")).toBe(0);
  });

  it("audit rows an older vault queued are discarded by the drain, the key rows beside them projected", async () => {
    const vault = await newVault();
    await breakD1(vault.tenantId);
    const kem = await createKey(vault, "ML-KEM-768");
    value(await vault.stub.encrypt(vault.call, kem.id, b("x"), b("")));
    // As an older vault wrote them: one outbox row per audit event, before and after a key row.
    const [event] = await sql<Record<string, SqlStorageValue>>(vault, "SELECT * FROM audit_events ORDER BY seq DESC LIMIT 1");
    await sql(vault, "INSERT INTO outbox (kind, payload, created_at) VALUES ('audit', ?, 0)", JSON.stringify({ ...event, tenant_id: vault.tenantId }));
    value(await vault.stub.updateKey(vault.call, kem.id, { name: "after-legacy" }));
    await sql(vault, "INSERT INTO outbox (kind, payload, created_at) VALUES ('audit', ?, 0)", JSON.stringify({ ...event, tenant_id: vault.tenantId }));
    expect(await count(vault, "outbox", "kind = 'audit'")).toBe(2);
    await repairD1(vault.tenantId);

    expect(await runDurableObjectAlarm(vault.stub)).toBe(true);
    expect(await count(vault, "outbox")).toBe(0);
    expect(await alarmAt(vault)).toBe(await archiveDue(vault));
    expect((await d1State(vault.tenantId)).keys).toEqual([expect.objectContaining({ id: kem.id, name: "after-legacy" })]);
    const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'").all();
    expect(tables.results).toEqual([]);
  });

  it("a batch of nothing but legacy audit rows is discarded without a D1 call", async () => {
    const vault = await newVault();
    await createKey(vault, "ML-KEM-768");
    await runDurableObjectAlarm(vault.stub);
    expect(await count(vault, "outbox")).toBe(0);
    for (let i = 0; i < 3; i++) await sql(vault, "INSERT INTO outbox (kind, payload, created_at) VALUES ('audit', '{}', 0)");
    await runInDurableObject(vault.stub, (_instance, state) => state.storage.setAlarm(Date.now()));
    expect(await runDurableObjectAlarm(vault.stub)).toBe(true);
    expect(await count(vault, "outbox")).toBe(0);
    expect(await alarmAt(vault)).toBe(await archiveDue(vault));
  });
});
