/** Talend's list endpoints cap `limit` at 100. */
export const PAGE_LIMIT = 100;

import { TalendApiError } from './errors.ts';

export interface OffsetPage<T> {
  items?: T[];
  total?: number;
  /** The offset the server says it answered from. */
  offset?: number;
}

/**
 * Walks an offset/limit listing one page at a time, as the consumer asks. `total` decides the end
 * when the server gives it (a server may cap pages below our limit); otherwise a short page does.
 * Returns `cut` when more items remain at `maxOffset`, which it does not page past. A server that
 * answers another offset than the one asked would have the walk repeat its first page forever:
 * that is an error.
 */
export async function* paginate<T>(
  operation: string,
  fetchPage: (offset: number, limit: number) => Promise<OffsetPage<T>>,
  maxOffset = Number.POSITIVE_INFINITY,
): AsyncGenerator<T, 'complete' | 'cut'> {
  for (let offset = 0; ;) {
    if (offset >= maxOffset) return 'cut';
    const page = await fetchPage(offset, PAGE_LIMIT);
    if (typeof page.offset === 'number' && page.offset !== offset) {
      throw new TalendApiError(
        `Talend ${operation} answered offset ${page.offset} when asked for offset ${offset}: the listing cannot be paged safely.`,
        { operation },
      );
    }
    const items = page.items ?? [];
    yield* items;
    offset += items.length;
    if (items.length === 0) return 'complete';
    if (typeof page.total === 'number' ? offset >= page.total : items.length < PAGE_LIMIT) return 'complete';
  }
}
