/**
 * The stream format over whole byte arrays, for data that fits in memory: the same bytes
 * encryptStream and decryptStream make and read, collected.
 */
import { decryptStream, type StreamDecryptOptions } from "./decrypt.ts";
import { encryptStream, type StreamEncryptOptions } from "./encrypt.ts";
import { concatBytes } from "./format.ts";

function single(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  return concatBytes(...parts);
}

export function encryptBytes(plaintext: Uint8Array, options: StreamEncryptOptions): Promise<Uint8Array> {
  return collect(encryptStream(single(plaintext), options));
}

/** All or nothing: returns the plaintext only when the whole stream authenticated. */
export function decryptBytes(ciphertext: Uint8Array, options: StreamDecryptOptions): Promise<Uint8Array> {
  return collect(decryptStream(single(ciphertext), options));
}
