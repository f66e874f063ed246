import type { Readable } from 'node:stream';
import type { LogFileFormat } from '../../contracts/talend-api.ts';
import { entryTimestamp } from '../enrich/timestamp.ts';
import { UnreadableLogError } from '../errors.ts';
import { detectShape, type ByteTap, type LogShape } from './detect-shape.ts';
import { scanJsonArray } from './json-array.ts';
import { parseJsonDocument } from './json-document.ts';
import { parseJsonLines } from './json-lines.ts';
import type { LogRecord } from './parsed-line.ts';
import { parseTextLines } from './text-lines.ts';

export interface ParseOptions {
  /** What was asked of Talend; only TEXT lets a non-JSON file through. */
  fileFormat: LogFileFormat;
  /** Told how many decoded bytes were read, once the stream is done with (read through or abandoned). */
  onBytesRead?: (bytesRead: number) => void;
  /**
   * A file that ends mid-JSON: `retry` throws TruncatedLogError so the chunk is downloaded again;
   * `dead-letter` keeps what was read and dead-letters the broken tail (the last attempt). Default `retry`.
   */
  truncated?: 'retry' | 'dead-letter';
  /** The Content-Type the file was served with, to describe a file that cannot be read. */
  contentType?: string;
}

/**
 * The head of a file: its first records, or those within its first bytes. A head without one entry
 * that has a readable timestamp is not a log with a few bad lines but no log at all (an error page,
 * binary data, another kind of file): the file fails once with UnreadableLogError instead of
 * dead-lettering each fragment of it, and nothing of it is indexed.
 */
const HEAD_RECORDS = 100;
const HEAD_BYTES = 1024 * 1024;
/** How much of an unreadable file its error quotes. */
const EXCERPT_CHARS = 120;

/**
 * Decoded log bytes in, entries and malformed lines out, in file order, in batches of what one read
 * of the input produced: pulled on demand, so that a slow consumer slows the download instead of
 * filling memory. Entries the scanner could read without parsing them come as `scanned` records,
 * which the enricher takes as they are.
 */
export async function* readLog(decoded: Readable, options: ParseOptions): AsyncGenerator<LogRecord[]> {
  const { shape, stream, tap } = await detectShape(decoded, options.fileFormat);
  let lines: AsyncGenerator<LogRecord[]>;
  switch (shape) {
    case 'empty':
      stream.destroy();
      return;
    case 'array':
      lines = scanJsonArray(stream, tap, options.truncated ?? 'retry');
      break;
    case 'wrapped':
      lines = parseJsonDocument(stream, shape, tap, options.truncated ?? 'retry');
      break;
    case 'jsonl':
      lines = parseJsonLines(stream, options.truncated ?? 'retry');
      break;
    case 'text':
      lines = parseTextLines(stream);
      break;
  }
  try {
    yield* readableOnly(lines, tap, { ...options, shape });
  } finally {
    options.onBytesRead?.(tap.bytes);
  }
}

/** Holds the records of the head back until it shows an entry, then passes everything on. */
async function* readableOnly(
  lines: AsyncGenerator<LogRecord[]>,
  tap: ByteTap,
  file: ParseOptions & { shape: LogShape },
): AsyncGenerator<LogRecord[]> {
  let head: LogRecord[] | undefined = [];
  for await (const batch of lines) {
    if (head === undefined) {
      yield batch;
      continue;
    }
    head.push(...batch);
    const first = head.findIndex(isReadable);
    if (first !== -1 && first < HEAD_RECORDS) {
      yield head;
      head = undefined;
    } else if (head.length >= HEAD_RECORDS || tap.bytes >= HEAD_BYTES) {
      throw unreadable(head.slice(0, HEAD_RECORDS), tap, file);
    }
  }
  if (head !== undefined && head.length > 0) throw unreadable(head, tap, file);
}

function isReadable(record: LogRecord): boolean {
  if (record.kind === 'scanned') return true;
  return record.kind === 'entry' && entryTimestamp(record.entry.logTimestamp) !== undefined;
}

function unreadable(head: LogRecord[], tap: ByteTap, file: ParseOptions & { shape: LogShape }) {
  const first = head[0]!;
  const problem = first.kind === 'malformed' ? first.reason : 'logTimestamp missing or not a date';
  const text =
    first.kind === 'malformed' ? first.raw : JSON.stringify(first.kind === 'entry' ? first.entry : {});
  // Printable characters only: the excerpt goes into logs and the run summary.
  const excerpt = text.slice(0, EXCERPT_CHARS).replace(/[\p{Cc}\uFFFD]+/gu, ' ');
  return new UnreadableLogError(
    `The downloaded log cannot be read: its first ${head.length} records (read as ${file.shape} ` +
      `from ${file.fileFormat} within ${tap.bytes} bytes) hold no entry with a readable logTimestamp. ` +
      `First problem: ${problem}. It starts with ${JSON.stringify(excerpt)}`,
    {
      shape: file.shape,
      fileFormat: file.fileFormat,
      contentType: file.contentType,
      records: head.length,
      bytesRead: tap.bytes,
      firstProblem: problem,
    },
  );
}
