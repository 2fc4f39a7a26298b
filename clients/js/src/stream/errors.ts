/**
 * The one error a stream decryption fails with (docs/stream-format.md "What fails"). Whatever went
 * wrong, the stream errors with it and releases nothing more; `part` says where, for a message a
 * person can act on, never why cryptographically (a modified chunk, a reordered one and one from
 * another stream look the same to AES-GCM).
 */

/**
 * - `header`: not a stream of this format, a bound out of range, or the header's commitment does not
 *   match (a header byte changed, another aad, or a wrapped key that is not this stream's);
 * - `data-key`: the unwrap callback failed (its error is the `cause`) or gave other than 32 bytes;
 * - `chunk`: chunk `chunk` does not authenticate (modified, reordered, from another stream, cut inside
 *   it, or followed by extra bytes);
 * - `truncated`: the input ends inside the header or after a full chunk, before the final chunk.
 */
export type StreamFailure = "header" | "data-key" | "chunk" | "truncated";

export class StreamDecryptError extends Error {
  override readonly name = "StreamDecryptError";
  readonly part: StreamFailure;
  /** The 0-based index of the chunk that failed, for `chunk` and `truncated` after the header. */
  readonly chunk: number | null;

  constructor(part: StreamFailure, message: string, options: { chunk?: number; cause?: unknown } = {}) {
    super(`stream decrypt: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.part = part;
    this.chunk = options.chunk ?? null;
  }
}
