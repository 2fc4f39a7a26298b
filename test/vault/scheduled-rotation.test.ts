/**
 * Automatic rotation in the vault (architecture §5, §8): the alarm rotates keys whose time has come,
 * audited as `keys.rotate` under the schedule's call, once however many periods were missed; a
 * disabled key waits; keep_decryption_versions raises min_decryption_version. One TenantVault per
 * test over the DO's own storage, with a clock the test moves: nothing sleeps.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { CreateKeyInput, KeyView } from "../../workers/shared/rpc.ts";
import { ROTATION_RETRY_MS } from "../../workers/kms/src/vault/scheduled-rotation.ts";
import { TenantVault } from "../../workers/kms/src/vault/tenant-vault.ts";
import { newVault, value, type TestVault } from "./helpers.ts";

const DAY = 86_400_000;
/** Years ahead of the real clock, so no alarm this test sets fires on its own while it runs. */
const T0 = Date.UTC(2040, 0, 1, 12);

type Audit = { api_key_id: string; request_id: string; operation: string; key_version: number | null; time: number };

/**
 * Runs `use` against a TenantVault over `vault`'s storage whose clock is `clock.now`, which `use`
 * may move. Everything in one test goes through this one instance, so its audit chain stays whole.
 */
function withClock(vault: TestVault, use: (v: TenantVault, clock: { now: number }, state: DurableObjectState) => Promise<void>): Promise<void> {
  return runInDurableObject(vault.stub, async (_instance, state) => {
    const clock = { now: T0 };
    await use(new TenantVault(state, env as unknown as KmsEnv, () => clock.now), clock, state);
  });
}

const create = async (vault: TestVault, v: TenantVault, input: Partial<CreateKeyInput> = {}) =>
  value(await v.createKey(vault.call, { algorithm: "ML-KEM-768", rotation_period: "P30D", ...input }, null, 100));
const get = async (vault: TestVault, v: TenantVault, key: KeyView) => value(await v.getKey(vault.call, key.id));
const rotations = (state: DurableObjectState, keyId: string) =>
  state.storage.sql.exec<Audit>("SELECT * FROM audit_events WHERE key_id = ? AND operation = 'keys.rotate' ORDER BY seq", keyId).toArray();
const iso = (ms: number) => new Date(ms).toISOString();

