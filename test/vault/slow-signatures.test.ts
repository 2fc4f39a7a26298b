/**
 * Slow signatures off the vault (architecture §8, "Slow signatures"), proven by who holds the work,
 * not by timings: an SLH-DSA signature asked of the TenantVault is made by the tenant's TenantSigner
 * (its own count goes up; the vault never calls the provider's sign), from the wrapped secret; the
 * vault records the audit row. While one is in flight the vault keeps answering: another operation
 * of the tenant completes first, and a slow signature beyond what admission lets queue is refused at
 * once, 429 with a Retry-After. SLH-DSA-SHA2-128f stands in for 128s: the routing is the same and
 * it costs 0.2 s, not 3 s (128s key generation and signing take tens of seconds under this test
 * runner); the rule that a 128s signature is always alone is the pure admission's (node tests).
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NobleProvider } from "../../workers/kms/src/crypto/noble-provider.ts";
import { WebCryptoProvider } from "../../workers/kms/src/crypto/webcrypto-provider.ts";
import type { TenantSigner } from "../../workers/kms/src/signer/tenant-signer.ts";
import { SLOW_SIGNATURE_CPU_MS, SLOW_SIGNATURE_QUEUE_MS } from "../../workers/kms/src/vault/slow-signatures.ts";
import { b, createKey, newVault, sql, value, type TestVault } from "./helpers.ts";
import { placedId } from "../../workers/shared/placement.ts";

const SLOW = "SLH-DSA-SHA2-128f";

const signerOf = (tenantId: string) => env.SIGNER.get(placedId(env.SIGNER, "default", tenantId));
const signatureCount = (tenantId: string) => runInDurableObject(signerOf(tenantId), (signer: TenantSigner) => signer.signatureCount);
const lastSignEvent = async (vault: TestVault, keyId: string) =>
  value(await vault.stub.auditEvents(vault.call, { keyId, operation: "crypto.sign", limit: 1 })).events[0];

/** Two slow-signature keys; the first carries the second's wrapped secret, which does not unwrap under its binding. */
async function brokenAndSoundKeys(vault: TestVault) {
  const [broken, sound] = [await createKey(vault, SLOW), await createKey(vault, SLOW)];
  const [row] = await sql<{ wrapped_secret: ArrayBuffer }>(vault, "SELECT wrapped_secret FROM key_versions WHERE key_id = ?", sound.id);
  await sql(vault, "UPDATE key_versions SET wrapped_secret = ? WHERE key_id = ?", row?.wrapped_secret ?? null, broken.id);
  await evictDurableObject(vault.stub);
  return { broken, sound };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("who makes a slow signature", () => {
  it("the tenant's signer does, from the wrapped secret; the vault verifies it and audits it", async () => {
    const vault = await newVault();
    const key = await createKey(vault, SLOW);
    const before = await signatureCount(vault.tenantId);
    // Every provider of this isolate, the vault's and the signer's, signs through this one method.
    const providerSign = vi.spyOn(NobleProvider.prototype, "sign");

    const signed = value(await vault.stub.sign(vault.call, key.id, { message: b("hello"), context: b("ctx") }));

    expect(await signatureCount(vault.tenantId)).toBe(before + 1);
    // One provider signature in all, and the signer made it: none was made in the vault.
    expect(providerSign).toHaveBeenCalledTimes(1);
    expect(value(await vault.stub.verify(vault.call, key.id, { message: b("hello"), context: b("ctx") }, signed.signature, null)).valid).toBe(true);
    expect(await lastSignEvent(vault, key.id)).toMatchObject({ outcome: "allowed", key_version: 1 });
  });

  it("a fast signature stays in the vault: the signer is not asked", async () => {
    const vault = await newVault();
    const key = await createKey(vault, "ML-DSA-44");
    const before = await signatureCount(vault.tenantId);
    // The vault's own provider (the kms wrangler.toml selects Web Crypto) makes it.
    const providerSign = vi.spyOn(WebCryptoProvider.prototype, "sign");
    value(await vault.stub.sign(vault.call, key.id, { message: b("hello") }));
    expect(providerSign).toHaveBeenCalledTimes(1);
    expect(await signatureCount(vault.tenantId)).toBe(before);
  });

  it("a signer refuses another tenant's request and any algorithm it does not sign", async () => {
    const vault = await newVault();
    const key = await createKey(vault, SLOW);
    const [row] = await sql<{ wrapped_secret: ArrayBuffer; kek_id: string; public_key: ArrayBuffer }>(vault, "SELECT wrapped_secret, kek_id, public_key FROM key_versions WHERE key_id = ?", key.id);
    if (!row) return expect.fail("no version row");
    const request = { tenantId: vault.tenantId, placement: "default", keyId: key.id, version: 1, algorithm: SLOW, publicKey: new Uint8Array(row.public_key), wrapped: row.wrapped_secret, kekId: row.kek_id, input: { message: b("m") } } as const;
    const elsewhere = await runInDurableObject(signerOf(crypto.randomUUID()), (signer: TenantSigner) => signer.sign(request));
    expect(elsewhere).toEqual({ ok: false, error: { code: "internal_error", detail: "signer tenant mismatch" } });
    const fast = await runInDurableObject(signerOf(vault.tenantId), (signer: TenantSigner) => signer.sign({ ...request, algorithm: "ML-DSA-44" }));
    expect(fast).toEqual({ ok: false, error: { code: "internal_error", detail: "ML-DSA-44 is not signed by the signer" } });
    // The same request, to the right signer, signs.
    expect((await runInDurableObject(signerOf(vault.tenantId), (signer: TenantSigner) => signer.sign(request))).ok).toBe(true);
  });
});

describe("while a slow signature is in flight", () => {
  it("the vault answers the tenant's other operations before it", async () => {
    const vault = await newVault();
    const [slow, kem] = [await createKey(vault, SLOW), await createKey(vault, "ML-KEM-768")];
    const finished: string[] = [];
    const signing = vault.stub.sign(vault.call, slow.id, { message: b("m") }).then((r) => (finished.push("sign"), r));
    const encrypting = vault.stub.encrypt(vault.call, kem.id, b("p"), b("")).then((r) => (finished.push("encrypt"), r));
    value(await signing);
    value(await encrypting);
    // Signed inside the vault, the encrypt would have waited behind the signature.
    expect(finished).toEqual(["encrypt", "sign"]);
  });

  it("one slow signature too many is refused at once with Retry-After, audited; once they are done, the next is admitted", async () => {
    const vault = await newVault();
    const { broken, sound } = await brokenAndSoundKeys(vault);
    // As many 128f signatures as the queue bound holds (a 128s signature holds it alone: see the unit
    // test). In flight is in flight whatever the signer will answer: these fail at once in the signer
    // (their blob does not unwrap), so the test costs one signature, not six.
    const fits = SLOW_SIGNATURE_QUEUE_MS / (SLOW_SIGNATURE_CPU_MS[SLOW] ?? expect.fail("no cost"));
    const inFlight = Array.from({ length: fits }, (_, i) => vault.stub.sign(vault.call, broken.id, { message: b(`in flight ${i}`) }));
    const refused = await vault.stub.sign(vault.call, sound.id, { message: b("one too many") });
    expect(refused).toEqual({
      ok: false,
      error: { code: "rate_limited", retryAfter: 1, detail: `A slow signature of this tenant is in progress; ${SLOW} signatures are not queued: retry in 1 s` },
    });
    expect(await lastSignEvent(vault, sound.id)).toMatchObject({ outcome: "failed", rule: "rate_limited" });
    for (const signing of inFlight) expect(await signing).toMatchObject({ ok: false, error: { code: "internal_error" } });
    // The in-flight marks are gone once those are done.
    value(await vault.stub.sign(vault.call, sound.id, { message: b("next") }));
  });

  it("a key disabled meanwhile gets no signature: the vault re-checks its state before answering", async () => {
    const vault = await newVault();
    const key = await createKey(vault, SLOW);
    const signing = vault.stub.sign(vault.call, key.id, { message: b("m") });
    value(await vault.stub.changeState(vault.call, key.id, "disable", null));
    expect(await signing).toEqual({ ok: false, error: { code: "key_disabled", detail: "The key was disabled during the operation" } });
    expect(await lastSignEvent(vault, key.id)).toMatchObject({ outcome: "denied", rule: "key_disabled" });
  });

  it("a failed signature is audited as failed, never allowed, and frees the next one", async () => {
    const vault = await newVault();
    const { broken, sound } = await brokenAndSoundKeys(vault);
    const before = await signatureCount(vault.tenantId);

    const failed = await vault.stub.sign(vault.call, broken.id, { message: b("m") });
    expect(failed).toEqual({ ok: false, error: { code: "internal_error", detail: "key material failed integrity check" } });
    expect(await lastSignEvent(vault, broken.id)).toMatchObject({ outcome: "failed", severity: "critical", rule: "internal_error" });
    expect(await signatureCount(vault.tenantId)).toBe(before);
    value(await vault.stub.sign(vault.call, sound.id, { message: b("m") }));
  });
});
