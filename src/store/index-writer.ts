import type { BulkSettings } from '../config/config.ts';
import { BulkIndexer } from './bulk-indexer.ts';
import { DeadLetterWriter } from './dead-letters.ts';
import type { ElasticsearchStore } from './elasticsearch-store.ts';

/** Where `sync`, `ingest-file` and the replay write: log lines through the indexer, refused ones as dead letters. */
export interface IndexWriter {
  indexer: BulkIndexer;
  deadLetters: DeadLetterWriter;
}

/**
 * The bulk indexer and its dead-letter writer on one store, under the configured bulk settings: a
 * dead letter gets the same retries as the line it stands for.
 */
export function createIndexWriter(store: ElasticsearchStore, bulk: BulkSettings): IndexWriter {
  const deadLetters = new DeadLetterWriter(store);
  const indexer = new BulkIndexer(store, {
    flushBytes: bulk.flushBytes,
    concurrency: bulk.concurrency,
    deadLetters,
  });
  return { indexer, deadLetters };
}
