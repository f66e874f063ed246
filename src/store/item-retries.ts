import { sleep } from '../common/backoff.ts';
import { postBulk, type BulkItemResult } from './bulk-request.ts';
import type { BulkItemError } from '../documents/dead-letter.ts';
import { ElasticsearchUnavailableError, classifyItemFailure, writeRefused } from './elasticsearch-errors.ts';
import type { ElasticsearchStore } from './elasticsearch-store.ts';

/**
 * What becomes of one failed item of a `_bulk` answer, for every writer alike: sent again later
 * (`retry`), set aside by the caller because the document itself is at fault (`dead-letter`), or
 * the error that fails the write, which says what the operator can do.
 */
export type ItemOutcome = 'retry' | 'dead-letter' | Error;

/** `retries`: how many times this item was sent again already. `what` names whose documents they are. */
export function itemOutcome(
  store: ElasticsearchStore,
  item: { status: number; error: BulkItemError },
  target: { index: string; what: string; retries: number },
): ItemOutcome {
  const verdict = classifyItemFailure(item.status, item.error);
  if (verdict === 'dead-letter') return verdict;
  if (verdict === 'fatal') return writeRefused(target.index, item.status, item.error);
  if (target.retries < store.itemRetries) return 'retry';
  return new ElasticsearchUnavailableError(
    `Elasticsearch kept refusing ${target.what} (${item.error.type}) after ${store.itemRetries} retries: ` +
      'the cluster is overloaded. Raise --bulk-retries, lower --bulk-concurrency or --concurrency, ' +
      'or give the cluster more capacity; the next run writes them again.',
    {
      index: target.index,
      status: item.status,
      errorType: item.error.type,
      attempts: target.retries + 1,
    },
  );
}

/** One action of a small `_bulk` request: its NDJSON lines, newline-terminated. */
export interface BulkAction {
  lines: string;
}

export interface ItemWrite<A extends BulkAction> {
  index: string;
  /** For messages: "dead letters", "executions documents". */
  what: string;
  actions: readonly A[];
}

/**
 * Writes small batches awaited by their caller (dead letters, executions documents): posts the
 * actions, sends the items Elasticsearch pushed back again after the store's item-retry wait, and
 * fails with `itemOutcome`'s error when one is refused for good or outlasts the retries. Returns the
 * actions refused as documents (`dead-letter`), with why, for the caller to deal with.
 */
export async function writeWithItemRetries<A extends BulkAction>(
  store: ElasticsearchStore,
  write: ItemWrite<A>,
): Promise<{ action: A; item: BulkItemResult & { error: BulkItemError } }[]> {
  const refused: { action: A; item: BulkItemResult & { error: BulkItemError } }[] = [];
  let pending = [...write.actions];
  for (let retries = 0; pending.length > 0; retries++) {
    const body = pending.map((action) => action.lines).join('');
    const items = await postBulk(store, body, pending.length);
    const again: A[] = [];
    for (const [i, item] of items.entries()) {
      if (item.error === undefined) continue;
      const failed = { status: item.status, error: item.error };
      const outcome = itemOutcome(store, failed, { index: write.index, what: write.what, retries });
      if (outcome instanceof Error) throw outcome;
      if (outcome === 'retry') again.push(pending[i]!);
      else refused.push({ action: pending[i]!, item: failed });
    }
    pending = again;
    if (pending.length === 0) break;
    const delayMs = store.itemRetryDelay(retries);
    store.logger.debug(
      { index: write.index, documents: pending.length, attempt: retries + 1, delayMs },
      `retrying ${write.what} Elasticsearch was too busy for`,
    );
    await sleep(delayMs);
  }
  return refused;
}
