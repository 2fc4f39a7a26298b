/**
 * The stream format round trip (docs/stream-format.md): sizes around the chunk boundary, any piece
 * size from the source, the caller's aad, the service-generated data key path, one unwrap per
 * decryption, bounded read-ahead, and the option bounds.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DEFAULT_CHUNK_SIZE, decryptBytes, decryptStream, encryptBytes, encryptStream, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE, StreamDecryptError } from "../../src/index.ts";
import { collect, piecesOf, testKeyWrap } from "./test-key-wrap.ts";

const HEADER = 84;
const TAG = 16;
const random = (n: number) => new Uint8Array(randomBytes(n));

describe("stream round trip", () => {
  const chunk = 64;
  const sizes = { empty: 0, "1 B": 1, "chunk - 1": chunk - 1, chunk, "chunk + 1": chunk + 1, "several chunks": 5 * chunk + 7, "exactly 3 chunks": 3 * chunk };
  for (const [name, size] of Object.entries(sizes)) {
    it(`${name} (${size} B): decrypts to the plaintext, with the documented length`, async () => {
      const wrap = await testKeyWrap();
      const plaintext = random(size);
      const ct = await collect(encryptStream(piecesOf(plaintext, 10), { wrapDataKey: wrap.wrapDataKey, chunkSize: chunk }));
      // Full chunks, then one final chunk that is always shorter than a full one (maybe empty).
      const chunks = Math.floor(size / chunk) + 1;
      expect(ct.length).toBe(HEADER + 60 + size + chunks * TAG);
      const back = await collect(decryptStream(piecesOf(ct, 7), { unwrapDataKey: wrap.unwrapDataKey }));
      expect(back).toEqual(plaintext);
      expect(wrap.unwrapCalls()).toBe(1);
    });
  }

  it("the default chunk size is 64 KiB; a source giving one large piece works", async () => {
    const wrap = await testKeyWrap();
    const plaintext = random(3 * DEFAULT_CHUNK_SIZE + 5);
    const ct = await encryptBytes(plaintext, wrap);
    expect(ct.length).toBe(HEADER + 60 + plaintext.length + 4 * TAG);
    expect(await decryptBytes(ct, wrap)).toEqual(plaintext);
  });

  it("is fresh per stream: the same plaintext twice gives unrelated ciphertexts", async () => {
    const wrap = await testKeyWrap();
    const plaintext = random(100);
    const [a, b] = [await encryptBytes(plaintext, { ...wrap, chunkSize: 16 }), await encryptBytes(plaintext, { ...wrap, chunkSize: 16 })];
    expect(a.length).toBe(b.length);
    expect(Buffer.from(a.subarray(HEADER + 60)).equals(Buffer.from(b.subarray(HEADER + 60)))).toBe(false);
  });

  it("binds the caller's aad: the same aad decrypts, another one or none fails at the data key", async () => {
    const wrap = await testKeyWrap();
    const aad = new TextEncoder().encode("tenant=acme;file=report.pdf");
    const ct = await encryptBytes(random(50), { ...wrap, aad, chunkSize: 16 });
    await expect(decryptBytes(ct, { ...wrap, aad })).resolves.toHaveLength(50);
    for (const other of [new Uint8Array(0), new TextEncoder().encode("tenant=acme;file=other.pdf")]) {
      const error = await decryptBytes(ct, { ...wrap, aad: other }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamDecryptError);
      expect((error as StreamDecryptError).part).toBe("data-key");
    }
  });

  it("a wrapped key sealed for another purpose (without the stream label) does not open", async () => {
    const wrap = await testKeyWrap();
    // A wrapper that ignores the label and seals with the caller's aad alone, as a plain /encrypt would.
    const ct = await encryptBytes(random(20), { wrapDataKey: (k) => wrap.wrapDataKey(k, new Uint8Array(0)), chunkSize: 16 });
    const error = await decryptBytes(ct, wrap).catch((e: unknown) => e);
    expect((error as StreamDecryptError).part).toBe("data-key");
  });

  it("takes a service-generated data key (the /datakey path) and wipes the copy it was given", async () => {
    const wrap = await testKeyWrap();
    let given: Uint8Array | null = null;
    const generateDataKey = async (aad: Uint8Array) => {
      const dataKey = random(32);
      const wrappedKey = await wrap.wrapDataKey(dataKey, aad);
      given = dataKey;
      return { dataKey, wrappedKey };
    };
    const plaintext = random(70);
    const ct = await encryptBytes(plaintext, { generateDataKey, chunkSize: 32 });
    expect(given).toEqual(new Uint8Array(32));
    expect(await decryptBytes(ct, wrap)).toEqual(plaintext);
  });

  it("wipes the copy of the data key it lends to wrapDataKey once the wrap has answered", async () => {
    const wrap = await testKeyWrap();
    let lent: Uint8Array | null = null;
    const ct = await encryptBytes(random(10), {
      wrapDataKey: (dataKey, aad) => {
        lent = dataKey;
        expect(dataKey).not.toEqual(new Uint8Array(32));
        return wrap.wrapDataKey(dataKey, aad);
      },
    });
    expect(lent).toEqual(new Uint8Array(32));
    expect(await decryptBytes(ct, wrap)).toHaveLength(10);
  });

  it("reads ahead no more than its window: an endless source with a slow consumer", async () => {
    const wrap = await testKeyWrap();
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled++;
          controller.enqueue(new Uint8Array(16));
        },
      },
      { highWaterMark: 0 },
    );
    const reader = encryptStream(endless, { ...wrap, chunkSize: 16, concurrency: 2 }).getReader();
    for (let i = 0; i < 4; i++) await reader.read(); // the header and three chunks
    // Three chunks delivered, at most two more being encrypted (one source piece per chunk here).
    expect(pulled).toBeGreaterThanOrEqual(3);
    expect(pulled).toBeLessThanOrEqual(3 + 2);
    await reader.cancel();
  });

  it("refuses options out of bounds before reading anything", async () => {
    const wrap = await testKeyWrap();
    const source = piecesOf(new Uint8Array(1), 1);
    for (const chunkSize of [MIN_CHUNK_SIZE - 1, MAX_CHUNK_SIZE + 1, 100.5, Number.NaN]) {
      expect(() => encryptStream(source, { ...wrap, chunkSize })).toThrow(RangeError);
    }
    expect(() => encryptStream(source, { ...wrap, concurrency: 0 })).toThrow(RangeError);
    expect(() => encryptStream(source, {} as never)).toThrow(TypeError);
    expect(() => decryptStream(source, {} as never)).toThrow(TypeError);
  });

  it("a wrap callback that fails errors the stream with its error", async () => {
    const refused = new Error("kms said no");
    const error = await encryptBytes(random(10), { wrapDataKey: () => Promise.reject(refused) }).catch((e: unknown) => e);
    expect(error).toBe(refused);
  });
});
