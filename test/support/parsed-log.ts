import type { Readable } from 'node:stream';
import { readLog, type ParseOptions } from '../../src/pipeline/parse/parse-log.ts';
import type { ParsedLine } from '../../src/pipeline/parse/parsed-line.ts';

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
