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
 * - `provider`: the project's own crypto layer (NobleProvider; HPKE and AEAD envelope seal/open)
 *   called in this isolate: no RPC, no storage.
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
 * `POST /verify-audit` runs `env.KMS.verifyAudit()` over the bench tenant's whole audit chain.
 *
 * - floors: op `health` is `env.KMS.health()`, one RPC hop to the kms Worker that does no I/O;
 *   op `summary` is `env.KMS.vaultSummary()`, both hops into the DO, one SQL read, no crypto: the
 *   fixed cost of reaching the vault.
 */
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { p256 } from "@noble/curves/nist.js";
import { ml_kem768_x25519 } from "@noble/post-quantum/hybrid.js";
import { ml_dsa44, ml_dsa65, ml_dsa87 } from "@noble/post-quantum/ml-dsa.js";
import { ml_kem1024, ml_kem512, ml_kem768, type KEMPrepared } from "@noble/post-quantum/ml-kem.js";
import { slh_dsa_sha2_128f, slh_dsa_sha2_128s } from "@noble/post-quantum/slh-dsa.js";
import type { KmsService } from "../../../workers/kms/src/index.ts";
import { openAeadEnvelope, sealAeadEnvelope, generateDataKey } from "../../../workers/kms/src/crypto/aead-envelope.ts";
import { ALGORITHMS, isAlgorithmName, type AeadAlgorithmName, type KemAlgorithmName, type SignatureAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { decodeAndOpen, openEnvelope, sealEnvelope } from "../../../workers/kms/src/crypto/hpke-envelope.ts";
import { NobleProvider } from "../../../workers/kms/src/crypto/noble-provider.ts";
import type { CallContext } from "../../../workers/shared/rpc.ts";

interface Env {
  KMS: Service<KmsService>;
}

/** The bare KEM calls the noble path makes (ML-KEM and X-Wing share this shape). */
interface BareKem {
  keygen(seed?: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  encapsulate(publicKey: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array };
  decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array;
}
/** The bare signature calls (for the composite: both component signatures over the same message). */
interface BareSigner {
  keygen(): { publicKey: Uint8Array; secretKey: Uint8Array };
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

const KEMS: Record<KemAlgorithmName, BareKem> = { "ML-KEM-512": ml_kem512, "ML-KEM-768": ml_kem768, "ML-KEM-1024": ml_kem1024, "X-Wing": ml_kem768_x25519 };
const PREPARABLE = { "ML-KEM-512": ml_kem512, "ML-KEM-768": ml_kem768, "ML-KEM-1024": ml_kem1024 } as const;

function plain(signer: { keygen(seed?: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array }; sign(m: Uint8Array, sk: Uint8Array): Uint8Array; verify(s: Uint8Array, m: Uint8Array, pk: Uint8Array): boolean }): BareSigner {
  return { keygen: () => signer.keygen(), sign: (m, sk) => signer.sign(m, sk), verify: (s, m, pk) => signer.verify(s, m, pk) };
}

/**
 * Composite-ML-DSA-65-P256, bare: the two component operations over the same message, ML-DSA-65
 * sign (hedged) + ECDSA P-256 sign (SHA-256 prehash, DER, hedged k). Not the composite construction
 * itself (no message representative, no label): what the two libraries cost on their own.
 */
const COMPOSITE_BARE: BareSigner = {
  keygen() {
    const mlDsa = ml_dsa65.keygen();
    const scalar = p256.utils.randomSecretKey();
    return { publicKey: concat(mlDsa.publicKey, p256.getPublicKey(scalar, false)), secretKey: concat(mlDsa.secretKey, scalar) };
  },
  sign(message, secretKey) {
    const a = ml_dsa65.sign(message, secretKey.subarray(0, secretKey.length - 32));
    const b = p256.sign(message, secretKey.subarray(secretKey.length - 32), { prehash: true, lowS: true, format: "der", extraEntropy: true });
    return concat(a, b);
  },
  verify(signature, message, publicKey) {
    const ok = ml_dsa65.verify(signature.subarray(0, 3309), message, publicKey.subarray(0, 1952));
    return ok && p256.verify(signature.subarray(3309), message, publicKey.subarray(1952), { prehash: true, lowS: false, format: "der" });
  },
};

const SIGNERS: Record<SignatureAlgorithmName, BareSigner> = {
  "ML-DSA-44": plain(ml_dsa44),
  "ML-DSA-65": plain(ml_dsa65),
  "ML-DSA-87": plain(ml_dsa87),
  "Composite-ML-DSA-65-P256": COMPOSITE_BARE,
  "SLH-DSA-SHA2-128f": plain(slh_dsa_sha2_128f),
  "SLH-DSA-SHA2-128s": plain(slh_dsa_sha2_128s),
};
const AEADS: readonly AeadAlgorithmName[] = ["AES-256-GCM", "ChaCha20-Poly1305"];

type Op = "encrypt" | "decrypt" | "encapsulate" | "decapsulate" | "rewrap" | "datakey" | "sign" | "verify";
type Path = "vault" | "provider" | "noble" | "prepared";

/** What /ops lists, in report order: algorithm, operations, paths. */
const CATALOG: { algorithm: string; ops: Op[]; paths: Path[] }[] = [
  { algorithm: "ML-KEM-512", ops: ["encrypt", "decrypt", "encapsulate", "decapsulate"], paths: ["vault", "provider", "noble", "prepared"] },
  { algorithm: "ML-KEM-768", ops: ["encrypt", "decrypt", "encapsulate", "decapsulate"], paths: ["vault", "provider", "noble", "prepared"] },
  { algorithm: "ML-KEM-768", ops: ["rewrap", "datakey"], paths: ["vault", "provider", "noble"] },
  { algorithm: "ML-KEM-1024", ops: ["encrypt", "decrypt", "encapsulate", "decapsulate"], paths: ["vault", "provider", "noble", "prepared"] },
  { algorithm: "X-Wing", ops: ["encrypt", "decrypt", "encapsulate", "decapsulate"], paths: ["vault", "provider", "noble"] },
  { algorithm: "ML-DSA-44", ops: ["sign", "verify"], paths: ["vault", "provider", "noble"] },
  { algorithm: "ML-DSA-65", ops: ["sign", "verify"], paths: ["vault", "provider", "noble"] },
  { algorithm: "ML-DSA-87", ops: ["sign", "verify"], paths: ["vault", "provider", "noble"] },
  { algorithm: "Composite-ML-DSA-65-P256", ops: ["sign", "verify"], paths: ["vault", "provider", "noble"] },
  { algorithm: "SLH-DSA-SHA2-128f", ops: ["sign", "verify"], paths: ["vault", "provider", "noble"] },
  { algorithm: "SLH-DSA-SHA2-128s", ops: ["sign", "verify"], paths: ["vault", "provider", "noble"] },
  { algorithm: "AES-256-GCM", ops: ["encrypt", "decrypt", "rewrap"], paths: ["vault", "provider", "noble"] },
  { algorithm: "ChaCha20-Poly1305", ops: ["encrypt", "decrypt"], paths: ["vault", "provider", "noble"] },
];
/** Operations too slow to calibrate or repeat: the script runs them n = 1, a sample or two per path. */
const SLOW = new Set(["SLH-DSA-SHA2-128s sign"]);

const TENANT = "00000000-0000-4000-8000-00000000be0c";
const CALL: CallContext = { tenantId: TENANT, apiKeyId: "bench", requestId: "bench" };
/** What is encrypted and signed: 32 bytes (a data key's size) and a 64-byte message. */
const PLAINTEXT = new Uint8Array(32).fill(7);
const MESSAGE = new Uint8Array(64).fill(9);
const AAD = new Uint8Array(0);
/** The local key id the provider path's envelopes name. */
const LOCAL_KEY_ID = "00000000-0000-4000-8000-0000000010ca";
const BINDING = { keyId: LOCAL_KEY_ID, keyVersion: 1 };

const provider = new NobleProvider();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A Uint8Array over its own ArrayBuffer, as Web Crypto's types want. */
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/** One algorithm's keys and inputs, as closures per operation and path. */
type Fixture = Partial<Record<Op, Partial<Record<Path, () => unknown>>>>;
const fixtures = new Map<string, Promise<Fixture>>();

type Outcome<T> = { ok: true; value: T } | { ok: false; error: { code: string; detail?: string } };

function unwrap<T>(what: string, result: Outcome<T>): T {
  if (!result.ok) throw new Error(`${what}: ${result.error.code} ${result.error.detail ?? ""}`);
  return result.value;
}

/** Checks a vault Result (and a verify's `valid`). */
function check(what: string) {
  return (r: Outcome<unknown>) => {
    if (!r.ok) throw new Error(`${what}: ${r.error.code} ${r.error.detail ?? ""}`);
    if (what === "verify" && !(r.value as { valid: boolean }).valid) throw new Error("vault verify: invalid");
    return r;
  };
}

function checkOpen(what: string) {
  return (r: Outcome<unknown>) => {
    if (!r.ok) throw new Error(`${what}: ${r.error.code}`);
    return r;
  };
}

async function createVaultKey(kms: Env["KMS"], call: CallContext, algorithm: string): Promise<string> {
  return unwrap("createKey", await kms.createKey(call, { algorithm, name: `bench ${algorithm}` }, null, 1_000)).id;
}

async function kemFixture(algorithm: KemAlgorithmName, kms: Env["KMS"]): Promise<Fixture> {
  const keyId = await createVaultKey(kms, CALL, algorithm);
  const vaultEnvelope = unwrap("encrypt", await kms.encrypt(CALL, keyId, PLAINTEXT, AAD)).ciphertext;
  const vaultCiphertext = unwrap("encapsulate", await kms.encapsulate(CALL, keyId)).ciphertext;
  const pair = await provider.deriveKeyPair(algorithm, provider.generateSeed(algorithm));
  const handle = pair.privateKey;
  const localEnvelope = await sealEnvelope(provider, algorithm, LOCAL_KEY_ID, 1, pair.publicKey, PLAINTEXT, AAD);
  const localCiphertext = (await provider.encapsulate(algorithm, pair.publicKey)).ciphertext;
  const kem = KEMS[algorithm];
  const noble = kem.keygen();
  const nobleCiphertext = kem.encapsulate(noble.publicKey).cipherText;
  const prepared: KEMPrepared | null = algorithm in PREPARABLE ? PREPARABLE[algorithm as keyof typeof PREPARABLE].prepare(noble.publicKey) : null;
  const encaps = () => kem.encapsulate(noble.publicKey);
  const decaps = () => kem.decapsulate(nobleCiphertext, noble.secretKey);
  const fixture: Fixture = {
    encrypt: {
      vault: () => kms.encrypt(CALL, keyId, PLAINTEXT, AAD).then(check("encrypt")),
      provider: () => sealEnvelope(provider, algorithm, LOCAL_KEY_ID, 1, pair.publicKey, PLAINTEXT, AAD),
      noble: encaps,
    },
    decrypt: {
      vault: () => kms.decrypt(CALL, keyId, vaultEnvelope, AAD).then(check("decrypt")),
      provider: () => decodeAndOpen(openEnvelope, provider, handle, localEnvelope, AAD, BINDING).then(checkOpen("open")),
      noble: decaps,
    },
    encapsulate: {
      vault: () => kms.encapsulate(CALL, keyId).then(check("encapsulate")),
      provider: () => provider.encapsulate(algorithm, pair.publicKey),
      noble: encaps,
    },
    decapsulate: {
      vault: () => kms.decapsulate(CALL, keyId, vaultCiphertext, null).then(check("decapsulate")),
      provider: () => provider.decapsulate(handle, localCiphertext),
      noble: decaps,
    },
    // rewrap: open the envelope, seal the plaintext again under the primary version (here the same).
    rewrap: {
      vault: () => kms.rewrap(CALL, keyId, vaultEnvelope, AAD).then(check("rewrap")),
      provider: async () => {
        const opened = checkOpen("open")(await decodeAndOpen(openEnvelope, provider, handle, localEnvelope, AAD, BINDING)) as { value: Uint8Array };
        return sealEnvelope(provider, algorithm, LOCAL_KEY_ID, 1, pair.publicKey, opened.value, AAD);
      },
      noble: () => {
        decaps();
        return encaps();
      },
    },
    // datakey: 32 fresh random bytes sealed in an envelope, returned in plaintext too.
    datakey: {
      vault: () => kms.dataKey(CALL, keyId, { plaintext: true, aad: AAD }).then(check("datakey")),
      provider: () => sealEnvelope(provider, algorithm, LOCAL_KEY_ID, 1, pair.publicKey, generateDataKey(), AAD),
      noble: () => {
        crypto.getRandomValues(new Uint8Array(32));
        return encaps();
      },
    },
  };
  if (prepared) {
    for (const op of ["encrypt", "encapsulate"] as const) fixture[op]!.prepared = () => prepared.encapsulate();
    for (const op of ["decrypt", "decapsulate"] as const) fixture[op]!.prepared = () => prepared.decapsulate(nobleCiphertext, noble.secretKey);
  }
  return fixture;
}

/**
 * SLH-DSA-SHA2-128s: the vault lets a tenant have one such signature per 4 s, so each timed vault
 * sign goes to a tenant of its own, set up beforehand by a `prepare` request (not timed).
 */
const slowSignKeys: { call: CallContext; keyId: string }[] = [];
let slowTenants = 0;

async function prepareSlowSign(algorithm: SignatureAlgorithmName, kms: Env["KMS"]): Promise<void> {
  slowTenants++;
  const call: CallContext = { tenantId: `00000000-0000-4000-8000-${(0xbe0c0000 + slowTenants).toString(16).padStart(12, "0")}`, apiKeyId: "bench", requestId: "bench" };
  const keyId = await createVaultKey(kms, call, algorithm);
  unwrap("summary", await kms.vaultSummary(call));
  slowSignKeys.push({ call, keyId });
}

async function dsaFixture(algorithm: SignatureAlgorithmName, kms: Env["KMS"]): Promise<Fixture> {
  const keyId = await createVaultKey(kms, CALL, algorithm);
  const vaultSignature = unwrap("sign", await kms.sign(CALL, keyId, { message: MESSAGE })).signature;
  const bare = SIGNERS[algorithm];
  const noble = bare.keygen();
  const nobleSignature = bare.sign(MESSAGE, noble.secretKey);
  // SLH-DSA: noble's secret key is the stored secret (the FIPS 205 private key), so the provider
  // loads the same key and its fixture signature is noble's: one slow signature fewer to make.
  const slh = ALGORITHMS[algorithm].family === "slh-dsa";
  const pair = await provider.deriveKeyPair(algorithm, slh ? noble.secretKey.slice() : provider.generateSeed(algorithm));
  const localSignature = slh ? nobleSignature : await provider.sign(pair.privateKey, { message: MESSAGE });
  const slow = SLOW.has(`${algorithm} sign`);
  return {
    sign: {
      vault: slow
        ? () => {
            const next = slowSignKeys.shift();
            if (!next) throw new Error("no prepared tenant for a slow vault sign");
            return kms.sign(next.call, next.keyId, { message: MESSAGE }).then(check("sign"));
          }
        : () => kms.sign(CALL, keyId, { message: MESSAGE }).then(check("sign")),
      provider: () => provider.sign(pair.privateKey, { message: MESSAGE }),
      noble: () => bare.sign(MESSAGE, noble.secretKey),
    },
    verify: {
      vault: () => kms.verify(CALL, keyId, { message: MESSAGE }, vaultSignature, null).then(check("verify")),
      provider: () =>
        provider.verify(algorithm, pair.publicKey, { message: MESSAGE }, localSignature).then((v) => {
          if (!v) throw new Error("provider verify: invalid");
        }),
      noble: () => {
        if (!bare.verify(nobleSignature, MESSAGE, noble.publicKey)) throw new Error("noble verify: invalid");
      },
    },
  };
}

/**
 * AEAD keys. noble path: the bare AEAD the provider uses, with a fresh 12-byte nonce per seal:
 * AES-256-GCM through Web Crypto (as aead.ts), ChaCha20-Poly1305 through @noble/ciphers.
 */
async function aeadFixture(algorithm: AeadAlgorithmName, kms: Env["KMS"]): Promise<Fixture> {
  const keyId = await createVaultKey(kms, CALL, algorithm);
  const vaultEnvelope = unwrap("encrypt", await kms.encrypt(CALL, keyId, PLAINTEXT, AAD)).ciphertext;
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const handle = await provider.importSecretKey(algorithm, raw);
  const localEnvelope = await sealAeadEnvelope(provider, handle, LOCAL_KEY_ID, 1, PLAINTEXT, AAD);
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  let seal: () => Promise<Uint8Array> | Uint8Array;
  let open: () => Promise<Uint8Array> | Uint8Array;
  if (algorithm === "AES-256-GCM") {
    const key = await crypto.subtle.importKey("raw", own(raw), { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: own(nonce), tagLength: 128 }, key, own(PLAINTEXT)));
    seal = async () => new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: crypto.getRandomValues(new Uint8Array(12)), tagLength: 128 }, key, own(PLAINTEXT)));
    open = async () => new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: own(nonce), tagLength: 128 }, key, own(sealed)));
  } else {
    const sealed = chacha20poly1305(raw, nonce).encrypt(PLAINTEXT);
    seal = () => chacha20poly1305(raw, crypto.getRandomValues(new Uint8Array(12))).encrypt(PLAINTEXT);
    open = () => chacha20poly1305(raw, nonce).decrypt(sealed);
  }
  return {
    encrypt: {
      vault: () => kms.encrypt(CALL, keyId, PLAINTEXT, AAD).then(check("encrypt")),
      provider: () => sealAeadEnvelope(provider, handle, LOCAL_KEY_ID, 1, PLAINTEXT, AAD),
      noble: seal,
    },
    decrypt: {
      vault: () => kms.decrypt(CALL, keyId, vaultEnvelope, AAD).then(check("decrypt")),
      provider: () => decodeAndOpen(openAeadEnvelope, provider, handle, localEnvelope, AAD, BINDING).then(checkOpen("open")),
      noble: open,
    },
    rewrap: {
      vault: () => kms.rewrap(CALL, keyId, vaultEnvelope, AAD).then(check("rewrap")),
      provider: async () => {
        const opened = checkOpen("open")(await decodeAndOpen(openAeadEnvelope, provider, handle, localEnvelope, AAD, BINDING)) as { value: Uint8Array };
        return sealAeadEnvelope(provider, handle, LOCAL_KEY_ID, 1, opened.value, AAD);
      },
      noble: async () => {
        await open();
        return seal();
      },
    },
  };
}

