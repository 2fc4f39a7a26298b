/**
 * The bench Worker's fixtures: per algorithm, keys in the vault (bench tenant), local key pairs from
 * one seed for the provider (NobleProvider) and native (WebCryptoProvider) paths, a bare key pair
 * for the noble path, and one closure per operation and path
 * that runs the operation once. Made on first use and kept for the isolate's life.
 */
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import type { KEMPrepared } from "@noble/post-quantum/ml-kem.js";
import { openAeadEnvelope, sealAeadEnvelope, generateDataKey } from "../../../workers/kms/src/crypto/aead-envelope.ts";
import { ALGORITHMS, type AeadAlgorithmName, type KemAlgorithmName, type MacAlgorithmName, type SignatureAlgorithmName } from "../../../workers/kms/src/crypto/algorithms.ts";
import { decodeAndOpen, openEnvelope, sealEnvelope } from "../../../workers/kms/src/crypto/hpke-envelope.ts";
import { NobleProvider } from "../../../workers/kms/src/crypto/noble-provider.ts";
import type { CryptoProvider } from "../../../workers/kms/src/crypto/provider.ts";
import { WebCryptoProvider } from "../../../workers/kms/src/crypto/webcrypto-provider.ts";
import type { CallContext } from "../../../workers/shared/rpc.ts";
import { AEADS, KEMS, MACS, PREPARABLE, SIGNERS } from "./bare.ts";
import { AAD, BATCH_ITEMS, BINDING, CALL, LOCAL_KEY_ID, MESSAGE, PLAINTEXT, SLOW, type Env, type Op, type Path } from "./catalog.ts";

/** `provider` path: pure TypeScript. `native` path: native Web Crypto where the runtime has it. */
const provider = new NobleProvider();
const webcrypto = new WebCryptoProvider();

/** A Uint8Array over its own ArrayBuffer, as Web Crypto's types want. */
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/** One algorithm's keys and inputs, as closures per operation and path. */
export type Fixture = Partial<Record<Op, Partial<Record<Path, () => unknown>>>>;
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
    if ((what === "verify" || what === "verify-mac") && !(r.value as { valid: boolean }).valid) throw new Error(`vault ${what}: invalid`);
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

/** One provider's local path for a KEM key: the project's code, in this isolate, no RPC or storage. */
async function localKem(p: CryptoProvider, algorithm: KemAlgorithmName, seed: Uint8Array): Promise<Partial<Record<Op, () => unknown>>> {
  const pair = await p.deriveKeyPair(algorithm, seed);
  const handle = pair.privateKey;
  const envelope = await sealEnvelope(p, algorithm, LOCAL_KEY_ID, 1, pair.publicKey, PLAINTEXT, AAD);
  const ciphertext = (await p.encapsulate(algorithm, pair.publicKey)).ciphertext;
  return {
    encrypt: () => sealEnvelope(p, algorithm, LOCAL_KEY_ID, 1, pair.publicKey, PLAINTEXT, AAD),
    decrypt: () => decodeAndOpen(openEnvelope, p, handle, envelope, AAD, BINDING).then(checkOpen("open")),
    encapsulate: () => p.encapsulate(algorithm, pair.publicKey),
    decapsulate: () => p.decapsulate(handle, ciphertext),
    // rewrap: open the envelope, seal the plaintext again under the primary version (here the same).
    rewrap: async () => {
      const opened = checkOpen("open")(await decodeAndOpen(openEnvelope, p, handle, envelope, AAD, BINDING)) as { value: Uint8Array };
      return sealEnvelope(p, algorithm, LOCAL_KEY_ID, 1, pair.publicKey, opened.value, AAD);
    },
    // datakey: 32 fresh random bytes sealed in an envelope, returned in plaintext too.
    datakey: () => sealEnvelope(p, algorithm, LOCAL_KEY_ID, 1, pair.publicKey, generateDataKey(), AAD),
  };
}

