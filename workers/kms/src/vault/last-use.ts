/**
 * When each key version was last used (architecture §5), kept coarse so that use costs no extra
 * write: a version's `last_used_at` is written at most once a minute, inside the audit transaction
 * the operation writes anyway. This remembers, per version, the time last written; after a restart
 * it is empty, so the first use of each version writes again. Pure: the clock is passed in.
 */

/** How much newer a use must be than the time last written before it is written again. */
export const LAST_USE_GRANULARITY_MS = 60_000;

export class LastUse {
  readonly #written = new Map<string, number>();

  /** Whether a use at `now` should be written. */
  due(keyId: string, version: number, now: number): boolean {
    const last = this.#written.get(`${keyId}#${version}`);
    return last === undefined || now - last >= LAST_USE_GRANULARITY_MS;
  }

  /** Notes a write that committed. */
  written(keyId: string, version: number, at: number): void {
    this.#written.set(`${keyId}#${version}`, at);
  }
}
