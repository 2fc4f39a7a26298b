/**
 * The platform's ML-DSA-65 audit key (architecture §9): made once on first need and reused; a
 * rotation retires the previous version at the new one's start and keeps it published; both are
 * audited in the platform's log. Only the platform's vault signs, and its seeds are stored only
 * wrapped: the seed unwrapped here with the KEK derives the stored public key, and its bytes
 * appear in no table of the vault and in no answer.
 */
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { encodeJwk } from "../../workers/kms/src/crypto/public-key-formats.ts";
import { parseKeyring } from "../../workers/kms/src/crypto/kek.ts";
import { unwrapSecret, WrappingKey } from "../../workers/kms/src/crypto/wrap.ts";
import { toBase64, toBase64Url } from "../../workers/shared/base64.ts";
import { PLATFORM_AUDIT_TENANT } from "../../workers/shared/rpc.ts";
import { nobleCheck, platform, platformCall } from "./audit-support.ts";
import { newVault, value } from "./helpers.ts";

type KeyRow = { key_id: string; version: number; public_key: ArrayBuffer; wrapped_secret: ArrayBuffer; kek_id: string; valid_from: number; valid_until: number | null };

const platformSql = <T extends Record<string, SqlStorageValue>>(query: string, ...bindings: SqlStorageValue[]) =>
  runInDurableObject(platform, (_instance, state) => state.storage.sql.exec<T>(query, ...bindings).toArray());

const hex = (bytes: Uint8Array) => [...bytes].map((x) => x.toString(16).padStart(2, "0")).join("");

const fields = (tenant: string) => ({ tenant, seq: 3, hash: "ab".repeat(32), segment: null, segment_sha256: null });

describe("the platform audit key", () => {
  it("is made once, on first need, and reused; its id is its JWK thumbprint; its creation is audited", async () => {
    const first = value(await platform.auditKeys()).keys;
    const again = value(await platform.auditKeys()).keys;
    expect(again).toEqual(first);
    const current = first.filter((k) => k.status === "current");
    expect(current).toHaveLength(1);
    const [key] = current;
    expect(key?.public_key.jwk.kid).toBe(key?.key_id);
    expect(key?.public_key.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const rows = await platformSql<KeyRow>("SELECT * FROM audit_keys ORDER BY version");
    expect(rows.map((r) => r.key_id).reverse()).toEqual(first.map((k) => k.key_id));
    for (const row of rows) expect((await encodeJwk("ML-DSA-65", new Uint8Array(row.public_key))).kid).toBe(row.key_id);
    const made = await platformSql<{ operation: string; key_id: string }>(
      "SELECT operation, key_id FROM audit_events WHERE operation IN ('audit.keys.create', 'audit.keys.rotate') ORDER BY seq",
    );
    expect(made.map((e) => e.key_id)).toEqual(rows.map((r) => r.key_id));
    expect(made[0]?.operation).toBe("audit.keys.create");
  });

  it("rotates to a new version; the old one is retired at the new one's start and still checks what it signed", async () => {
    const signedBefore = value(await platform.signCheckpoint(fields("tenant-a")));
    const before = value(await platform.auditKeys()).keys;
    const rotated = value(await platform.rotateAuditKey(platformCall));
    const after = value(await platform.auditKeys()).keys;
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]).toEqual(rotated);
    expect(rotated).toMatchObject({ status: "current", valid_until: null });
    const retired = after.find((k) => k.key_id === signedBefore.key_id);
    expect(retired).toMatchObject({ status: "retired", valid_until: rotated.valid_from });
    expect(after.filter((k) => k.status === "current")).toHaveLength(1);

    const signedAfter = value(await platform.signCheckpoint(fields("tenant-a")));
    expect(signedAfter.key_id).toBe(rotated.key_id);
    expect(await nobleCheck(signedBefore, "tenant-a")).toMatchObject({ ok: true });
    expect(await nobleCheck(signedAfter, "tenant-a")).toMatchObject({ ok: true });

    const [event] = await platformSql<{ severity: string; api_key_id: string }>(
      "SELECT severity, api_key_id FROM audit_events WHERE operation = 'audit.keys.rotate' AND key_id = ?", rotated.key_id,
    );
    expect(event).toEqual({ severity: "critical", api_key_id: platformCall.apiKeyId });
    expect(value(await platform.verifyAudit(platformCall, { from: "window" }))).toMatchObject({ valid: true });
  });

  it("is held and used by the platform's vault only", async () => {
    const vault = await newVault();
    for (const refused of [
      await vault.stub.signCheckpoint(fields(vault.tenantId)),
      await vault.stub.auditKeys(),
      await vault.stub.rotateAuditKey(vault.call),
      await platform.rotateAuditKey(vault.call),
    ]) {
      expect(refused).toMatchObject({ ok: false, error: { code: "internal_error" } });
    }
    expect(await runInDurableObject(vault.stub, (_i, state) => state.storage.sql.exec("SELECT * FROM audit_keys").toArray())).toEqual([]);
  });

  it("signs only what parses back as a checkpoint", async () => {
    for (const bad of [{ seq: -1 }, { hash: "not hex" }, { segment: "not-a-segment" }, { segment_sha256: "AB".repeat(32) }]) {
      expect(await platform.signCheckpoint({ ...fields("tenant-a"), ...bad })).toMatchObject({ ok: false, error: { code: "invalid_request" } });
    }
  });

  it("stores its seeds only wrapped: unwrapped, each derives its public key, and its bytes are in no table and no answer", async () => {
    const answers = JSON.stringify([
      value(await platform.auditKeys()), value(await platform.signCheckpoint(fields("tenant-a"))), value(await platform.rotateAuditKey(platformCall)),
    ]);
    const keyring = parseKeyring(env);
    if (!keyring.ok) expect.fail("no KEK in the test environment");
    const rows = await platformSql<KeyRow>("SELECT * FROM audit_keys");
    const seeds: string[] = [];
    for (const row of rows) {
      const wrappingKey = await WrappingKey.derive(keyring.value, PLATFORM_AUDIT_TENANT, row.kek_id);
      const seed = value(await unwrapSecret(wrappingKey, new Uint8Array(row.wrapped_secret), { keyId: "audit-signing-key", version: row.version, algorithm: "ML-DSA-65" }));
      expect(ml_dsa65.keygen(seed).publicKey).toEqual(new Uint8Array(row.public_key));
      seeds.push(hex(seed), toBase64(seed), toBase64Url(seed));
      for (const form of [toBase64(seed), toBase64Url(seed), hex(seed), toBase64(new Uint8Array(row.wrapped_secret))]) expect(answers).not.toContain(form);
    }
    const dump = await runInDurableObject(platform, (_i, state) => {
      const tables = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'").toArray();
      return tables.flatMap(({ name }) => state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray())
        .flatMap((row) => Object.values(row))
        .map((v) => (v instanceof ArrayBuffer ? hex(new Uint8Array(v)) : String(v)))
        .join("|");
    });
    for (const seed of seeds) expect(dump.includes(seed)).toBe(false);
  });
});