function makeFixture(algorithm: string, kms: Env["KMS"]): Promise<Fixture> {
  if (algorithm in KEMS) return kemFixture(algorithm as KemAlgorithmName, kms);
  if (algorithm in SIGNERS) return dsaFixture(algorithm as SignatureAlgorithmName, kms);
  if ((AEADS as readonly string[]).includes(algorithm)) return aeadFixture(algorithm as AeadAlgorithmName, kms);
  throw new Error(`algorithm: ${algorithm}`);
}

function fixture(algorithm: string, kms: Env["KMS"]): Promise<Fixture> {
  let f = fixtures.get(algorithm);
  if (!f) {
    f = makeFixture(algorithm, kms);
    f.catch(() => fixtures.delete(algorithm));
    fixtures.set(algorithm, f);
  }
  return f;
}

interface RunRequest {
  algorithm?: string;
  op?: string;
  path?: string;
  n?: number;
  /** Operations in flight at once (default 1: back to back). */
  concurrency?: number;
  /** Slow vault signs only: set up a fresh tenant and key for the next timed sign (not timed itself). */
  prepare?: boolean;
}

async function run(body: RunRequest, env: Env): Promise<Response> {
  const n = Number(body.n ?? 0);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) return Response.json({ error: "n: 0..100000" }, { status: 400 });
  let loop: () => unknown;
  if (body.op === "summary") {
    loop = () => env.KMS.vaultSummary(CALL);
  } else if (body.op === "health") {
    loop = () => env.KMS.health();
  } else {
    const entry = CATALOG.find((c) => c.algorithm === body.algorithm && c.ops.includes(body.op as Op));
    if (!entry || !isAlgorithmName(body.algorithm) || !entry.paths.includes(body.path as Path)) {
      return Response.json({ error: `no ${String(body.path)} path for ${String(body.algorithm)} ${String(body.op)}` }, { status: 400 });
    }
    const f = await fixture(body.algorithm, env.KMS);
    if (body.prepare === true && body.path === "vault" && SLOW.has(`${body.algorithm} ${body.op}`)) {
      await prepareSlowSign(body.algorithm as SignatureAlgorithmName, env.KMS);
    }
    const step = f[body.op as Op]?.[body.path as Path];
    if (!step) return Response.json({ error: `no ${body.path} path for ${body.algorithm} ${body.op}` }, { status: 400 });
    loop = step;
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
      const ops: { algorithm: string; op: string; paths: Path[]; slow: boolean }[] = [];
      for (const { algorithm, ops: list, paths } of CATALOG) {
        if (!isAlgorithmName(algorithm)) continue;
        for (const op of list) {
          if (!ALGORITHMS[algorithm].operations.includes(op)) continue;
          ops.push({ algorithm, op, paths, slow: SLOW.has(`${algorithm} ${op}`) });
        }
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
        return await run(await request.json(), env);
      } catch (error) {
        return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 500 });
      }
    }
    return new Response(null, { status: 404 });
  },
} satisfies ExportedHandler<Env>;
