import type { Readable } from 'node:stream';
import type { LogFileFormat } from '../../contracts/talend-api.ts';
import { detectShape } from './detect-shape.ts';
import { scanJsonArray } from './json-array.ts';
import { parseJsonDocument } from './json-document.ts';
import { parseJsonLines } from './json-lines.ts';
import type { LogRecord, ParsedLine } from './parsed-line.ts';
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
}

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
    yield* lines;
  } finally {
    options.onBytesRead?.(tap.bytes);
  }
}

/** `readLog` with every entry as an object, the way JSON.parse gives it. */
export async function* parseLog(decoded: Readable, options: ParseOptions): AsyncGenerator<ParsedLine[]> {
  for await (const records of readLog(decoded, options)) {
    yield records.map((record) =>
      record.kind === 'scanned'
        ? { kind: 'entry', entry: record.entry.original().toObject(), position: record.position }
        : record,
    );
  }
}
