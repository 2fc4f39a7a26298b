/**
 * Async work run one at a time, in arrival order, within one Durable Object instance. A failed run
 * rejects its own caller only; the queue goes on with the next.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work, work);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
