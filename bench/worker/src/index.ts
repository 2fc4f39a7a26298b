/**
 * pqkms bench Worker (bench/vault.mjs drives it; never deployed).
 *
 * `POST /run {algorithm, op, path, n}` runs one operation `n` times back to back, in one request,
 * and answers when all are done. bench/vault.mjs times that request from Node (outside workerd),
 * so the figures do not depend on workerd's clocks; the Worker still reports how far its own
 * `Date.now()` and `performance.now()` moved during the loop, so the script can show whether they
 * advance during pure computation. (The `openssl` path of the report is timed in Node itself.)
 *
 * Paths, all in the same workerd process:
 * - `vault`: `env.KMS.<op>(...)` over the service binding to the kms Worker's KmsService, which
 *   forwards over RPC to the tenant's TenantVault DO: the exact call the gateway makes, minus HTTP,
 *   auth, rate limit and policy. Includes the key + version read, key cache lookup and the audit
 *   row (hash chain, one transactionSync); results cross two RPC hops.
 * - `provider`: the project's own crypto layer (NobleProvider; HPKE and AEAD envelope seal/open)
 *   called in this isolate: no RPC, no storage.
 * - `native`: the same code with WebCryptoProvider (native ML-KEM-768/1024 and ML-DSA, X-Wing and
 *   the composite from native halves), from the same seed as `provider`.
 * - `noble`: the bare library call: @noble/post-quantum for ML-KEM, X-Wing (ml_kem768_x25519),
 *   ML-DSA and SLH-DSA; for KEM encrypt/decrypt the KEM step inside the HPKE envelope, for rewrap
 *   decapsulate + encapsulate, for datakey 32 random bytes + encapsulate; for the composite the two
 *   component signatures (ML-DSA-65 + ECDSA P-256 from @noble/curves) over the same message; Web
 *   Crypto AES-GCM and @noble/ciphers ChaCha20-Poly1305 for the AEAD keys, as aead.ts uses them.
 * - `prepared`: ML-KEM only, noble's `prepare(publicKey)` object (Â and t̂ expanded once).
 *
 * SLH-DSA-SHA2-128s sign (about 3 s of CPU) is run n = 1: the vault allows one per tenant every
 * 4 s, so `POST /run {..., n: 0, prepare: true}` first sets up a fresh tenant and key for the
 * next timed vault sign.
 * `POST /verify-audit` runs `env.KMS.verifyAudit(call, { from: "window" })` over every event the bench tenant's vault holds.
 *
 * - floors: op `health` is `env.KMS.health()`, one RPC hop to the kms Worker that does no I/O;
 *   op `summary` is `env.KMS.vaultSummary()`, both hops into the DO, one SQL read, no crypto: the
 *   fixed cost of reaching the vault; op `record` is `env.KMS.recordEvent()`, the same plus one
 *   audit row appended in a write transaction: what every operation adds to the summary floor.
 *
 * This file is the HTTP entry only. catalog.ts: what can be run and the fixed inputs; bare.ts: the
 * bare library calls; fixtures.ts: keys and one closure per operation and path; run.ts: the loop.
 */
import { ALGORITHMS, isAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { BATCH_ITEMS, BATCH_OPS, CALL, CATALOG, SLOW, type Env, type Path } from "./catalog.ts";
import { run } from "./run.ts";

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/ops") {
      const ops: { algorithm: string; op: string; paths: Path[]; slow: boolean; items?: number }[] = [];
      for (const { algorithm, ops: list, paths } of CATALOG) {
        if (!isAlgorithmName(algorithm)) continue;
        for (const op of list) {
          if (BATCH_OPS.has(op)) {
            ops.push({ algorithm, op, paths, slow: false, items: BATCH_ITEMS });
            continue;
          }
          if (!(ALGORITHMS[algorithm].operations as readonly string[]).includes(op)) continue;
          ops.push({ algorithm, op, paths, slow: SLOW.has(`${algorithm} ${op}`) });
        }
      }
      return Response.json({ ops });
    }
    if (request.method === "POST" && url.pathname === "/verify-audit") {
      // The whole hash chain of the bench tenant's vault, as GET /v1/audit-events/verify does it.
      const result = await env.KMS.verifyAudit(CALL, { from: "window" });
      if (!result.ok) return Response.json({ error: result.error.code }, { status: 500 });
      return Response.json(result.value);
    }
    if (request.method === "POST" && url.pathname === "/run") {
      try {
        return await run(await request.json(), env);
      } catch (error) {
        return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 500 });
      }
    }
    return new Response(null, { status: 404 });
  },
} satisfies ExportedHandler<Env>;
