/**
 * What the head of a downloaded log file is: its outer shape, its first entries and the type of
 * their `logTimestamp`. Pure, and independent of the connector's parser: the probe reports what
 * Talend sends, not what the pipeline makes of it.
 */
import { entryTimestamp } from '../pipeline/enrich/timestamp.ts';
import { epochMs, SMALLEST_EPOCH_MS } from '../common/epoch.ts';

/** `object`: a JSON object holding the array of entries under `arrayKey`. */
export type FileShape = 'array' | 'jsonl' | 'object' | 'text' | 'empty' | 'unknown';

export interface FileHead {
  shape: FileShape;
  arrayKey?: string;
  /** The complete entries of the head, in file order. */
  entries: Record<string, unknown>[];
}

export type TimestampKind =
  'epoch-ms' | 'epoch-seconds' | 'numeric-string' | 'iso-string' | 'other' | 'missing';

const GZIP_MAGIC = [0x1f, 0x8b];
const MEMBER_VALUE = /\s*:\s*(\[)?/y;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const NUMERIC = /^-?\d+(?:\.\d+)?$/;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * `text` is the decoded head of the file; `complete` says whether it is the whole file (else its
 * last, possibly cut, entry is left out).
 */
export function readFileHead(text: string, complete: boolean): FileHead {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body === '') return { shape: 'empty', entries: [] };
  if (body.startsWith('[')) return { shape: 'array', entries: parseItems(body, 1) };
  if (!body.startsWith('{')) return { shape: 'text', entries: [] };
  const firstLine = parseObject(body.slice(0, lineEnd(body)));
  const member = entriesMember(body);
  const wrapped = member !== undefined && (firstLine === undefined || !('logTimestamp' in firstLine));
  if (wrapped) return { shape: 'object', arrayKey: member.key, entries: member.items };
  if (firstLine === undefined) return { shape: 'unknown', entries: [] };
  const lines = body.split('\n');
  if (!complete) lines.pop();
  const entries = lines.map(parseObject).filter((entry) => entry !== undefined);
  return { shape: 'jsonl', entries };
}

export function classifyTimestamp(value: unknown): TimestampKind {
  if (value === undefined || value === null) return 'missing';
  if (typeof value === 'number') return value < SMALLEST_EPOCH_MS ? 'epoch-seconds' : 'epoch-ms';
  if (typeof value !== 'string') return 'other';
  if (NUMERIC.test(value)) return 'numeric-string';
  return ISO_DATE_TIME.test(value) && entryTimestamp(value) !== undefined ? 'iso-string' : 'other';
}

/** The instant a `logTimestamp` of any of these kinds names, in epoch ms. */
export function timestampMs(value: unknown): number | undefined {
  const kind = classifyTimestamp(value);
  if (kind === 'iso-string') return entryTimestamp(value);
  if (kind !== 'epoch-ms' && kind !== 'epoch-seconds' && kind !== 'numeric-string') return undefined;
  return epochMs(Number(value));
}

function lineEnd(text: string): number {
  const end = text.indexOf('\n');
  return end < 0 ? text.length : end;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Index of the quote closing the string that opens at `start`; -1 when the head cuts it. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

/**
 * The member of the outer object that holds the entries, by the connector's rule: the first array
 * whose first object has a `logTimestamp`; failing that, the first array.
 */
function entriesMember(text: string): { key: string; items: Record<string, unknown>[] } | undefined {
  let first: { key: string; items: Record<string, unknown>[] } | undefined;
  for (const member of arrayMembers(text)) {
    const found = { key: member.key, items: parseItems(text, member.start) };
    if (found.items[0] !== undefined && 'logTimestamp' in found.items[0]) return found;
    first ??= found;
  }
  return first;
}

/** The members of the outer object whose value is an array, and where each array's items start. */
function* arrayMembers(text: string): Generator<{ key: string; start: number }> {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return;
      MEMBER_VALUE.lastIndex = end + 1;
      const value = depth === 1 ? MEMBER_VALUE.exec(text) : null;
      if (value?.[1] !== undefined) {
        yield { key: JSON.parse(text.slice(i, end + 1)) as string, start: MEMBER_VALUE.lastIndex };
      }
      i = end;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
}

/** The complete objects of the array whose items start at `start`, up to its end or the head's. */
function parseItems(text: string, start: number): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  let depth = 0;
  let itemStart = -1;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = stringEnd(text, i);
      if (i < 0) break;
    } else if (c === '{' || c === '[') {
      if (depth === 0) itemStart = i;
      depth++;
    } else if (c === '}' || c === ']') {
      if (depth === 0) break;
      depth--;
      const item = depth === 0 && c === '}' ? parseObject(text.slice(itemStart, i + 1)) : undefined;
      if (item !== undefined) items.push(item);
    }
  }
  return items;
}
