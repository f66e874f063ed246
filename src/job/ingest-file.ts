import { createReadStream } from 'node:fs';
import type { BulkSettings } from '../config/config.ts';
import type { ExecutionContext } from '../documents/shapes.ts';
import type { LogFileFormat } from '../contracts/talend-api.ts';
import type { ElasticsearchStore } from '../store/elasticsearch-store.ts';
import { createIndexWriter } from '../store/index-writer.ts';
import { ensureTemplates } from '../store/templates.ts';
import { ingestChunk, type ChunkResult } from '../pipeline/ingest-chunk.ts';

export interface IngestFileOptions {
  taskId: string;
  executionId: string;
  taskName?: string;
  /** Any other context the documents should carry (status, workspace, ...). */
  context?: Partial<ExecutionContext>;
  /** TEXT also reads every JSON shape; JSON refuses a file that is not JSON. */
  fileFormat: LogFileFormat;
  store: ElasticsearchStore;
  /** The bulk settings of the configuration, as `sync` writes with them. */
  bulk: BulkSettings;
  signal?: AbortSignal;
}

/**
 * Indexes a log file already on disk (a download kept from Talend's UI or API) as one chunk owning
 * all its lines: the `ingest-file` command. Gzipped files are recognized by their first bytes,
 * whatever their name. The documents are searchable when it returns: the user looks for them next.
 */
export async function ingestFile(path: string, options: IngestFileOptions): Promise<ChunkResult> {
  const { store } = options;
  await ensureTemplates(store);
  const { indexer, deadLetters } = createIndexWriter(store, options.bulk);
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
      names: store.names,
      signal: options.signal,
      logger: store.logger,
      // A file on disk cannot be downloaded again: a cut tail is dead-lettered, the rest kept.
      truncated: 'dead-letter',
    });
    await store.request('a refresh of the log and dead-letter indices', () =>
      store.client.indices.refresh({
        index: `${store.names.logsPattern},${deadLetters.index}`,
        ignore_unavailable: true,
      }),
    );
    return result;
  } finally {
    await indexer.close();
  }
}
