/**
 * Writes stream-v1.json, the stream format's test vectors (docs/stream-format.md "Test vector"):
 * fixed data key, salt and nonce prefix through encryptStream's `random` option (which exists for
 * vectors only), and a wrapped key made by the test key-encryption key with a fixed IV.
 *
 *   node_modules/.bin/node clients/js/test/vectors/make-stream-vectors.ts
 */
import { writeFileSync } from "node:fs";
import { encryptBytes } from "../../src/index.ts";
import { hex, testKeyWrap, unhex } from "../stream/test-key-wrap.ts";

const KEK = unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const KEK_IV = unhex("a0a1a2a3a4a5a6a7a8a9aaab");

/** Hands out the given byte strings in order: data key, salt, nonce prefix. */
function scripted(...values: Uint8Array[]) {
  return (n: number) => {
    const next = values.shift();
    if (next === undefined || next.length !== n) throw new Error(`vector: no scripted ${n} bytes`);
    return new Uint8Array(next);
  };
}

const cases = [
  {
    name: "three chunks with aad",
    data_key: "7f".repeat(16) + "80".repeat(16),
    salt: "5a".repeat(32),
    nonce_prefix: "01020304050607",
    chunk_size: 16,
    aad: hex(new TextEncoder().encode("vector aad")),
    plaintext: hex(new TextEncoder().encode("pqkms stream format, test vector 1")),
  },
  {
    name: "empty plaintext, default chunk size, no aad",
    data_key: "11".repeat(32),
    salt: "22".repeat(32),
    nonce_prefix: "33".repeat(7),
    chunk_size: 65536,
    aad: "",
    plaintext: "",
  },
];

const wrap = await testKeyWrap(KEK, KEK_IV);
const vectors = [];
for (const c of cases) {
  let wrapped: Uint8Array = new Uint8Array(0);
  const ciphertext = await encryptBytes(unhex(c.plaintext), {
    wrapDataKey: async (key, aad) => (wrapped = await wrap.wrapDataKey(key, aad)),
    chunkSize: c.chunk_size,
    aad: unhex(c.aad),
    random: scripted(unhex(c.data_key), unhex(c.salt), unhex(c.nonce_prefix)),
  });
  vectors.push({ ...c, wrapped_key: hex(wrapped), ciphertext: hex(ciphertext) });
}
const out = {
  description: "pqkms stream format v1 (docs/stream-format.md). wrapped_key = iv (12) || AES-256-GCM(kek, iv, aad = 'pqkms-stream-v1 data key' || aad, data_key), a test key standing in for the KMS.",
  kek: hex(KEK),
  kek_iv: hex(KEK_IV),
  vectors,
};
writeFileSync(new URL("./stream-v1.json", import.meta.url), JSON.stringify(out, null, 2) + "\n");
