import { createReadStream } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import type { ExecutionContext } from '../contracts/documents.ts';
import type { LogFileFormat } from '../contracts/talend-api.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { createIndexWriter, type IndexWriterSettings } from '../store/index-writer.ts';
import { ensureTemplates } from '../store/templates.ts';
import { ingestChunk, type ChunkResult } from './ingest-chunk.ts';

export interface IngestFileOptions {
  taskId: string;
  executionId: string;
  taskName?: string;
  /** Any other context the documents should carry (status, workspace, ...). */
  context?: Partial<ExecutionContext>;
  /** TEXT also reads every JSON shape; JSON refuses a file that is not JSON. */
  fileFormat: LogFileFormat;
  client: Client;
  /** The index prefix and bulk settings of the configuration, as `sync` writes with them. */
  settings: IndexWriterSettings;
  /** Make the documents searchable before returning. */
  refresh?: boolean;
  signal?: AbortSignal;
  logger?: Logger;
}

/**
 * Indexes a log file already on disk (a download kept from Talend's UI or API) as one chunk owning
 * all its lines: the `ingest-file` command. Gzipped files are recognized by their first bytes,
 * whatever their name.
 */
export async function ingestFile(path: string, options: IngestFileOptions): Promise<ChunkResult> {
  const prefix = options.settings.indexPrefix;
  const logger = options.logger ?? silentLogger;
  await ensureTemplates(options.client, { prefix, logger });
  const { indexer, deadLetters } = createIndexWriter(options.client, options.settings, logger);
  try {
    const result = await ingestChunk({
      download: {
        body: createReadStream(path),
      },
      fileFormat: options.fileFormat,
      context: {
        ...options.context,
        taskId: options.taskId,
        executionId: options.executionId,
        taskName: options.taskName ?? options.context?.taskName,
      },
      chunk: { sequence: 0, window: {} },
      indexer,
      deadLetters,
      indexPrefix: prefix,
      signal: options.signal,
      logger,
      // A file on disk cannot be downloaded again: a cut tail is dead-lettered, the rest kept.
      truncated: 'dead-letter',
    });
    if (options.refresh)
      await options.client.indices.refresh({
        index: `${prefix}-logs-*,${deadLetters.index}`,
        ignore_unavailable: true,
      });
    return result;
  } finally {
    await indexer.close();
  }
}
