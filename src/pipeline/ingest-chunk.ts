import type { IndexNames } from '../config/index-names.ts';
import { performance } from 'node:perf_hooks';
import type { ExecutionContext } from '../documents/shapes.ts';
import type { LogFileFormat } from '../contracts/talend-api.ts';
import { InterruptedError } from '../common/errors.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import type { BulkIndexer, SettledListener } from '../store/bulk-indexer.ts';
import { enrichDeadLetter, parseDeadLetter, type DeadLetterContext } from '../documents/dead-letter.ts';
import type { DeadLetterWriter } from '../store/dead-letters.ts';
import { inWindow, type ChunkWindow } from '../talend/chunk-walk.ts';
import type { LogDownload } from '../talend/presigned-download.ts';
import { DeadLetterBatch } from './dead-letter-batch.ts';
import { decodeBody } from './download/decode.ts';
import { ChunkEnricher } from './enrich/chunk-enricher.ts';
import { talendContext } from '../documents/talend-context.ts';
import { entryTimestamp } from './enrich/timestamp.ts';
import { AccountingError } from './errors.ts';
import { readLog } from './parse/parse-log.ts';
import type { LogRecord } from './parse/parsed-line.ts';

export interface IngestChunkOptions {
  download: LogDownload;
  fileFormat: LogFileFormat;
  context: ExecutionContext;
  chunk: { sequence: number; window: ChunkWindow };
  indexer: BulkIndexer;
  deadLetters: DeadLetterWriter;
  names: IndexNames;
  signal?: AbortSignal;
  logger?: Logger;
  /** See ParseOptions.truncated: the caller's last attempt at a chunk keeps what a cut file holds. */
  truncated?: 'retry' | 'dead-letter';
  /** Hears of each line as Elasticsearch acknowledges it, before the chunk ends (the progress line). */
  onSettled?: SettledListener;
}

export interface ChunkResult {
  /** Entries and malformed lines read from the file. */
  linesRead: number;
  acknowledged: number;
  deadLettered: number;
  /** Entries outside the chunk's window: a neighbouring chunk owns them. */
  skippedOutsideWindow: number;
  /** Decoded bytes read. */
  bytes: number;
  durationMs: number;
  /** Bulk items Elasticsearch pushed back and that were sent again. */
  retries: number;
}

const TIMESTAMP_REASON = 'logTimestamp missing or not a date';

/** A chunk whose file is read to its end: its lines are with the bulk indexer, or set aside. */
export interface ReadChunk {
  /**
   * Resolves once every line read is acknowledged by Elasticsearch, dead-lettered, or skipped as
   * another chunk's, and they add up: only then may a checkpoint move past the chunk.
   */
  settled: Promise<ChunkResult>;
}

/**
 * One chunk's download, streamed into Elasticsearch and awaited until settled: see `readChunk`.
 */
export async function ingestChunk(options: IngestChunkOptions): Promise<ChunkResult> {
  return (await readChunk(options)).settled;
}

/**
 * One chunk's download, streamed into Elasticsearch: decode, parse, enrich, index, each stage pulling
 * from the one before, so a slow Elasticsearch slows the download rather than filling memory.
 * Resolves when the file is read, so that the caller can start on the next chunk while
 * Elasticsearch acknowledges this one's last requests; `settled` says when that is done.
 */
export async function readChunk(options: IngestChunkOptions): Promise<ReadChunk> {
  const { download, context, chunk, signal } = options;
  const logger = options.logger ?? silentLogger;
  const started = performance.now();
  const label = `${context.executionId}#${chunk.sequence}`;
  const where: DeadLetterContext = { talend: talendContext(context), chunk: chunk.sequence };
  if (signal?.aborted) {
    download.body.destroy();
    throw interrupted(label);
  }

  const session = options.indexer.session({ label, context: where, onSettled: options.onSettled });
  const onAbort = () => {
    const error = interrupted(label);
    download.body.destroy(error);
    session.abort(error);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const fail = (error: unknown): never => {
    session.abort(error instanceof Error ? error : new Error(String(error)));
    throw signal?.aborted ? interrupted(label) : error;
  };

  let bytes = 0;
  let linesRead = 0;
  let skippedOutsideWindow = 0;
  const setAside = new DeadLetterBatch(options.deadLetters);

  const enricher = new ChunkEnricher(context, chunk.sequence, options.names);
  let lines: AsyncGenerator<LogRecord[]> | undefined;
  try {
    lines = readLog(decodeBody(download.body, download.contentEncoding), {
      fileFormat: options.fileFormat,
      onBytesRead: (read) => (bytes = read),
      truncated: options.truncated,
      contentType: download.contentType,
    });
    for await (const batch of lines) {
      for (const line of batch) {
        linesRead++;
        if (line.kind === 'malformed') {
          await setAside.add(parseDeadLetter(where, line.position, line.reason, line.raw));
          continue;
        }
        const timestampMs =
          line.kind === 'scanned' ? line.entry.timestampMs : entryTimestamp(line.entry.logTimestamp);
        if (timestampMs === undefined) {
          await setAside.add(enrichDeadLetter(where, line.position, TIMESTAMP_REASON, line.entry));
          continue;
        }
        if (!inWindow(chunk.window, timestampMs)) {
          skippedOutsideWindow++;
          continue;
        }
        const outcome =
          line.kind === 'scanned'
            ? enricher.fromJson(line.entry, line.position)
            : enricher.toDocument(line.entry, timestampMs, line.position);
        if (outcome.kind === 'malformed') {
          await setAside.add(enrichDeadLetter(where, line.position, outcome.reason, line.entry));
          continue;
        }
        await session.add({
          index: outcome.index,
          id: outcome.id,
          serialized: outcome,
          source: line.kind === 'scanned' ? undefined : line.entry,
          sourceBytes: line.kind === 'scanned' ? line.entry : undefined,
          position: line.position,
        });
      }
    }
  } catch (error) {
    await lines?.return(undefined);
    signal?.removeEventListener('abort', onAbort);
    fail(error);
  }

  const settle = async (): Promise<ChunkResult> => {
    try {
      await setAside.flush();
      const indexed = await session.done();
      const result: ChunkResult = {
        linesRead,
        acknowledged: indexed.acknowledged,
        deadLettered: setAside.stored + indexed.deadLettered,
        skippedOutsideWindow,
        bytes,
        durationMs: Math.round(performance.now() - started),
        retries: indexed.retries,
      };
      checkAccounting(result, label);
      logger.debug({ chunk: chunk.sequence, ...result }, 'chunk ingested');
      return result;
    } catch (error) {
      return fail(error);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };
  const settled = settle();
  // The caller awaits it after starting on the next chunk: a failure meanwhile is not unhandled.
  settled.catch(() => undefined);
  return { settled };
}

/** Every line read must be accounted for; anything else would let a checkpoint skip lost lines. */
export function checkAccounting(result: ChunkResult, label: string): void {
  const accounted = result.acknowledged + result.deadLettered + result.skippedOutsideWindow;
  if (accounted !== result.linesRead) {
    throw new AccountingError(
      `Chunk ${label}: ${result.linesRead} lines read but ${accounted} accounted for ` +
        `(${result.acknowledged} indexed, ${result.deadLettered} dead-lettered, ${result.skippedOutsideWindow} skipped)`,
      { chunk: label, ...result },
    );
  }
}

function interrupted(label: string): InterruptedError {
  return new InterruptedError(`Ingestion of chunk ${label} was interrupted`, { chunk: label });
}
