import type { Readable } from 'node:stream';
import { splitLines } from './line-splitter.ts';
import { lineFromValue, malformedLine, type ParsedLine } from './parsed-line.ts';

/**
 * JSON Lines: one JSON.parse per line. A bad line is reported and parsing goes on with the next one;
 * blank lines are not entries and take no position.
 */
export async function* parseJsonLines(bytes: Readable): AsyncGenerator<ParsedLine[]> {
  let position = 0;
  for await (const lines of splitLines(bytes)) {
    const batch: ParsedLine[] = [];
    for (const line of lines) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        if (line.trim() === '') continue;
        batch.push(malformedLine(position++, `invalid JSON: ${(error as Error).message}`, line));
        continue;
      }
      batch.push(lineFromValue(value, position++));
    }
    if (batch.length > 0) yield batch;
  }
}
