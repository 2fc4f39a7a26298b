/**
 * A bounded LRU of decoded private keys (architecture §8: decoded key objects may be cached in DO
 * memory). It only saves the unwrap and key expansion: callers re-read the key's state from
 * storage on every operation, so a disabled or destroyed key is never served from here.
 * Evicted handles are destroyed (zeroed).
 */
import type { KeyHandle } from "../crypto/provider.ts";

export class KeyCache<H extends KeyHandle = KeyHandle> {
  readonly #entries = new Map<string, H>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  static slot(keyId: string, version: number): string {
    return `${keyId}#${version}`;
  }

  get(keyId: string, version: number): H | undefined {
    const slot = KeyCache.slot(keyId, version);
    const handle = this.#entries.get(slot);
    if (!handle) return undefined;
    if (!handle.usable) {
      this.#entries.delete(slot);
      return undefined;
    }
    this.#entries.delete(slot);
    this.#entries.set(slot, handle);
    return handle;
  }

  set(keyId: string, version: number, handle: H): void {
    const slot = KeyCache.slot(keyId, version);
    const previous = this.#entries.get(slot);
    if (previous && previous !== handle) previous.destroy();
    this.#entries.delete(slot);
    this.#entries.set(slot, handle);
    while (this.#entries.size > this.#capacity) {
      const [oldest, evicted] = this.#entries.entries().next().value as [string, H];
      this.#entries.delete(oldest);
      evicted.destroy();
    }
  }

  /** Drops and zeroes one cached version (on that version's destruction). */
  evict(keyId: string, version: number): void {
    const slot = KeyCache.slot(keyId, version);
    this.#entries.get(slot)?.destroy();
    this.#entries.delete(slot);
  }

  /** Drops and zeroes every cached version of a key (on destroy). */
  evictKey(keyId: string): void {
    for (const [slot, handle] of this.#entries) {
      if (slot.startsWith(`${keyId}#`)) {
        this.#entries.delete(slot);
        handle.destroy();
      }
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
