/**
 * Exact-size reads from a ReadableStream<Uint8Array>: the source's pieces can be any size (a file
 * read, a network packet, one large buffer); the format needs fixed-size chunks. Holds at most one
 * source piece plus the chunk being assembled, so memory stays bounded by the chunk size and the
 * producer's own piece size.
 */
export class ChunkReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  #pending: Uint8Array = new Uint8Array(0);
  #done = false;

  constructor(source: ReadableStream<Uint8Array>) {
    this.#reader = source.getReader();
  }

  /**
   * Up to `length` bytes, fewer only at the end of the source (0 once it is exhausted). The result
   * may be a view of the producer's buffer when one piece covers it; callers copy before keeping it
   * (Web Crypto copies its input on call, WebCrypto §14.3.1 "get a copy of the buffer source").
   */
  async read(length: number): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#pending.length >= length) return this.#take(length);
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      if (this.#pending.length === 0) {
        if (this.#done) break;
        const { done, value } = await this.#reader.read();
        if (done) {
          this.#done = true;
          break;
        }
        if (!(value instanceof Uint8Array)) throw new TypeError("stream: the source must produce Uint8Array chunks");
        this.#pending = value;
        continue;
      }
      const n = Math.min(length - filled, this.#pending.length);
      out.set(this.#pending.subarray(0, n), filled);
      this.#pending = this.#pending.subarray(n);
      filled += n;
    }
    return filled === length ? out : out.subarray(0, filled);
  }

  #take(length: number): Uint8Array<ArrayBuffer> {
    const piece = this.#pending;
    this.#pending = piece.subarray(length);
    // A piece backed by a SharedArrayBuffer cannot go to Web Crypto as is; copy it then.
    return piece.buffer instanceof ArrayBuffer ? (piece.subarray(0, length) as Uint8Array<ArrayBuffer>) : piece.slice(0, length);
  }

  /** Stops the source: after an error, or when the consumer cancels. */
  async cancel(reason?: unknown): Promise<void> {
    await this.#reader.cancel(reason).catch(() => undefined);
  }
}
