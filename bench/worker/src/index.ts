/**
 * pqkms bench Worker (bench/vault.mjs drives it; never deployed).
 *
 * `POST /run {algorithm, op, path, n}` runs one operation `n` times back to back, in one request,
 * and answers when all are done. bench/vault.mjs times that request from Node (outside workerd),
 * so the figures do not depend on workerd's clocks; the Worker still reports how far its own
 * `Date.now()` and `performance.now()` moved during the loop, so the script can show whether they
 * advance during pure computation.
 *
 * Paths, all in the same workerd process:
 * - `vault`: `env.KMS.<op>(...)` over the service binding to the kms Worker's KmsService, which
 *   forwards over RPC to the tenant's TenantVault DO: the exact call the gateway makes, minus HTTP,
 *   auth, rate limit and policy. Includes the state re-read, key cache lookup, audit row (hash
 *   chain + outbox row, one transactionSync) and the alarm check; results cross two RPC hops.
 * - `provider`: the project's own crypto layer (NobleProvider; HPKE envelope seal/open) called
 *   in this isolate: no RPC, no storage.
 * - `noble`: the bare @noble/post-quantum primitive (for encrypt/decrypt: the ML-KEM
 *   encapsulate/decapsulate inside the HPKE envelope).
 * - `prepared`: ML-KEM only, noble's `prepare(publicKey)` object (Â and t̂ expanded once).
 * `POST /verify-audit` runs `env.KMS.verifyAudit()` over the bench tenant's whole audit chain.
 *
 * - floors: op `health` is `env.KMS.health()`, one RPC hop to the kms Worker that does no I/O;
 *   op `summary` is `env.KMS.vaultSummary()`, both hops into the DO, one SQL read, no crypto: the
 *   fixed cost of reaching the vault.
 */
