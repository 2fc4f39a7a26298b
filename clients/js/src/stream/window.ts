/**
 * An ordered window of chunk jobs behind a pull-driven ReadableStream: up to `concurrency` chunks
 * are being encrypted or decrypted at once (Web Crypto runs them off the main thread), and their
 * results are released strictly in order, one per pull. Nothing is read ahead beyond the window, so
 * memory stays bounded by concurrency x chunk size whatever the stream's length, and a slow consumer
 * slows the source (the Streams standard's backpressure: pull runs only while the queue has room).
 */

/**
 * Starts the next job and returns it (boxed: an async function cannot return a bare promise without
 * awaiting it), or null when the input is exhausted. Throwing ends the stream at that position.
 */
export type NextJob = () => Promise<{ job: Promise<Uint8Array> } | null>;

type Settled = { ok: true; value: Uint8Array } | { ok: false; error: unknown };

const settle = (job: Promise<Uint8Array>): Promise<Settled> =>
  job.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 64;

export function checkConcurrency(operation: string, concurrency: number): number {
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw new RangeError(`${operation}: concurrency must be an integer in 1..${MAX_CONCURRENCY}, got ${concurrency}`);
  }
  return concurrency;
}

export function windowedStream(next: NextJob, concurrency: number, stop: (reason: unknown) => Promise<void>): ReadableStream<Uint8Array> {
  const inflight: Promise<Settled>[] = [];
  let exhausted = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        while (!exhausted && inflight.length < concurrency) {
          try {
            const started = await next();
            if (started === null) exhausted = true;
            else inflight.push(settle(started.job));
          } catch (error) {
            // Queued behind the jobs already started, so failures surface in stream order.
            inflight.push(Promise.resolve({ ok: false, error }));
            exhausted = true;
          }
        }
        const head = inflight.shift();
        if (head === undefined) return controller.close();
        const result = await head;
        if (!result.ok) {
          inflight.length = 0;
          await stop(result.error);
          return controller.error(result.error);
        }
        controller.enqueue(result.value);
        if (exhausted && inflight.length === 0) controller.close();
      },
      async cancel(reason) {
        inflight.length = 0;
        exhausted = true;
        await stop(reason);
      },
    },
    { highWaterMark: 1 },
  );
}
