import { Readable } from 'node:stream';
import type { LogFileFormat } from '../../contracts/talend-api.ts';
import { NotALogFileError } from '../errors.ts';

export type LogShape = 'array' | 'wrapped' | 'jsonl' | 'text' | 'empty';

/** Keys that open an object wrapping the entries, as the paging API's answer does. */
const WRAPPER_KEYS = new Set(['data', 'size', 'totalSize', 'totalSizeFiltered', 'nextIndex']);
/** Past this much undecided head, the file is read as JSON Lines and bad lines are reported one by one. */
const MAX_HEAD_BYTES = 64 * 1024;
const FIRST_KEY = /^\{\s*"((?:[^"\\]|\\.)*)"\s*:\s*(\S)?/;

/**
 * What the parser saw of the byte stream: how many bytes, the latest ones (to quote around a syntax
 * error), and which errors came from upstream (download, decompression) rather than from the parser.
 */
export class ByteTap {
  bytes = 0;
  private last: Buffer = Buffer.alloc(0);
  private readonly upstream = new WeakSet<object>();

  see(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.last = chunk;
  }

  tail(maxBytes: number): string {
    return this.last.subarray(Math.max(0, this.last.length - maxBytes)).toString('utf8');
  }

  markUpstream(error: unknown): void {
    if (typeof error === 'object' && error !== null) this.upstream.add(error);
  }

  isUpstream(error: unknown): boolean {
    return typeof error === 'object' && error !== null && this.upstream.has(error);
  }
}

export interface DetectedShape {
  shape: LogShape;
  /** The whole byte stream again, the head included. */
  stream: Readable;
  tap: ByteTap;
}

/**
 * Reads just enough of the head of a decoded log to know its shape, then hands back a stream that
 * replays the head followed by the rest, still pulled on demand.
 */
export async function detectShape(decoded: Readable, fileFormat: LogFileFormat): Promise<DetectedShape> {
  const source = decoded[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const tap = new ByteTap();
  const head: Buffer[] = [];
  let headBytes = 0;
  let shape: LogShape | undefined;
  let complete = false;
  try {
    while (shape === undefined) {
      const next = await source.next();
      complete = next.done === true;
      if (!complete) {
        const chunk = toBuffer(next.value as Buffer | string);
        head.push(chunk);
        headBytes += chunk.length;
      }
      shape = classifyHead(
        Buffer.concat(head, headBytes),
        fileFormat,
        complete || headBytes >= MAX_HEAD_BYTES,
      );
    }
  } catch (error) {
    await source.return?.();
    throw error;
  }
  const stream = Readable.from(replay(head, complete ? undefined : source, tap), { objectMode: false });
  return { shape, stream, tap };
}

async function* replay(head: Buffer[], rest: AsyncIterator<Buffer | string> | undefined, tap: ByteTap) {
  for (const chunk of head) {
    tap.see(chunk);
    yield chunk;
  }
  if (!rest) return;
  try {
    for (;;) {
      const next = await rest.next();
      if (next.done) return;
      const chunk = toBuffer(next.value);
      tap.see(chunk);
      yield chunk;
    }
  } catch (error) {
    tap.markUpstream(error);
    throw error;
  } finally {
    await rest.return?.();
  }
}

/** Undefined while more bytes are needed to decide. `final`: no more bytes will come (or enough were seen). */
export function classifyHead(head: Buffer, fileFormat: LogFileFormat, final: boolean): LogShape | undefined {
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (text === '') return final ? 'empty' : undefined;
  if (text.startsWith('[')) return 'array';
  if (text.startsWith('{')) {
    const match = FIRST_KEY.exec(text);
    if (match?.[2] === undefined) return final ? 'jsonl' : undefined;
    const key = match[1]!;
    return WRAPPER_KEYS.has(key) && (key !== 'data' || match[2] === '[') ? 'wrapped' : 'jsonl';
  }
  if (fileFormat === 'TEXT') return 'text';
  throw new NotALogFileError(
    `The downloaded log is not a JSON log file: it starts with ${JSON.stringify(text.slice(0, 40))}`,
    { bytesRead: head.length },
  );
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}
