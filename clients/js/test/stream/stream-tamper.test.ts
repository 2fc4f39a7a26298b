/**
 * The stream format's tamper matrix (docs/stream-format.md "What fails"): every change fails closed
 * with a StreamDecryptError naming the part, and only chunks before the failing one (each already
 * authenticated) are ever released.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptStream, encryptBytes, StreamDecryptError, type StreamFailure } from "../../src/index.ts";
import { piecesOf, testKeyWrap, type TestKeyWrap } from "./test-key-wrap.ts";

const CHUNK = 32;
const SEALED = CHUNK + 16;
const HEADER = 84 + 60; // 84 fixed bytes + the test wrapper's 60-byte wrapped key
// 100 B in 32 B chunks: chunks 0-2 full (48 B each on the wire), chunk 3 final (4 B + tag = 20 B).
const PLAINTEXT = new Uint8Array(randomBytes(100));
const chunkStart = (i: number) => HEADER + i * SEALED;

interface Outcome {
  released: Uint8Array;
  error: unknown;
}

async function decryptUntilError(ct: Uint8Array, wrap: TestKeyWrap): Promise<Outcome> {
  const reader = decryptStream(piecesOf(ct, 13), { unwrapDataKey: wrap.unwrapDataKey }).getReader();
  const parts: number[] = [];
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(...r.value);
    return { released: new Uint8Array(parts), error: null };
  } catch (error) {
    return { released: new Uint8Array(parts), error };
  }
}

async function expectFailure(ct: Uint8Array, wrap: TestKeyWrap, part: StreamFailure, chunk: number | null) {
  const { released, error } = await decryptUntilError(ct, wrap);
  expect(error).toBeInstanceOf(StreamDecryptError);
  expect({ part: (error as StreamDecryptError).part, chunk: (error as StreamDecryptError).chunk }).toEqual({ part, chunk });
  // Only whole chunks before the failure, each authenticated, were released.
  expect(released).toEqual(PLAINTEXT.subarray(0, Math.min(PLAINTEXT.length, (chunk ?? 0) * CHUNK)));
}

const flip = (ct: Uint8Array, at: number, bit = 0) => {
  const out = ct.slice();
  out[at]! ^= 1 << bit;
  return out;
};
const cat = (...parts: Uint8Array[]) => new Uint8Array(parts.flatMap((p) => [...p]));

async function setup() {
  const wrap = await testKeyWrap();
  const ct = await encryptBytes(PLAINTEXT, { wrapDataKey: wrap.wrapDataKey, chunkSize: CHUNK });
  expect(ct.length).toBe(chunkStart(3) + 4 + 16);
  return { wrap, ct };
}

describe("stream tamper matrix", () => {
  it("the untouched stream decrypts (the baseline every case below changes)", async () => {
    const { wrap, ct } = await setup();
    expect(await decryptUntilError(ct, wrap)).toEqual({ released: PLAINTEXT, error: null });
  });

  it("a flipped bit anywhere in the header fails at the header or the data key, before any chunk", async () => {
    const { wrap, ct } = await setup();
    // Where each header byte sits (docs/stream-format.md "Layout") and what a flip there breaks.
    const expected = (at: number): StreamFailure[] => {
      if (at < 11) return ["header"]; // magic, version, algorithm, chunk size
      if (at < 50) return ["header"]; // salt, nonce prefix: commitment mismatch
      if (at < 52) return ["data-key", "truncated", "header"]; // wrapped-key length: misframed
      if (at < HEADER - 32) return ["data-key"]; // the wrapped key no longer opens
      return ["header"]; // the commitment itself
    };
    for (let at = 0; at < HEADER; at++) {
      // Bit 7 too where a field is a length: a large change, not only an off-by-one.
      for (const bit of (at >= 7 && at < 11) || at === 50 || at === 51 ? [0, 7] : [0]) {
        const { released, error } = await decryptUntilError(flip(ct, at, bit), wrap);
        expect(error, `byte ${at} bit ${bit}`).toBeInstanceOf(StreamDecryptError);
        expect(expected(at), `byte ${at} bit ${bit}`).toContain((error as StreamDecryptError).part);
        expect(released).toHaveLength(0);
      }
    }
  });

  it("a flipped bit in each chunk's ciphertext and in each tag fails at that chunk", async () => {
    const { wrap, ct } = await setup();
    const lengths = [SEALED, SEALED, SEALED, 20];
    for (let i = 0; i < 4; i++) {
      await expectFailure(flip(ct, chunkStart(i)), wrap, "chunk", i); // first ciphertext byte
      await expectFailure(flip(ct, chunkStart(i) + lengths[i]! - 1, 3), wrap, "chunk", i); // last tag byte
    }
  });

  it("truncation at a chunk boundary fails as truncated, inside a chunk as that chunk", async () => {
    const { wrap, ct } = await setup();
    await expectFailure(ct.subarray(0, 50), wrap, "truncated", null); // inside the header
    await expectFailure(ct.subarray(0, HEADER - 1), wrap, "truncated", null);
    for (let i = 0; i < 3; i++) await expectFailure(ct.subarray(0, chunkStart(i)), wrap, "truncated", i);
    // Dropping the final chunk is the boundary case at chunk 3.
    await expectFailure(ct.subarray(0, chunkStart(3)), wrap, "truncated", 3);
    await expectFailure(ct.subarray(0, chunkStart(1) + 20), wrap, "chunk", 1); // looks like a short final chunk
    await expectFailure(ct.subarray(0, chunkStart(1) + 5), wrap, "chunk", 1); // shorter than a tag
    await expectFailure(ct.subarray(0, ct.length - 1), wrap, "chunk", 3);
  });

  it("reordered chunks fail at the first one out of place", async () => {
    const { wrap, ct } = await setup();
    const c = (i: number) => ct.subarray(chunkStart(i), chunkStart(i + 1));
    await expectFailure(cat(ct.subarray(0, HEADER), c(1), c(0), ct.subarray(chunkStart(2))), wrap, "chunk", 0);
    await expectFailure(cat(ct.subarray(0, chunkStart(1)), c(2), c(1), ct.subarray(chunkStart(3))), wrap, "chunk", 1);
    // A full chunk moved to the end, as if it were final: its flag byte differs.
    await expectFailure(cat(ct.subarray(0, chunkStart(3)), c(2)), wrap, "chunk", 3);
  });

  it("a chunk from another stream fails, under another data key and under the same one", async () => {
    const { wrap, ct } = await setup();
    const other = await encryptBytes(PLAINTEXT, { wrapDataKey: wrap.wrapDataKey, chunkSize: CHUNK });
    const swapped = cat(ct.subarray(0, chunkStart(1)), other.subarray(chunkStart(1), chunkStart(2)), ct.subarray(chunkStart(2)));
    await expectFailure(swapped, wrap, "chunk", 1);

    // Two streams under one data key (a caller that reuses a /datakey result): the per-stream salt
    // still gives each its own chunk key, so chunks do not move between them either.
    const dataKey = new Uint8Array(randomBytes(32));
    const sameKey = async () =>
      encryptBytes(PLAINTEXT, { generateDataKey: async (aad) => ({ dataKey: dataKey.slice(), wrappedKey: await wrap.wrapDataKey(dataKey, aad) }), chunkSize: CHUNK });
    const [a, b] = [await sameKey(), await sameKey()];
    expect(await decryptUntilError(a, wrap)).toEqual({ released: PLAINTEXT, error: null });
    for (const i of [0, 2, 3]) {
      const end = i === 3 ? a.length : chunkStart(i + 1);
      await expectFailure(cat(a.subarray(0, chunkStart(i)), b.subarray(chunkStart(i), end), a.subarray(end)), wrap, "chunk", i);
    }
    // The other stream's header in front of this stream's chunks: a valid header, the wrong chunk key.
    await expectFailure(cat(b.subarray(0, HEADER), a.subarray(HEADER)), wrap, "chunk", 0);
  });

  it("bytes appended after the final chunk fail at the final chunk", async () => {
    const { wrap, ct } = await setup();
    for (const extra of [1, 16, SEALED, 3 * SEALED]) await expectFailure(cat(ct, new Uint8Array(extra)), wrap, "chunk", 3);
    const empty = await encryptBytes(new Uint8Array(0), { wrapDataKey: wrap.wrapDataKey, chunkSize: CHUNK });
    const { error } = await decryptUntilError(cat(empty, Uint8Array.of(0)), wrap);
    expect((error as StreamDecryptError).part).toBe("chunk");
    expect((await decryptUntilError(empty.subarray(0, HEADER), wrap)).error).toMatchObject({ part: "truncated", chunk: 0 });
  });

  it("a stream opened with a different key-encryption key fails at the data key, with the cause", async () => {
    const { ct } = await setup();
    const stranger = await testKeyWrap();
    const { error } = await decryptUntilError(ct, stranger);
    expect(error).toMatchObject({ part: "data-key" });
    expect((error as StreamDecryptError).cause).toBeInstanceOf(Error);
  });
});
