/**
 * The stream format's committed test vectors (clients/js/test/vectors/stream-v1.json, made by
 * make-stream-vectors.ts, printed in docs/stream-format.md): encryption reproduces them byte for byte
 * from the fixed data key, salt and nonce prefix; decryption opens them. Then an independent reader
 * written from docs/stream-format.md alone with node:crypto (OpenSSL's HKDF and AES-256-GCM, no code
 * from src/) opens the vectors and fresh streams, which shows the document is complete.
 */
import { createDecipheriv, hkdfSync, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decryptBytes, encryptBytes } from "../../src/index.ts";
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

/** docs/stream-format.md, step by step, with node:crypto. Returns the plaintext or throws. */
function openPerDocument(stream: Uint8Array, kek: Uint8Array, aad: Uint8Array): Uint8Array {
  const b = Buffer.from(stream);
  if (b.subarray(0, 4).toString("latin1") !== "PQKS" || b[4] !== 1 || b.readUInt16BE(5) !== 1) throw new Error("not a v1 stream");
  const chunkSize = b.readUInt32BE(7);
  const salt = b.subarray(11, 43);
  const noncePrefix = b.subarray(43, 50);
  const n = b.readUInt16BE(50);
  const wrapped = b.subarray(52, 52 + n);
  const body = b.subarray(0, 52 + n);
  const commitment = b.subarray(52 + n, 84 + n);
  // The test key's unwrap: iv (12) ‖ AES-256-GCM ciphertext ‖ tag, aad = label ‖ caller aad.
  const unwrap = createDecipheriv("aes-256-gcm", kek, wrapped.subarray(0, 12));
  unwrap.setAAD(Buffer.concat([LABEL, aad]));
  unwrap.setAuthTag(wrapped.subarray(wrapped.length - 16));
  const dataKey = Buffer.concat([unwrap.update(wrapped.subarray(12, wrapped.length - 16)), unwrap.final()]);
  const hkdf = (label: string) => Buffer.from(hkdfSync("sha256", dataKey, salt, Buffer.concat([Buffer.from(label), body, aad]), 32));
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

    it(`${v.name}: node:crypto opens it from the document alone`, () => {
      expect(hex(openPerDocument(unhex(v.ciphertext), unhex(file.kek), unhex(v.aad)))).toBe(v.plaintext);
    });
  }

  it("node:crypto opens fresh streams of several sizes and refuses a modified one", async () => {
    const kek = crypto.getRandomValues(new Uint8Array(32));
    const wrap = await testKeyWrap(kek);
    const aad = new TextEncoder().encode("independent");
    for (const size of [0, 1, 63, 64, 65, 300]) {
      const plaintext = crypto.getRandomValues(new Uint8Array(size));
      const ct = await encryptBytes(plaintext, { ...wrap, aad, chunkSize: 64 });
      expect(openPerDocument(ct, kek, aad)).toEqual(plaintext);
      if (size === 300) {
        ct[ct.length - 1]! ^= 1;
        expect(() => openPerDocument(ct, kek, aad)).toThrow();
      }
    }
  });
});