import { ml_dsa44, ml_dsa65, ml_dsa87 } from "@noble/post-quantum/ml-dsa.js";
import { ml_kem1024, ml_kem512, ml_kem768, type KEMPrepared } from "@noble/post-quantum/ml-kem.js";
import type { KmsService } from "../../../workers/kms/src/index.ts";
import { ALGORITHMS, isAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { openEnvelope, sealEnvelope } from "../../../workers/kms/src/crypto/hpke-envelope.ts";
import { NobleProvider } from "../../../workers/kms/src/crypto/noble-provider.ts";
import type { PrivateKeyHandle } from "../../../workers/kms/src/crypto/provider.ts";
import type { CallContext } from "../../../workers/shared/rpc.ts";

interface Env {
  KMS: Service<KmsService>;
}

const KEMS = { "ML-KEM-512": ml_kem512, "ML-KEM-768": ml_kem768, "ML-KEM-1024": ml_kem1024 } as const;
const DSAS = { "ML-DSA-44": ml_dsa44, "ML-DSA-65": ml_dsa65, "ML-DSA-87": ml_dsa87 } as const;
/** The algorithms measured: those with a bare @noble/post-quantum counterpart. */
type KemAlgorithmName = keyof typeof KEMS;
type SignatureAlgorithmName = keyof typeof DSAS;
const KEM_OPS = ["encrypt", "decrypt", "encapsulate", "decapsulate"] as const;
const DSA_OPS = ["sign", "verify"] as const;
type Op = (typeof KEM_OPS)[number] | (typeof DSA_OPS)[number];
type Path = "vault" | "provider" | "noble" | "prepared";

const TENANT = "00000000-0000-4000-8000-00000000be0c";
const CALL: CallContext = { tenantId: TENANT, apiKeyId: "bench", requestId: "bench" };
/** What is encrypted and signed: 32 bytes (a data key's size) and a 64-byte message. */
const PLAINTEXT = new Uint8Array(32).fill(7);
const MESSAGE = new Uint8Array(64).fill(9);
const AAD = new Uint8Array(0);
/** The local key id the provider path's envelopes name. */
const LOCAL_KEY_ID = "00000000-0000-4000-8000-0000000010ca";

const provider = new NobleProvider();

interface KemFixture {
  kind: "kem";
  algorithm: KemAlgorithmName;
  vaultKeyId: string;
  vaultEnvelope: Uint8Array;
  vaultCiphertext: Uint8Array;
  handle: PrivateKeyHandle;
  publicKey: Uint8Array;
  localEnvelope: Uint8Array;
  localCiphertext: Uint8Array;
  nobleSecret: Uint8Array;
  noblePublic: Uint8Array;
  nobleCiphertext: Uint8Array;
  prepared: KEMPrepared;
}

interface DsaFixture {
  kind: "dsa";
  algorithm: SignatureAlgorithmName;
  vaultKeyId: string;
  vaultSignature: Uint8Array;
  handle: PrivateKeyHandle;
  publicKey: Uint8Array;
  localSignature: Uint8Array;
  nobleSecret: Uint8Array;
  noblePublic: Uint8Array;
  nobleSignature: Uint8Array;
}

type Fixture = KemFixture | DsaFixture;
const fixtures = new Map<string, Promise<Fixture>>();

function unwrap<T>(what: string, result: { ok: true; value: T } | { ok: false; error: { code: string; detail?: string } }): T {
  if (!result.ok) throw new Error(`${what}: ${result.error.code} ${result.error.detail ?? ""}`);
  return result.value;
}

async function makeFixture(algorithm: KemAlgorithmName | SignatureAlgorithmName, kms: Env["KMS"]): Promise<Fixture> {
  const created = unwrap("createKey", await kms.createKey(CALL, { algorithm, name: `bench ${algorithm}` }, null, 1_000));
  const seed = provider.generateSeed(algorithm);
  const pair = await provider.deriveKeyPair(algorithm, seed);
  if (algorithm in KEMS) {
    const kem = KEMS[algorithm as KemAlgorithmName];
    const name = algorithm as KemAlgorithmName;
    const vaultEnvelope = unwrap("encrypt", await kms.encrypt(CALL, created.id, PLAINTEXT, AAD)).ciphertext;
    const vaultCiphertext = unwrap("encapsulate", await kms.encapsulate(CALL, created.id)).ciphertext;
    const noble = kem.keygen(crypto.getRandomValues(new Uint8Array(64)));
    return {
      kind: "kem",
      algorithm: name,
      vaultKeyId: created.id,
      vaultEnvelope,
      vaultCiphertext,
      handle: pair.privateKey,
      publicKey: pair.publicKey,
      localEnvelope: await sealEnvelope(provider, name, LOCAL_KEY_ID, 1, pair.publicKey, PLAINTEXT, AAD),
      localCiphertext: (await provider.encapsulate(name, pair.publicKey)).ciphertext,
      nobleSecret: noble.secretKey,
      noblePublic: noble.publicKey,
      nobleCiphertext: kem.encapsulate(noble.publicKey).cipherText,
      prepared: kem.prepare(noble.publicKey),
    };
  }
  const name = algorithm as SignatureAlgorithmName;
  const dsa = DSAS[name];
  const noble = dsa.keygen(crypto.getRandomValues(new Uint8Array(32)));
  return {
    kind: "dsa",
    algorithm: name,
    vaultKeyId: created.id,
    vaultSignature: unwrap("sign", await kms.sign(CALL, created.id, { message: MESSAGE })).signature,
    handle: pair.privateKey,
    publicKey: pair.publicKey,
    localSignature: await provider.sign(pair.privateKey, { message: MESSAGE }),
    nobleSecret: noble.secretKey,
    noblePublic: noble.publicKey,
    nobleSignature: dsa.sign(MESSAGE, noble.secretKey),
  };
}

function fixture(algorithm: KemAlgorithmName | SignatureAlgorithmName, kms: Env["KMS"]): Promise<Fixture> {
  let f = fixtures.get(algorithm);
  if (!f) {
    f = makeFixture(algorithm, kms);
    f.catch(() => fixtures.delete(algorithm));
    fixtures.set(algorithm, f);
  }
  return f;
}

/** One operation on one path; throws if the result is not the expected success. */
function step(f: Fixture, op: Op, path: Path, kms: Env["KMS"]): () => Promise<unknown> | unknown {
  const check = (what: string) => (r: { ok: boolean; error?: { code: string } }) => {
    if (!r.ok) throw new Error(`${what}: ${r.error?.code}`);
    return r;
  };
  if (f.kind === "kem") {
    const kem = KEMS[f.algorithm];
    const binding = { keyId: LOCAL_KEY_ID, keyVersion: 1 };
    const table: Record<string, Partial<Record<Path, () => unknown>>> = {
      encrypt: {
        vault: () => kms.encrypt(CALL, f.vaultKeyId, PLAINTEXT, AAD).then(check("encrypt")),
        provider: () => sealEnvelope(provider, f.algorithm, LOCAL_KEY_ID, 1, f.publicKey, PLAINTEXT, AAD),
        noble: () => kem.encapsulate(f.noblePublic),
        prepared: () => f.prepared.encapsulate(),
      },
      decrypt: {
        vault: () => kms.decrypt(CALL, f.vaultKeyId, f.vaultEnvelope, AAD).then(check("decrypt")),
        provider: () => openEnvelope(provider, f.handle, f.localEnvelope, AAD, binding).then(check("open")),
        noble: () => kem.decapsulate(f.nobleCiphertext, f.nobleSecret),
        prepared: () => f.prepared.decapsulate(f.nobleCiphertext, f.nobleSecret),
      },
      encapsulate: {
        vault: () => kms.encapsulate(CALL, f.vaultKeyId).then(check("encapsulate")),
        provider: () => provider.encapsulate(f.algorithm, f.publicKey),
        noble: () => kem.encapsulate(f.noblePublic),
        prepared: () => f.prepared.encapsulate(),
      },
      decapsulate: {
        vault: () => kms.decapsulate(CALL, f.vaultKeyId, f.vaultCiphertext, null).then(check("decapsulate")),
        provider: () => provider.decapsulate(f.handle, f.localCiphertext),
        noble: () => kem.decapsulate(f.nobleCiphertext, f.nobleSecret),
        prepared: () => f.prepared.decapsulate(f.nobleCiphertext, f.nobleSecret),
      },
    };
    const run = table[op]?.[path];
    if (!run) throw new Error(`no ${path} path for ${f.algorithm} ${op}`);
    return run;
  }
  const dsa = DSAS[f.algorithm];
  const table: Record<string, Partial<Record<Path, () => unknown>>> = {
    sign: {
      vault: () => kms.sign(CALL, f.vaultKeyId, { message: MESSAGE }).then(check("sign")),
      provider: () => provider.sign(f.handle, { message: MESSAGE }),
      noble: () => dsa.sign(MESSAGE, f.nobleSecret),
    },
    verify: {
      vault: () =>
        kms.verify(CALL, f.vaultKeyId, { message: MESSAGE }, f.vaultSignature, null).then(check("verify")).then((r) => {
          if (!(r as unknown as { value: { valid: boolean } }).value.valid) throw new Error("vault verify: invalid");
        }),
      provider: () =>
        provider.verify(f.algorithm, f.publicKey, { message: MESSAGE }, f.localSignature).then((v) => {
          if (!v) throw new Error("provider verify: invalid");
        }),
      noble: () => {
        if (!dsa.verify(f.nobleSignature, MESSAGE, f.noblePublic)) throw new Error("noble verify: invalid");
      },
    },
  };
  const run = table[op]?.[path];
  if (!run) throw new Error(`no ${path} path for ${f.algorithm} ${op}`);
  return run;
}

interface RunRequest {
  algorithm?: string;
  op?: string;
  path?: string;
  n?: number;
  /** Operations in flight at once (default 1: back to back). */
  concurrency?: number;
}

async function run(body: RunRequest, env: Env): Promise<Response> {
  const n = Number(body.n ?? 0);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) return Response.json({ error: "n: 0..100000" }, { status: 400 });
  let loop: () => Promise<unknown> | unknown;
  if (body.op === "summary") {
    loop = () => env.KMS.vaultSummary(CALL);
  } else if (body.op === "health") {
    loop = () => env.KMS.health();
  } else {
    if (!isAlgorithmName(body.algorithm) || !(body.algorithm in KEMS || body.algorithm in DSAS)) {
      return Response.json({ error: `algorithm: ${String(body.algorithm)}` }, { status: 400 });
    }
    const f = await fixture(body.algorithm as KemAlgorithmName | SignatureAlgorithmName, env.KMS);
    loop = step(f, body.op as Op, body.path as Path, env.KMS);
  }
  const concurrency = Number(body.concurrency ?? 1);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) return Response.json({ error: "concurrency: 1..256" }, { status: 400 });
  let next = 0;
  const lane = async () => {
    while (next < n) {
      next++;
      await loop();
    }
  };
  const d0 = Date.now();
  const p0 = performance.now();
  if (concurrency === 1) for (let i = 0; i < n; i++) await loop();
  else await Promise.all(Array.from({ length: concurrency }, lane));
  const d1 = Date.now();
  const p1 = performance.now();
  return Response.json({ n, date_ms: d1 - d0, perf_ms: p1 - p0 });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/ops") {
      const ops: { algorithm: string; op: string; paths: Path[] }[] = [];
      for (const algorithm of Object.keys(KEMS)) {
        if (!isAlgorithmName(algorithm) || ALGORITHMS[algorithm].kind !== "kem") continue;
        for (const op of KEM_OPS) ops.push({ algorithm, op, paths: ["vault", "provider", "noble", "prepared"] });
      }
      for (const algorithm of Object.keys(DSAS)) {
        if (!isAlgorithmName(algorithm) || ALGORITHMS[algorithm].kind !== "signature") continue;
        for (const op of DSA_OPS) ops.push({ algorithm, op, paths: ["vault", "provider", "noble"] });
      }
      return Response.json({ ops });
    }
    if (request.method === "POST" && url.pathname === "/verify-audit") {
      // The whole hash chain of the bench tenant's vault, as GET /v1/audit-events/verify does it.
      const result = await env.KMS.verifyAudit(CALL);
      if (!result.ok) return Response.json({ error: result.error.code }, { status: 500 });
      return Response.json(result.value);
    }
    if (request.method === "POST" && url.pathname === "/run") {
      try {
        return await run((await request.json()) as RunRequest, env);
      } catch (error) {
        return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 500 });
      }
    }
    return new Response(null, { status: 404 });
  },
} satisfies ExportedHandler<Env>;
