/** Talend's list endpoints cap `limit` at 100. */
export const PAGE_LIMIT = 100;

export interface OffsetPage<T> {
  items?: T[];
  total?: number;
}

/**
 * Walks an offset/limit listing one page at a time, as the consumer asks. `total` decides the end
 * when the server gives it (a server may cap pages below our limit); otherwise a short page does.
 * Returns `cut` when more items remain at `maxOffset`, which it does not page past.
 */
export async function* paginate<T>(
  fetchPage: (offset: number, limit: number) => Promise<OffsetPage<T>>,
  maxOffset = Number.POSITIVE_INFINITY,
): AsyncGenerator<T, 'complete' | 'cut'> {
  for (let offset = 0; ;) {
    if (offset >= maxOffset) return 'cut';
    const page = await fetchPage(offset, PAGE_LIMIT);
    const items = page.items ?? [];
    yield* items;
    offset += items.length;
    if (items.length === 0) return 'complete';
    if (typeof page.total === 'number' ? offset >= page.total : items.length < PAGE_LIMIT) return 'complete';
  }
}