describe("scheduled rotation", () => {
  it("rotates a key when due, not before, audited under the schedule; the next time is one period on", async () => {
    const vault = await newVault();
    await withClock(vault, async (v, clock, state) => {
      const key = await create(vault, v, { algorithm: "ML-DSA-44" });
      expect(key).toMatchObject({ rotation_period: "P30D", next_rotation_at: iso(T0 + 30 * DAY), keep_decryption_versions: null });

      clock.now = T0 + 30 * DAY - 1;
      await v.alarm();
      expect((await get(vault, v, key)).primary_version).toBe(1);
      expect(rotations(state, key.id)).toEqual([]);
      expect(await state.storage.getAlarm()).toBe(T0 + 30 * DAY);

      clock.now = T0 + 30 * DAY;
      await v.alarm();
      expect(await get(vault, v, key)).toMatchObject({ primary_version: 2, min_decryption_version: 1, next_rotation_at: iso(T0 + 60 * DAY) });
      expect(rotations(state, key.id)).toMatchObject([
        { api_key_id: "schedule", request_id: `alarm-${T0 + 30 * DAY}`, operation: "keys.rotate", key_version: 2, time: T0 + 30 * DAY },
      ]);
      expect(await state.storage.getAlarm()).toBeLessThanOrEqual(T0 + 60 * DAY);
      // The new version works like any other.
      value(await v.sign(vault.call, key.id, { message: new Uint8Array([1]) }));
    });
  });

  it("several missed periods give one rotation, and the next due time after now", async () => {
    const vault = await newVault();
    await withClock(vault, async (v, clock, state) => {
      const key = await create(vault, v);
      clock.now = T0 + 100 * DAY;
      await v.alarm();
      await v.alarm();
      expect(await get(vault, v, key)).toMatchObject({ primary_version: 2, next_rotation_at: iso(T0 + 120 * DAY) });
      expect(rotations(state, key.id)).toHaveLength(1);
    });
  });

  it("a disabled key waits, keeping its due time; enabled again, it rotates at the next alarm", async () => {
    const vault = await newVault();
    await withClock(vault, async (v, clock, state) => {
      const key = await create(vault, v);
      value(await v.changeState(vault.call, key.id, "disable", null));
      clock.now = T0 + 40 * DAY;
      await v.alarm();
      expect(await get(vault, v, key)).toMatchObject({ state: "disabled", primary_version: 1, next_rotation_at: iso(T0 + 30 * DAY) });
      expect(rotations(state, key.id)).toEqual([]);

      clock.now = T0 + 41 * DAY;
      value(await v.changeState(vault.call, key.id, "enable", null));
      await v.alarm();
      expect(await get(vault, v, key)).toMatchObject({ state: "enabled", primary_version: 2, next_rotation_at: iso(T0 + 60 * DAY) });
    });
  });

  it("a key pending deletion does not rotate, and its destruction ends the schedule", async () => {
    const vault = await newVault();
    await withClock(vault, async (v, clock, state) => {
      const key = await create(vault, v, { rotation_period: "P7D" });
      value(await v.changeState(vault.call, key.id, "schedule_deletion", 8));
      clock.now = T0 + 7 * DAY;
      await v.alarm();
      expect(await get(vault, v, key)).toMatchObject({ state: "pending_deletion", primary_version: 1 });
      clock.now = T0 + 8 * DAY;
      await v.alarm();
      expect(await get(vault, v, key)).toMatchObject({ state: "destroyed", primary_version: 1, rotation_period: null, next_rotation_at: null });
      expect(rotations(state, key.id)).toEqual([]);
    });
  });

  it("keep_decryption_versions advances min_decryption_version after scheduled and manual rotations", async () => {
    const vault = await newVault();
    await withClock(vault, async (v, clock) => {
      const key = await create(vault, v, { rotation_period: "P1D", keep_decryption_versions: 1 });
      for (const day of [1, 2, 3]) {
        clock.now = T0 + day * DAY;
        await v.alarm();
      }
      expect(await get(vault, v, key)).toMatchObject({ primary_version: 4, min_decryption_version: 3, next_rotation_at: iso(T0 + 4 * DAY) });

      clock.now = T0 + 3 * DAY + 5;
      const manual = value(await v.rotateKey(vault.call, key.id));
      // A manual rotation restarts the schedule from now.
      expect(manual).toMatchObject({ primary_version: 5, min_decryption_version: 4, next_rotation_at: iso(T0 + 4 * DAY + 5) });
    });
  });

  it("PATCH sets a period from now, or removes the schedule with null; a key without one never rotates", async () => {
    const vault = await newVault();
    await withClock(vault, async (v, clock, state) => {
      const key = await create(vault, v, { rotation_period: undefined });
      expect(key).toMatchObject({ rotation_period: null, next_rotation_at: null });
      clock.now = T0 + DAY;
      const scheduled = value(await v.updateKey(vault.call, key.id, { rotation_period: "P1M", keep_decryption_versions: 3 }));
      expect(scheduled).toMatchObject({ rotation_period: "P1M", next_rotation_at: "2040-02-02T12:00:00.000Z", keep_decryption_versions: 3 });

      const removed = value(await v.updateKey(vault.call, key.id, { rotation_period: null, keep_decryption_versions: null }));
      expect(removed).toMatchObject({ rotation_period: null, next_rotation_at: null, keep_decryption_versions: null });
      clock.now = T0 + 400 * DAY;
      await v.alarm();
      expect((await get(vault, v, key)).primary_version).toBe(1);
      expect(rotations(state, key.id)).toEqual([]);
    });
  });

  it("refuses a bad period or count, naming the field, and writes nothing", async () => {
    const vault = await newVault();
    await withClock(vault, async (v) => {
      const bad = await v.createKey(vault.call, { algorithm: "ML-KEM-768", rotation_period: "PT1H" }, null, 100);
      expect(bad).toEqual({ ok: false, error: { code: "invalid_request", detail: "body.rotation_period: must be at least one day (P1D or PT24H)" } });
      const key = await create(vault, v);
      const badKeep = await v.updateKey(vault.call, key.id, { keep_decryption_versions: 0 });
      expect(badKeep).toMatchObject({ ok: false, error: { code: "invalid_request", detail: expect.stringContaining("body.keep_decryption_versions") } });
      expect(await get(vault, v, key)).toEqual(key);
    });
  });

  it("a rotation that cannot be audited writes nothing; the alarm tries again later and then rotates once", async () => {
    const vault = await newVault();
    await withClock(vault, async (v, clock, state) => {
      const key = await create(vault, v);
      const versions = () => state.storage.sql.exec("SELECT version FROM key_versions WHERE key_id = ?", key.id).toArray().length;
      state.storage.sql.exec("CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END");
      clock.now = T0 + 30 * DAY;
      await v.alarm();
      expect(await get(vault, v, key)).toMatchObject({ primary_version: 1, next_rotation_at: iso(T0 + 30 * DAY) });
      expect(versions()).toBe(1);
      expect(await state.storage.getAlarm()).toBeLessThanOrEqual(T0 + 30 * DAY + ROTATION_RETRY_MS);

      state.storage.sql.exec("DROP TRIGGER fail_audit");
      clock.now = T0 + 30 * DAY + ROTATION_RETRY_MS;
      await v.alarm();
      expect(await get(vault, v, key)).toMatchObject({ primary_version: 2, next_rotation_at: iso(T0 + 60 * DAY) });
      expect(versions()).toBe(2);
      expect(rotations(state, key.id)).toHaveLength(1);
    });
  });
});
