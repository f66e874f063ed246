import { Readable } from 'node:stream';
import type { LogFileFormat } from '../../contracts/talend-api.ts';
import { UnreadableLogError } from '../errors.ts';

export type LogShape = 'array' | 'wrapped' | 'jsonl' | 'text' | 'empty';

/** Past this much undecided head, the file is read as JSON Lines and bad lines are reported one by one. */
const MAX_HEAD_BYTES = 64 * 1024;

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

/**
 * Undefined while more bytes are needed to decide. `final`: no more bytes will come (or enough were
 * seen). Only a head that is clearly JSON entries is read as JSON: `[` then an object (or `]`), or
 * `{` then a key. Anything else is a text log when TEXT was asked for, even a line that starts with
 * `[` (`[main] INFO …`, `[2021-09-01 07:01:45] …`); when JSON was, it is no log at all unless it
 * opens like JSON.
 */
export function classifyHead(head: Buffer, fileFormat: LogFileFormat, final: boolean): LogShape | undefined {
  const text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (text === '') return final ? 'empty' : undefined;
  const json = text.startsWith('[')
    ? arrayHead(text, final)
    : text.startsWith('{')
      ? objectHead(text, final)
      : 'none';
  if (json !== 'none') return json;
  if (fileFormat === 'TEXT') return 'text';
  // JSON was asked for: what opens like JSON is read as JSON, and fails in readLog if it holds no entry.
  if (text.startsWith('[')) return 'array';
  if (text.startsWith('{')) return 'jsonl';
  throw new UnreadableLogError(
    `The downloaded log is not a JSON log file: it starts with ${JSON.stringify(text.slice(0, 40))}`,
    { bytesRead: head.length },
  );
}

type JsonHead = 'array' | 'wrapped' | 'jsonl' | 'none' | undefined;

function arrayHead(text: string, final: boolean): JsonHead {
  const next = nextToken(text, 1);
  if (next === undefined) return final ? 'array' : undefined;
  return next === '{' || next === ']' ? 'array' : 'none';
}

/**
 * An object is either the first entry of a JSON Lines file, or the whole file wrapping the array of
 * entries (see `EntriesPicker` in json-document.ts for which member that is). It is an entry when it has a
 * `logTimestamp` member, or when another value follows it; it wraps the entries when one of its
 * members is an array of objects, or when it is alone in the file and holds an array (an empty one:
 * a file without entries). Only the members of the object itself are looked at, not nested ones.
 */
function objectHead(text: string, final: boolean): JsonHead {
  const first = nextToken(text, 1);
  if (first === undefined) return final ? 'jsonl' : undefined;
  if (first !== '"' && first !== '}') return 'none';
  let depth = 0;
  let expectKey = false;
  let holdsArray = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end === -1) break;
      if (depth === 1 && expectKey && text.slice(i, end) === '"logTimestamp"') return 'jsonl';
      expectKey = false;
      i = end - 1;
    } else if (c === '{' || c === '[') {
      if (depth === 1 && c === '[') {
        holdsArray = true;
        const element = nextToken(text, i + 1);
        if (element === undefined) break;
        if (element === '{') return 'wrapped';
      }
      depth++;
      expectKey = c === '{' && depth === 1;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) {
        const after = nextToken(text, i + 1);
        if (after !== undefined) return 'jsonl';
        if (!final) return undefined;
        return holdsArray ? 'wrapped' : 'jsonl';
      }
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  if (!final) return undefined;
  return holdsArray ? 'wrapped' : 'jsonl';
}

/** The first character at or after `from` that is not JSON whitespace. */
function nextToken(text: string, from: number): string | undefined {
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t') return c;
  }
  return undefined;
}

/** The index just past the JSON string opening at `start`, or -1 if it is cut off. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}
