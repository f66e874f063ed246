import type { Readable } from 'node:stream';
import type { LogFileFormat } from '../../contracts/talend-api.ts';
import { detectShape } from './detect-shape.ts';
import { parseJsonDocument } from './json-document.ts';
import { parseJsonLines } from './json-lines.ts';
import type { ParsedLine } from './parsed-line.ts';
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
 * filling memory.
 */
export async function* parseLog(decoded: Readable, options: ParseOptions): AsyncGenerator<ParsedLine[]> {
  const { shape, stream, tap } = await detectShape(decoded, options.fileFormat);
  let lines: AsyncGenerator<ParsedLine[]>;
  switch (shape) {
    case 'empty':
      stream.destroy();
      return;
    case 'array':
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
