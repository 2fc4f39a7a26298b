/**
 * Bytes in, bytes out: applications hand the client `Uint8Array` (or a string, taken as UTF-8) and
 * get `Uint8Array` back; base64 (RFC 4648 §4) exists only on the wire. The codec is the service's
 * own (workers/shared/base64.ts), bundled in, so both ends read and write the same form.
 */
import { fromBase64, toBase64 } from "../../../../workers/shared/base64.ts";
import { invalidResponse } from "./errors.ts";

/** Binary input: bytes as they are, or a string encoded as UTF-8. */
export type Bytes = Uint8Array | string;

const encoder = new TextEncoder();

/** The bytes of `input` (a string becomes its UTF-8 encoding). */
export function toBytes(input: Bytes): Uint8Array {
  if (typeof input === "string") return encoder.encode(input);
  if (input instanceof Uint8Array) return input;
  throw new TypeError("expected a Uint8Array or a string");
}

/** `input` as base64 for a request body. */
export const b64 = (input: Bytes): string => toBase64(toBytes(input));

/** A base64 field of an answer as bytes; an undecodable one is an invalid response. */
export function unb64(text: unknown, field: string): Uint8Array {
  const bytes = typeof text === "string" ? fromBase64(text) : undefined;
  if (bytes === undefined) throw invalidResponse(`the field ${field} is not base64`);
  return bytes;
}

/** `value` with the named base64 fields replaced by their bytes. */
export function decodeFields<T extends object, K extends keyof T & string>(value: T, fields: readonly K[]): WithBytes<T, K> {
  const out = { ...value } as Record<string, unknown>;
  for (const field of fields) {
    if (out[field] !== undefined) out[field] = unb64(out[field], field);
  }
  return out as WithBytes<T, K>;
}

/** A wire type whose base64 fields `K` are bytes. */
export type WithBytes<T, K extends keyof T> = Omit<T, K> & {
  [P in K as undefined extends T[P] ? never : P]: Uint8Array;
} & { [P in K as undefined extends T[P] ? P : never]?: Uint8Array };