async function kemFixture(algorithm: KemAlgorithmName, kms: Env["KMS"]): Promise<Fixture> {
  const keyId = await createVaultKey(kms, CALL, algorithm);
  const vaultEnvelope = unwrap("encrypt", await kms.encrypt(CALL, keyId, PLAINTEXT, AAD)).ciphertext;
  const vaultCiphertext = unwrap("encapsulate", await kms.encapsulate(CALL, keyId)).ciphertext;
  const seed = provider.generateSeed(algorithm);
  const [local, native] = await Promise.all([localKem(provider, algorithm, seed), localKem(webcrypto, algorithm, seed)]);
  const kem = KEMS[algorithm];
  const noble = kem.keygen();
  const nobleCiphertext = kem.encapsulate(noble.publicKey).cipherText;
  const prepared: KEMPrepared | null = algorithm in PREPARABLE ? PREPARABLE[algorithm as keyof typeof PREPARABLE].prepare(noble.publicKey) : null;
  const encaps = () => kem.encapsulate(noble.publicKey);
  const decaps = () => kem.decapsulate(nobleCiphertext, noble.secretKey);
  const vault: Record<string, () => unknown> = {
    encrypt: () => kms.encrypt(CALL, keyId, PLAINTEXT, AAD).then(check("encrypt")),
    decrypt: () => kms.decrypt(CALL, keyId, vaultEnvelope, AAD).then(check("decrypt")),
    encapsulate: () => kms.encapsulate(CALL, keyId).then(check("encapsulate")),
    decapsulate: () => kms.decapsulate(CALL, keyId, vaultCiphertext, null).then(check("decapsulate")),
    rewrap: () => kms.rewrap(CALL, keyId, vaultEnvelope, AAD).then(check("rewrap")),
    datakey: () => kms.dataKey(CALL, keyId, { plaintext: true, aad: AAD }).then(check("datakey")),
  };
  const bare: Record<string, () => unknown> = {
    encrypt: encaps,
    decrypt: decaps,
    encapsulate: encaps,
    decapsulate: decaps,
    rewrap: () => {
      decaps();
      return encaps();
    },
    datakey: () => {
      crypto.getRandomValues(new Uint8Array(32));
      return encaps();
    },
  };
  const fixture: Fixture = {};
  for (const op of ["encrypt", "decrypt", "encapsulate", "decapsulate", "rewrap", "datakey"] as const) {
    fixture[op] = { vault: vault[op], provider: local[op], native: native[op], noble: bare[op] };
  }
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

export async function prepareSlowSign(algorithm: SignatureAlgorithmName, kms: Env["KMS"]): Promise<void> {
  slowTenants++;
  const call: CallContext = { tenantId: `00000000-0000-4000-8000-${(0xbe0c0000 + slowTenants).toString(16).padStart(12, "0")}`, placement: "default", apiKeyId: "bench", requestId: "bench" };
  const keyId = await createVaultKey(kms, call, algorithm);
  unwrap("summary", await kms.vaultSummary(call));
  slowSignKeys.push({ call, keyId });
}

/** One provider's local sign and verify (hedged, no context), `signature` reused when given. */
async function localDsa(p: CryptoProvider, algorithm: SignatureAlgorithmName, seed: Uint8Array, signature: Uint8Array | null) {
  const pair = await p.deriveKeyPair(algorithm, seed);
  const made = signature ?? (await p.sign(pair.privateKey, { message: MESSAGE }));
  return {
    sign: () => p.sign(pair.privateKey, { message: MESSAGE }),
    verify: () =>
      p.verify(algorithm, pair.publicKey, { message: MESSAGE }, made).then((v) => {
        if (!v) throw new Error(`${p.name} verify: invalid`);
      }),
  };
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
  const seed = slh ? noble.secretKey.slice() : provider.generateSeed(algorithm);
  const local = await localDsa(provider, algorithm, seed, slh ? nobleSignature : null);
  // SLH-DSA is never native: the Web Crypto provider would only repeat the noble one.
  const native = slh ? undefined : await localDsa(webcrypto, algorithm, seed, null);
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
      provider: local.sign,
      ...(native ? { native: native.sign } : {}),
      noble: () => bare.sign(MESSAGE, noble.secretKey),
    },
    verify: {
      vault: () => kms.verify(CALL, keyId, { message: MESSAGE }, vaultSignature, null).then(check("verify")),
      provider: local.verify,
      ...(native ? { native: native.verify } : {}),
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

/**
 * HMAC keys: the vault; each provider with the same stored-length key (provider: @noble/hashes,
 * native: Web Crypto HMAC); noble: the bare @noble/hashes call. verify-mac checks a valid tag.
 */
async function macFixture(algorithm: MacAlgorithmName, kms: Env["KMS"]): Promise<Fixture> {
  const keyId = await createVaultKey(kms, CALL, algorithm);
  const vaultTag = unwrap("mac", await kms.mac(CALL, keyId, MESSAGE)).mac;
  const raw = provider.generateSeed(algorithm);
  const local = async (p: CryptoProvider) => {
    const handle = await p.importMacKey(algorithm, raw);
    const tag = await p.mac(handle, MESSAGE);
    return {
      mac: () => p.mac(handle, MESSAGE),
      verify: () =>
        p.verifyMac(handle, MESSAGE, tag).then((v) => {
          if (!v) throw new Error(`${p.name} verify-mac: invalid`);
        }),
    };
  };
  const [mine, native] = await Promise.all([local(provider), local(webcrypto)]);
  const bare = MACS[algorithm];
  if (!bare) throw new Error(`no bare HMAC for ${algorithm}`);
  const bareTag = bare(raw, MESSAGE);
  // A batch: the same message BATCH_ITEMS times in one call, every item checked.
  const items = Array.from({ length: BATCH_ITEMS }, () => ({ message: MESSAGE }));
  const batchMac = async () => {
    const results = unwrap("batch", await kms.batch(CALL, keyId, { operation: "mac", items }));
    if (results.length !== BATCH_ITEMS || results.some((r) => !r.ok)) throw new Error("batch mac: an item failed");
  };
  return {
    "batch-mac": { vault: batchMac },
    mac: { vault: () => kms.mac(CALL, keyId, MESSAGE).then(check("mac")), provider: mine.mac, native: native.mac, noble: () => bare(raw, MESSAGE) },
    "verify-mac": {
      vault: () => kms.verifyMac(CALL, keyId, MESSAGE, vaultTag, null).then(check("verify-mac")),
      provider: mine.verify,
      native: native.verify,
      // The bare call recomputes and compares (in constant time, as mac.ts does).
      noble: () => {
        const again = bare(raw, MESSAGE);
        let diff = again.length ^ bareTag.length;
        for (let i = 0; i < again.length; i++) diff |= (again[i] as number) ^ (bareTag[i] as number);
        if (diff !== 0) throw new Error("noble verify-mac: invalid");
      },
    },
  };
}

function makeFixture(algorithm: string, kms: Env["KMS"]): Promise<Fixture> {
  if (algorithm in KEMS) return kemFixture(algorithm as KemAlgorithmName, kms);
  if (algorithm in SIGNERS) return dsaFixture(algorithm as SignatureAlgorithmName, kms);
  if ((AEADS as readonly string[]).includes(algorithm)) return aeadFixture(algorithm as AeadAlgorithmName, kms);
  if (algorithm in MACS) return macFixture(algorithm as MacAlgorithmName, kms);
  throw new Error(`algorithm: ${algorithm}`);
}

export function fixture(algorithm: string, kms: Env["KMS"]): Promise<Fixture> {
  let f = fixtures.get(algorithm);
  if (!f) {
    f = makeFixture(algorithm, kms);
    f.catch(() => fixtures.delete(algorithm));
    fixtures.set(algorithm, f);
  }
  return f;
}
