import type { Readable } from 'node:stream';
import { TruncatedLogError } from '../errors.ts';
import { splitLines } from './line-splitter.ts';
import { lineFromValue, malformedLine, type ParsedLine } from './parsed-line.ts';

/**
 * JSON Lines: one JSON.parse per line. A bad line is reported and parsing goes on with the next one;
 * blank lines are not entries and take no position. A broken last line without its newline is a
 * transfer cut short (see TruncatedLogError), unless this is the chunk's last attempt.
 */
export async function* parseJsonLines(
  bytes: Readable,
  truncated: 'retry' | 'dead-letter',
): AsyncGenerator<ParsedLine[]> {
  let position = 0;
  let unterminated = false;
  const onUnterminatedLine = () => (unterminated = true);
  for await (const lines of splitLines(bytes, onUnterminatedLine)) {
    const batch: ParsedLine[] = [];
    for (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        if (line.trim() === '') continue;
        // Only the last line can lack its newline: broken there, the file was most likely cut short.
        if (unterminated && truncated === 'retry') {
          throw new TruncatedLogError(
            `The log file ends in the middle of line ${position + 1}: ${(error as Error).message}`,
            { position },
          );
        }
        batch.push(malformedLine(position++, `invalid JSON: ${(error as Error).message}`, line));
        continue;
      }
      batch.push(lineFromValue(value, position++));
    }
    if (batch.length > 0) yield batch;
  }
}
