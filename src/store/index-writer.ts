import type { Client } from '@elastic/elasticsearch';
import type { BulkSettings } from '../config/config.ts';
import type { Logger } from '../observability/logger.ts';
import { BulkIndexer } from './bulk-indexer.ts';
import { DeadLetterWriter } from './dead-letters.ts';

/** Where `sync` and `ingest-file` write: log lines through the indexer, refused ones as dead letters. */
export interface IndexWriter {
  indexer: BulkIndexer;
  deadLetters: DeadLetterWriter;
}

export interface IndexWriterSettings {
  indexPrefix: string;
  bulk: BulkSettings;
}

/**
 * The bulk indexer and its dead-letter writer under one prefix and the configured bulk settings: a
 * dead letter gets the same retries as the line it stands for.
 */
export function createIndexWriter(
  client: Client,
  settings: IndexWriterSettings,
  logger: Logger,
): IndexWriter {
  const { flushBytes, concurrency, maxRetries } = settings.bulk;
  const deadLetters = new DeadLetterWriter(client, { prefix: settings.indexPrefix, maxRetries, logger });
  const indexer = new BulkIndexer(client, {
    flushBytes,
    concurrency,
    maxRetries,
    deadLetters,
    logger,
  });
  return { indexer, deadLetters };
}
