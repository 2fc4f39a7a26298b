/**
 * A wrap/unwrap pair for the stream tests, from a TEST KEY (a fixed AES-256 key-encryption key in
 * this process), standing in for the KMS: wrapped = iv (12) ‖ AES-256-GCM(kek, iv, aad, data key).
 * It enforces the aad as the service does, so the tests also show the wrapped key's binding to the
 * stream label and the caller's aad. Real KMS wiring (offline seal, /encrypt, /datakey) is the CLI's.
 */
import type { UnwrapDataKey, WrapDataKey } from "../../src/index.ts";

export const TEST_KEK_SOURCE = "test key: AES-256-GCM key-encryption key held by the test process";

export interface TestKeyWrap {
  wrapDataKey: WrapDataKey;
  unwrapDataKey: UnwrapDataKey;
  /** How many times unwrap was called: decryption must call it exactly once. */
  unwrapCalls: () => number;
}

export async function testKeyWrap(kekBytes: Uint8Array = crypto.getRandomValues(new Uint8Array(32)), fixedIv?: Uint8Array): Promise<TestKeyWrap> {
  const kek = await crypto.subtle.importKey("raw", new Uint8Array(kekBytes), "AES-GCM", false, ["encrypt", "decrypt"]);
  let calls = 0;
  return {
    async wrapDataKey(dataKey, aad) {
      const iv = fixedIv ? new Uint8Array(fixedIv) : crypto.getRandomValues(new Uint8Array(12));
      const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new Uint8Array(aad) }, kek, new Uint8Array(dataKey)));
      const out = new Uint8Array(12 + ct.length);
      out.set(iv);
      out.set(ct, 12);
      return out;
    },
    async unwrapDataKey(wrapped, aad) {
      calls++;
      const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv: new Uint8Array(wrapped.subarray(0, 12)), additionalData: new Uint8Array(aad) }, kek, new Uint8Array(wrapped.subarray(12)));
      return new Uint8Array(pt);
    },
    unwrapCalls: () => calls,
  };
}

/** A ReadableStream over `bytes` in pieces of `piece` bytes (the shape a file or socket gives). */
export function piecesOf(bytes: Uint8Array, piece: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream(
    {
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + piece));
        offset += piece;
      },
    },
    { highWaterMark: 0 },
  );
}

export async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
export const unhex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
