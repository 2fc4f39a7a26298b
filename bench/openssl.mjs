// The vault benchmark's `openssl` path (bench/vault.mjs): ML-KEM and ML-DSA through Node 24's
// node:crypto, i.e. OpenSSL 3.5, timed in the driver process in the same rounds as the workerd paths.
import { cpuUsage } from "node:process";
import { decapsulate, encapsulate, generateKeyPairSync, sign, verify } from "node:crypto";

/**
 * The `openssl` path: ML-KEM and ML-DSA through node:crypto (OpenSSL 3.5) in this process, the same
 * inputs as the Worker's (64-byte message of 9s, hedged signing). Timed here, so no request cost is
 * subtracted; its CPU figure is this process's (process.cpuUsage), not workerd's.
 */
const OPENSSL_MESSAGE = Buffer.alloc(64, 9);
const opensslFixtures = new Map();
function opensslStep(algorithm, op) {
  const type = algorithm.toLowerCase();
  if (!opensslFixtures.has(type)) {
    const { publicKey, privateKey } = generateKeyPairSync(type);
    const made = type.startsWith("ml-kem") ? encapsulate(publicKey).ciphertext : sign(null, OPENSSL_MESSAGE, privateKey);
    opensslFixtures.set(type, { publicKey, privateKey, made });
  }
  const f = opensslFixtures.get(type);
  return {
    encapsulate: () => encapsulate(f.publicKey),
    decapsulate: () => decapsulate(f.privateKey, f.made),
    sign: () => sign(null, OPENSSL_MESSAGE, f.privateKey),
    verify: () => {
      if (!verify(null, OPENSSL_MESSAGE, f.publicKey, f.made)) throw new Error("openssl verify: invalid");
    },
  }[op];
}
const OPENSSL_OPS = new Set(["encapsulate", "decapsulate", "sign", "verify"]);
export const hasOpenssl = (c) => /^ML-(KEM|DSA)-\d+$/.test(c.algorithm) && OPENSSL_OPS.has(c.op);

export function localBatch(body) {
  const step = opensslStep(body.algorithm, body.op);
  const c0 = cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < body.n; i++) step();
  const outer = performance.now() - t0;
  const c = cpuUsage(c0);
  return { outer, cpu: (c.user + c.system) / 1000, wait: 0, innerPerf: outer, innerDate: outer };
}

