/**
 * Every list of the API pages with `next_cursor`: a `Paged` walks the pages for the caller, item
 * by item (`for await (const key of client.keys.list())`) or page by page (`.pages()`), fetching
 * each page only when the loop reaches it.
 */
import type { CallOptions } from "./transport.ts";

/** A page of a list: its items under one field, and the cursor of the next page (null at the end). */
export interface Page {
  next_cursor: string | null;
}

/** A list that fetches its pages as it is iterated. */
export class Paged<Item, P extends Page> implements AsyncIterable<Item> {
  readonly #fetchPage: (cursor: string | undefined, options: CallOptions) => Promise<P>;
  readonly #items: (page: P) => Item[];
  readonly #options: CallOptions;

  /** @internal Made by the resource methods. */
  constructor(fetchPage: (cursor: string | undefined, options: CallOptions) => Promise<P>, items: (page: P) => Item[], options: CallOptions) {
    this.#fetchPage = fetchPage;
    this.#items = items;
    this.#options = options;
  }

  /** The pages, in order, each fetched when the previous one has been consumed. */
  async *pages(): AsyncGenerator<P, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.#fetchPage(cursor, this.#options);
      yield page;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** The items of every page, in order. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    for await (const page of this.pages()) yield* this.#items(page);
  }

  /** Every item in one array (fetches every page: for short lists). */
  async toArray(): Promise<Item[]> {
    const all: Item[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}
