import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import type { ByteString } from '../entry-json.ts';
import { TruncatedLogError } from '../errors.ts';
import { LayoutReader } from './entry-layout.ts';
import { lineFromValue, malformedLine, type LogRecord } from './parsed-line.ts';

const NEWLINE = 0x0a;

/**
 * JSON Lines, straight from the bytes: a line written like the entries before it is sliced by their
 * layout (see EntryLayout); any other is decoded and given to JSON.parse, and teaches the layout of
 * the lines that may follow. A bad line is reported and parsing goes on with the next one; blank
 * lines are not entries and take no position. A broken last line without its newline is a transfer
 * cut short (see TruncatedLogError), unless this is the chunk's last attempt. One batch per read: a
 * hop through an async iterator per line costs as much as reading it.
 */
export async function* parseJsonLines(
  bytes: Readable,
  truncated: 'retry' | 'dead-letter',
): AsyncGenerator<LogRecord[]> {
  const lines = new LineReader(truncated);
  /** The start of a line whose newline has not come yet. */
  let carry: Buffer[] = [];
  for await (const chunk of bytes as AsyncIterable<Buffer>) {
    let start = 0;
    if (carry.length > 0) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        carry.push(chunk);
        continue;
      }
      carry.push(chunk.subarray(0, newline + 1));
      lines.readAll(Buffer.concat(carry), false);
      carry = [];
      start = newline + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) lines.readAll(chunk.subarray(start, last + 1), false);
    if (Math.max(start, last + 1) < chunk.length) carry.push(chunk.subarray(Math.max(start, last + 1)));
    const batch = lines.take();
    if (batch.length > 0) yield batch;
  }
  if (carry.length > 0) {
    lines.readAll(Buffer.concat(carry), true);
    const batch = lines.take();
    if (batch.length > 0) yield batch;
  }
}

/** Turns lines into records, counting positions. */
class LineReader {
  private position = 0;
  private batch: LogRecord[] = [];
  private readonly layouts = new LayoutReader();

  constructor(private readonly truncated: 'retry' | 'dead-letter') {}

  take(): LogRecord[] {
    const batch = this.batch;
    this.batch = [];
    return batch;
  }

  /** Whole lines, each ended by a newline except, when `unterminated`, the last. */
  readAll(bytes: Buffer, unterminated: boolean): void {
    // Only valid UTF-8 may be copied into documents as it is; a read that is not goes the slow way.
    const text: ByteString | undefined = isUtf8(bytes) ? bytes.toString('latin1') : undefined;
    for (let start = 0; start < bytes.length;) {
      let end = text === undefined ? bytes.indexOf(NEWLINE, start) : text.indexOf('\n', start);
      if (end === -1) end = bytes.length;
      const entry = text === undefined ? undefined : this.layouts.read(text, bytes, start);
      if (entry !== undefined && isBlank(text!, entry.textEnd, end)) {
        this.batch.push({ kind: 'scanned', entry, position: this.position++ });
      } else {
        this.parse(
          stripCarriageReturn(bytes.toString('utf8', start, end)),
          unterminated && end === bytes.length,
        );
      }
      start = end + 1;
    }
  }

  private parse(line: string, unterminated: boolean): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (line.trim() === '') return;
      // Only the last line can lack its newline: broken there, the file was most likely cut short.
      if (unterminated && this.truncated === 'retry') {
        throw new TruncatedLogError(
          `The log file ends in the middle of line ${this.position + 1}: ${(error as Error).message}`,
          { position: this.position },
        );
      }
      this.batch.push(malformedLine(this.position++, `invalid JSON: ${(error as Error).message}`, line));
      return;
    }
    this.layouts.learn(value);
    this.batch.push(lineFromValue(value, this.position++));
  }
}

/** Only JSON whitespace in `text[start, end)`. */
function isBlank(text: ByteString, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
