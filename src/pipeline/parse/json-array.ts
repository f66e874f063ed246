import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { fromByteString, type ByteString } from '../entry-json.ts';
import type { ByteTap } from './detect-shape.ts';
import { flatObjectEnd, LayoutReader } from './entry-layout.ts';
import { parseJsonDocument, type Resumption } from './json-document.ts';
import { lineFromValue, type LogRecord } from './parsed-line.ts';

/** The byte order mark, as a ByteString. */
const BOM = '\xef\xbb\xbf';

/** What the reader consumed last. */
type State = 'start' | 'open' | 'comma' | 'entry' | 'close';

/** Why a pass over the bytes read so far stopped. */
type Stop = 'more' | 'entry-cut' | 'unusual';

/**
 * A top-level array, read straight from the bytes for as long as its entries are flat, compactly
 * written objects: entries written like the ones before are sliced by their layout (see
 * EntryLayout), others are parsed alone and teach their layout. From the first thing this reader
 * does not handle (a nested value, spaced-out JSON, a syntax error, a file cut short), the rest of
 * the file is handed to stream-json (`parseJsonDocument`), which reads any JSON and reports every
 * problem as it always has: the usual file is read fast, every other one exactly as before.
 */
export async function* scanJsonArray(
  bytes: Readable,
  tap: ByteTap,
  truncated: 'retry' | 'dead-letter',
): AsyncGenerator<LogRecord[]> {
  const source = bytes[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const reader = new ArrayReader();
  let pieces: Buffer[] = [];
  let piecesBytes = 0;
  /** After an entry ran past the bytes read, wait for twice as many: a huge entry is not rescanned per read. */
  let retryAt = 0;
  /** What is left once the reader stops: handed to stream-json, unless it is the array's end. */
  let rest: Buffer = Buffer.alloc(0);
  let handedOver = false;
  try {
    for (let ended = false; !ended;) {
      const next = await source.next();
      if (next.done) {
        // What is left was last read before more bytes came: read it once more, as it ends here.
        ended = true;
        if (reader.isComplete(Buffer.concat(pieces, piecesBytes))) return;
      } else {
        pieces.push(next.value);
        piecesBytes += next.value.length;
        if (piecesBytes < retryAt) continue;
      }
      const pending = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, piecesBytes);
      const { records, consumed, stop } = reader.read(pending);
      if (records.length > 0) yield records;
      const left = pending.subarray(consumed);
      rest = left;
      if (stop === 'unusual') break;
      pieces = left.length > 0 ? [left] : [];
      piecesBytes = left.length;
      retryAt = stop === 'entry-cut' ? 2 * piecesBytes : 0;
    }
    if (reader.isComplete(rest)) return;
    handedOver = true;
    const resumption: Resumption = { entries: reader.entries, placeholder: reader.entries > 0 };
    const head = Buffer.concat([Buffer.from(reader.prefix()), rest]);
    const replayed = Readable.from(replay(head, source), { objectMode: false });
    yield* parseJsonDocument(replayed, 'array', tap, truncated, resumption);
  } finally {
    // Read to the end, or given up by the consumer: the download must not be left open.
    if (!handedOver) await source.return?.();
  }
}

/** The array's tokens, entry after entry, across reads. */
class ArrayReader {
  entries = 0;
  private state: State = 'start';
  private readonly layouts = new LayoutReader();

  /** Everything read from `pending` and where it stopped; bytes from `consumed` on are read again. */
  read(pending: Buffer): { records: LogRecord[]; consumed: number; stop: Stop } {
    const limit = completeUtf8Length(pending);
    const whole = pending.subarray(0, limit);
    // Only valid UTF-8 may be copied into documents as it is.
    if (!isUtf8(whole)) return { records: [], consumed: 0, stop: 'unusual' };
    const text = whole.toString('latin1');
    const records: LogRecord[] = [];
    let consumed = 0;
    for (;;) {
      const i = skipSpace(text, this.state === 'start' && text.startsWith(BOM) ? BOM.length : consumed);
      if (i >= limit) return { records, consumed, stop: 'more' };
      const c = text[i];
      if (this.state === 'start' || this.state === 'entry' || this.state === 'close') {
        if (this.state === 'start' && c === '[') this.state = 'open';
        else if (this.state === 'entry' && c === ',') this.state = 'comma';
        else if (this.state === 'entry' && c === ']') this.state = 'close';
        else return { records, consumed, stop: 'unusual' };
        consumed = i + 1;
        continue;
      }
      if (this.state === 'open' && c === ']') {
        this.state = 'close';
        consumed = i + 1;
        continue;
      }
      const read = this.entryAt(text, whole, i);
      if (read === undefined) return { records, consumed, stop: mayBeCut(text, i) ? 'entry-cut' : 'unusual' };
      records.push(read.record);
      this.state = 'entry';
      consumed = read.end;
    }
  }

  /** The bytes left at the end hold nothing but the array's closing, already read. */
  isComplete(rest: Buffer): boolean {
    return this.state === 'close' && skipSpace(rest.toString('latin1'), 0) === rest.length;
  }

  /**
   * What stands for the part of the array already read, so that stream-json judges the rest in the
   * same place: `[0` is the last entry read (see Resumption).
   */
  prefix(): string {
    switch (this.state) {
      case 'start':
        return '';
      case 'open':
        return '[';
      case 'comma':
        return '[0,';
      case 'entry':
        return '[0';
      case 'close':
        return this.entries > 0 ? '[0]' : '[]';
    }
  }

  /** The entry at `start` and where it ends, if it is a flat, compactly written object. */
  private entryAt(
    text: ByteString,
    bytes: Buffer,
    start: number,
  ): { record: LogRecord; end: number } | undefined {
    const entry = this.layouts.read(text, bytes, start);
    if (entry !== undefined) {
      return { record: { kind: 'scanned', entry, position: this.entries++ }, end: entry.textEnd };
    }
    const end = flatObjectEnd(text, start);
    if (end === -1) return undefined;
    const value: unknown = JSON.parse(fromByteString(text.slice(start, end)));
    this.layouts.learn(value);
    return { record: lineFromValue(value, this.entries++), end };
  }
}

/** An entry this reader cannot hold whole is left to stream-json, which streams its strings. */
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;

/**
 * Whether the entry at `start` that matched nothing may simply be cut off by the end of what was
 * read so far. A flat, compactly written entry holds no raw newline: one after `start` means the
 * entry ended before it, unmatched, and more bytes will not change that.
 */
function mayBeCut(text: ByteString, start: number): boolean {
  return (
    text.charCodeAt(start) === 0x7b && text.length - start < MAX_ENTRY_BYTES && !text.includes('\n', start)
  );
}

function skipSpace(text: ByteString, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/**
 * The length of `bytes` without a character cut off at its end, which the next read completes: only
 * what is wholly there can be checked for valid UTF-8.
 */
function completeUtf8Length(bytes: Buffer): number {
  const length = bytes.length;
  for (let back = 1; back <= 3 && back <= length; back++) {
    const byte = bytes[length - back]!;
    if (byte < 0x80) return length;
    if (byte >= 0xc0) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return needed > back ? length - back : length;
    }
  }
  return length;
}

async function* replay(head: Buffer, source: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield head;
    for (let next = await source.next(); !next.done; next = await source.next()) yield next.value;
  } finally {
    await source.return?.();
  }
}
