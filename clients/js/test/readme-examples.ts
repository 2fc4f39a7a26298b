/**
 * The calls of clients/js/README.md, typed against the client: `npm run typecheck` compiles this file
 * (never run), so an example that no longer matches the API fails the typecheck.
 */
import { Pqkms, sealImportMaterial } from "../src/index.ts";
declare const client: Pqkms; declare const bytes: Uint8Array; declare const message: Uint8Array; declare const mu: Uint8Array;
declare const otherKeyId: string; declare const id: string; declare const hmacKey: string; declare const mac: Uint8Array;
export async function f() {
const key = await client.keys.create({ algorithm: "ML-KEM-768", name: "orders", rotation_period: "P90D" });
await client.keys.update(key.id, { labels: { team: "payments" } });
await client.keys.scheduleDeletion(key.id, { days: 30 });
await client.keys.versions.disable(key.id, 1);
const { ciphertext } = await client.keys.encrypt(key.id, bytes, { aad: "order:4711" });
const { plaintext } = await client.keys.decrypt(key.id, ciphertext, { aad: "order:4711" });
void plaintext;
await client.envelopes.decrypt(ciphertext, { aad: "order:4711" });
await client.keys.rewrap(key.id, ciphertext);
const dataKey = await client.keys.generateDataKey(key.id, { plaintext: true });
const p: Uint8Array | undefined = dataKey.plaintext; void p;
const { ciphertext: kemCt, shared_secret } = await client.keys.encapsulate(key.id); void shared_secret;
await client.keys.decapsulate(key.id, kemCt);
const signer = await client.keys.create({ algorithm: "ML-DSA-65" });
const { signature } = await client.keys.sign(signer.id, message, { context: "release" });
const { valid } = await client.keys.verify(signer.id, message, signature, { context: "release" }); void valid;
await client.keys.sign(signer.id, { mu });
await client.keys.mac(hmacKey, message); await client.keys.verifyMac(hmacKey, message, mac);
const r = await client.keys.batch(key.id, "encrypt", [{ plaintext: "a" }, { plaintext: "b", aad: "x" }]);
const first = r.results[0]; if (first?.ok) { const c: Uint8Array | undefined = first.ciphertext; void c; }
const job = await client.importJobs.create({ wrapping_algorithm: "X-Wing" });
const imported = await client.keys.create({ algorithm: "ML-DSA-65", origin: "imported" });
const wrappedMaterial = await sealImportMaterial(job, { algorithm: "ML-DSA-65", material: new Uint8Array(32) });
await client.keys.import(imported.id, { importJobId: job.id, wrappedMaterial });
const pem: string = (await client.keys.publicKey(signer.id, { format: "pem", version: 1 })).public_key; void pem;
const raw: Uint8Array = (await client.keys.publicKey(signer.id, { format: "raw" })).public_key; void raw;
const spki: Uint8Array = (await client.keys.publicKey(signer.id)).public_key; void spki;
const jwk: { kty: "AKP" } = (await client.keys.publicKey(signer.id, { format: "jwk" })).public_key; void jwk;
await client.aliases.create({ name: "orders", key_id: key.id }); await client.aliases.update("orders", otherKeyId);
const { token } = await client.apiKeys.create({ name: "ci", role: "app" }); await client.apiKeys.revoke(id); void token;
await client.tenant.get(); await client.tenant.usage();
await client.policyRules.create({ kind: "ip_allow", value: "203.0.113.0/24" });
await client.audit.verify();
await client.audit.download("s"); await client.audit.createCheckpoint(); await client.audit.keys();
const { tenant } = await client.admin.tenants.create({ name: "acme", plan: "pro" });
for await (const t of client.admin.tenants.list()) console.log(t.id, t.name, t.plan, t.status);
await client.admin.tenants.update(tenant.id, { limits: { rate_per_second: 5 } });
await client.admin.failOpen.enable({ minutes: 10, reason: "policy outage" });
await client.admin.audit.rotateKey();
for await (const k of client.keys.list({ algorithm: "ML-DSA-65" })) void k.id;
for await (const page of client.audit.events({ outcome: "denied" }).pages()) void page.events;
const pg = await client.keys.listPage({ limit: 10, cursor: "x" }); void pg.next_cursor;
await client.aliases.list().toArray();
for await (const k of client.keys.list({}, { signal: AbortSignal.timeout(5_000) })) void k;
}
