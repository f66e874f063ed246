import { intParam } from './query-params.ts';

const MAX_LIMIT = 100;

export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
  total: number;
}

/** `offset` (>= 0) and `limit` (1..100, default 100) over `found`, as the processing and orchestration APIs page. */
export function paginate<T, V>(query: URLSearchParams, found: readonly T[], view: (item: T) => V): Page<V> {
  const offset = intParam(query, 'offset', { min: 0 }) ?? 0;
  const limit = intParam(query, 'limit', { min: 1, max: MAX_LIMIT }) ?? MAX_LIMIT;
  return { items: found.slice(offset, offset + limit).map(view), limit, offset, total: found.length };
}
