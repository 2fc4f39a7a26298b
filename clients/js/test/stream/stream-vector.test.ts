/**
 * The stream format's committed test vectors (clients/js/test/vectors/stream-v1.json, made by
 * make-stream-vectors.ts, printed in docs/stream-format.md): encryption reproduces them byte for byte
 * from the fixed data key, salt and nonce prefix; decryption opens them. Then an independent reader
 * written from docs/stream-format.md alone with node:crypto (OpenSSL's SHA-256, HKDF and AES-256-GCM,
 * no code from src/) opens the vectors and fresh streams, which shows the document is complete;
 * among them a stream whose wrapped key is a real ML-KEM-1024 envelope (over 1.6 KiB of header),
 * sealed by the offline `seal` and unwrapped by @hpke/core.
 */
import { createDecipheriv, createHash, hkdfSync, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { Aes256Gcm, CipherSuite, HkdfSha384 } from "@hpke/core";
import { MlKem1024 } from "@hpke/ml-kem";
import { describe, expect, it } from "vitest";
import { decryptBytes, encryptBytes, seal } from "../../src/index.ts";
import { hex, testKeyWrap, unhex } from "./test-key-wrap.ts";

interface Vector {
  name: string;
  data_key: string;
  salt: string;
  nonce_prefix: string;
  chunk_size: number;
  aad: string;
  plaintext: string;
  wrapped_key: string;
  ciphertext: string;
}
const file = JSON.parse(readFileSync(new URL("../vectors/stream-v1.json", import.meta.url), "utf8")) as { kek: string; kek_iv: string; vectors: Vector[] };
const LABEL = Buffer.from("pqkms-stream-v1 data key");

/** Opens a wrapped data key with the stream's wrap aad (label ‖ caller aad). */
type Unwrap = (wrapped: Buffer, wrapAad: Buffer) => Promise<Buffer>;

/** The test key's unwrap: iv (12) ‖ AES-256-GCM ciphertext ‖ tag. */
function kekUnwrap(kek: Uint8Array): Unwrap {
  return async (wrapped, wrapAad) => {
    const d = createDecipheriv("aes-256-gcm", kek, wrapped.subarray(0, 12));
    d.setAAD(wrapAad);
    d.setAuthTag(wrapped.subarray(wrapped.length - 16));
    return Buffer.concat([d.update(wrapped.subarray(12, wrapped.length - 16)), d.final()]);
  };
}

const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

/** docs/stream-format.md, step by step, with node:crypto. Returns the plaintext or throws. */
async function openPerDocument(stream: Uint8Array, unwrap: Unwrap, aad: Uint8Array): Promise<Uint8Array> {
  const b = Buffer.from(stream);
  if (b.subarray(0, 4).toString("latin1") !== "PQKS" || b[4] !== 1 || b.readUInt16BE(5) !== 1) throw new Error("not a v1 stream");
  const chunkSize = b.readUInt32BE(7);
  const salt = b.subarray(11, 43);
  const noncePrefix = b.subarray(43, 50);
  const n = b.readUInt16BE(50);
  const wrapped = b.subarray(52, 52 + n);
  const body = b.subarray(0, 52 + n);
  const commitment = b.subarray(52 + n, 84 + n);
  const dataKey = await unwrap(wrapped, Buffer.concat([LABEL, aad]));
  const t = createHash("sha256").update(u64(body.length)).update(body).update(u64(aad.length)).update(aad).digest();
  const hkdf = (label: string) => Buffer.from(hkdfSync("sha256", dataKey, salt, Buffer.concat([Buffer.from(label), t]), 32));
  if (!timingSafeEqual(hkdf("pqkms-stream-v1 commit"), commitment)) throw new Error("commitment mismatch");
  const key = hkdf("pqkms-stream-v1 key");
  const out: Buffer[] = [];
  let offset = 84 + n;
  for (let i = 0; ; i++) {
    const rest = b.length - offset;
    const last = rest < chunkSize + 16;
    const len = last ? rest : chunkSize + 16;
    const nonce = Buffer.alloc(12);
    noncePrefix.copy(nonce, 0);
    nonce.writeUInt32BE(i, 7);
    nonce[11] = last ? 1 : 0;
    const d = createDecipheriv("aes-256-gcm", key, nonce);
    d.setAuthTag(b.subarray(offset + len - 16, offset + len));
    out.push(d.update(b.subarray(offset, offset + len - 16)), d.final());
    offset += len;
    if (last) return new Uint8Array(Buffer.concat(out));
  }
}

describe("stream test vectors", () => {
  for (const v of file.vectors) {
    it(`${v.name}: encryption reproduces the vector, decryption opens it`, async () => {
      const wrap = await testKeyWrap(unhex(file.kek), unhex(file.kek_iv));
      const scripted = [v.data_key, v.salt, v.nonce_prefix].map(unhex);
      const ciphertext = await encryptBytes(unhex(v.plaintext), {
        wrapDataKey: wrap.wrapDataKey,
        chunkSize: v.chunk_size,
        aad: unhex(v.aad),
        random: (n) => {
          const next = scripted.shift()!;
          expect(next).toHaveLength(n);
          return next;
        },
      });
      expect(hex(ciphertext)).toBe(v.ciphertext);
      expect(hex(await decryptBytes(unhex(v.ciphertext), { ...wrap, aad: unhex(v.aad) }))).toBe(v.plaintext);
    });

    it(`${v.name}: node:crypto opens it from the document alone`, async () => {
      expect(hex(await openPerDocument(unhex(v.ciphertext), kekUnwrap(unhex(file.kek)), unhex(v.aad)))).toBe(v.plaintext);
    });
  }

  it("node:crypto opens fresh streams of several sizes and refuses a modified one", async () => {
    const kek = crypto.getRandomValues(new Uint8Array(32));
    const wrap = await testKeyWrap(kek);
    const aad = new TextEncoder().encode("independent");
    for (const size of [0, 1, 63, 64, 65, 300]) {
      const plaintext = crypto.getRandomValues(new Uint8Array(size));
      const ct = await encryptBytes(plaintext, { ...wrap, aad, chunkSize: 64 });
      expect(await openPerDocument(ct, kekUnwrap(kek), aad)).toEqual(plaintext);
      if (size === 300) {
        ct[ct.length - 1]! ^= 1;
        await expect(openPerDocument(ct, kekUnwrap(kek), aad)).rejects.toThrow();
      }
    }
  });

  it("node:crypto opens a stream whose header holds an ML-KEM-1024 envelope (over 1 KiB), refuses another aad and a changed salt", async () => {
    // architecture §7's ML-KEM-1024 suite: KEM 0x0042, HKDF-SHA-384, AES-256-GCM.
    const suite = new CipherSuite({ kem: new MlKem1024(), kdf: new HkdfSha384(), aead: new Aes256Gcm() });
    const pair = await suite.kem.generateKeyPair();
    const raw = new Uint8Array(await suite.kem.serializePublicKey(pair.publicKey));
    const publicKey = { algorithm: "ML-KEM-1024" as const, raw, keyId: "0b7e5a53-6f0c-4d8e-9a51-2f4c1d9e7b30", version: 3 };
    // The envelope: header (31, = HPKE info) ‖ enc (1568) ‖ ct (32 + 16), opened here by @hpke/core.
    const hpkeUnwrap: Unwrap = async (wrapped, wrapAad) => {
      const opened = await suite.open({ recipientKey: pair.privateKey, enc: wrapped.subarray(31, 31 + 1568), info: wrapped.subarray(0, 31) }, wrapped.subarray(31 + 1568), wrapAad);
      return Buffer.from(opened);
    };
    const aad = new TextEncoder().encode("order:4711");
    const plaintext = crypto.getRandomValues(new Uint8Array(200));
    const ct = await encryptBytes(plaintext, { wrapDataKey: (dataKey, wrapAad) => seal(publicKey, dataKey, { aad: wrapAad }), aad, chunkSize: 64 });
    const n = Buffer.from(ct).readUInt16BE(50);
    expect(n).toBe(31 + 1568 + 32 + 16);
    expect(84 + n).toBeGreaterThan(1024);
    expect(await openPerDocument(ct, hpkeUnwrap, aad)).toEqual(plaintext);
    await expect(openPerDocument(ct, hpkeUnwrap, new TextEncoder().encode("order:4712"))).rejects.toThrow();
    // A changed salt leaves the envelope intact: only the commitment over T catches it.
    ct[11]! ^= 1;
    await expect(openPerDocument(ct, hpkeUnwrap, aad)).rejects.toThrow("commitment mismatch");
  });
});
