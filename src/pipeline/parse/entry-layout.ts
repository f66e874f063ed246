import { epochMs } from '../../common/epoch.ts';
import { MAX_TIMESTAMP_MS } from '../enrich/timestamp.ts';
import { ScannedEntry, TEXT_FIELDS, toByteString, type ByteString } from '../entry-json.ts';

/**
 * A JSON string exactly as JSON.stringify writes it: no raw control character, and only the escapes
 * it uses (`\"`, `\\`, the short forms, `\u00xx` in lower case for the other control characters).
 * Valid JSON such as `\/` or `\u00e9` does not match: its entry takes the object path.
 */
const STRING = String.raw`"[^"\\\x00-\x1f]*(?:\\(?:["\\bfnrt]|u00(?:0[0-7bef]|1[0-9a-f]))[^"\\\x00-\x1f]*)*"`;
/** Integers a double holds exactly, written the way JSON.stringify writes them back. */
const INTEGER = String.raw`(?:0|-?[1-9]\d{0,14})`;
const TIMESTAMP = String.raw`(?:0|[1-9]\d{0,14})`;
const SCALAR = `(?:${STRING}|${INTEGER}|true|false|null)`;
const FLAT_OBJECT = new RegExp(String.raw`\{(?:${STRING}:${SCALAR}(?:,${STRING}:${SCALAR})*)?\}`, 'y');
/** Layouts compiled so far, by signature; a bound keeps odd files from growing it. */
const LAYOUTS = new Map<string, EntryLayout>();
const MAX_LAYOUTS = 256;
const TIMESTAMP_ROLE = -1;
/** Roles from this one up are extras: role - EXTRA_ROLE is the extra's place in sorted key order. */
const EXTRA_ROLE = 100;

/**
 * How the entries of a log are written, learned from one of them: the keys in their order, and what
 * each holds (the timestamp, a text field, another field). Compiled into a regular expression that
 * matches the next entry written the same way, validates it and slices out its fields in one pass of
 * V8's regex engine; an entry it matches is one `JSON.parse` would read into the same values, each
 * of which `JSON.stringify` would write back byte for byte as sliced.
 */
class EntryLayout {
  /** The capture group of the timestamp. */
  private readonly timestampGroup: number;

  private constructor(
    private readonly pattern: RegExp,
    /** Per capture group, in order: TIMESTAMP_ROLE, a TEXT_FIELDS index, or EXTRA_ROLE + rank. */
    private readonly roles: number[],
    /** Per extra in sorted key order: its key's JSON and a colon. */
    private readonly extraKeys: ByteString[],
  ) {
    this.timestampGroup = roles.indexOf(TIMESTAMP_ROLE) + 1;
  }

  /** The layout of a parsed entry, or undefined if its entries must take the object path anyway. */
  static of(entry: Record<string, unknown>): EntryLayout | undefined {
    const keys = Object.keys(entry);
    const roles: number[] = [];
    const extras: string[] = [];
    for (const key of keys) {
      const value = entry[key];
      const field = (TEXT_FIELDS as readonly string[]).indexOf(key);
      if (key === 'logTimestamp') {
        if (!Number.isSafeInteger(value) || (value as number) < 0) return undefined;
        roles.push(TIMESTAMP_ROLE);
      } else if (field >= 0) {
        if (typeof value !== 'string') return undefined;
        roles.push(field);
      } else {
        // `__proto__` is an own key after JSON.parse but not after assignment; JavaScript lists
        // array-index keys first whatever the sort: both would serialize otherwise than sliced.
        if (key === '__proto__' || /^\d/.test(key) || !isScalar(value)) return undefined;
        extras.push(key);
        roles.push(EXTRA_ROLE);
      }
    }
    if (!roles.includes(TIMESTAMP_ROLE)) return undefined;
    const sorted = [...extras].sort();
    let extra = 0;
    const parts = keys.map((key, k) => {
      if (roles[k] === EXTRA_ROLE) roles[k] = EXTRA_ROLE + sorted.indexOf(extras[extra++]!);
      const value = roles[k] === TIMESTAMP_ROLE ? TIMESTAMP : roles[k]! < EXTRA_ROLE ? STRING : SCALAR;
      return `${escapeRegExp(toByteString(JSON.stringify(key)))}:(${value})`;
    });
    const signature = parts.join(',') + roles.join(',');
    let layout = LAYOUTS.get(signature);
    if (layout === undefined) {
      layout = new EntryLayout(
        new RegExp(String.raw`\{${parts.join(',')}\}`, 'y'),
        roles,
        sorted.map((key) => `${toByteString(JSON.stringify(key))}:`),
      );
      if (LAYOUTS.size < MAX_LAYOUTS) LAYOUTS.set(signature, layout);
    }
    return layout;
  }

  /** The entry written this way at `start` of `text`, or undefined. `text` is `bytes` as a ByteString. */
  read(text: ByteString, bytes: Buffer, start: number): ScannedEntry | undefined {
    const pattern = this.pattern;
    pattern.lastIndex = start;
    const match = pattern.exec(text);
    if (match === null) return undefined;
    // Read as `entryTimestamp` reads the same number: an entry gets one `_id` whichever path reads it.
    const timestampMs = epochMs(Number(match[this.timestampGroup]));
    if (timestampMs >= MAX_TIMESTAMP_MS) return undefined;
    const entry = new ScannedEntry(timestampMs, bytes, start, pattern.lastIndex);
    const roles = this.roles;
    let extras: ByteString[] | undefined;
    for (let k = 0; k < roles.length; k++) {
      const role = roles[k]!;
      if (role === TIMESTAMP_ROLE) continue;
      if (role < EXTRA_ROLE) entry.setField(role, match[k + 1]!);
      else (extras ??= [])[role - EXTRA_ROLE] = this.extraKeys[role - EXTRA_ROLE] + match[k + 1]!;
    }
    if (extras !== undefined) entry.extra = `{${extras.join(',')}}`;
    return entry;
  }
}

/**
 * The end of the flat, compactly written object of scalars at `start` (the shape of a log entry), or
 * -1: how far an entry goes when no layout matched it.
 */
export function flatObjectEnd(text: ByteString, start: number): number {
  FLAT_OBJECT.lastIndex = start;
  return FLAT_OBJECT.test(text) ? FLAT_OBJECT.lastIndex : -1;
}

/**
 * The layouts one log has shown so far, most recently used first: logs switch between a few (an
 * optional field here and there).
 */
export class LayoutReader {
  private layouts: EntryLayout[] = [];

  read(text: ByteString, bytes: Buffer, start: number): ScannedEntry | undefined {
    const layouts = this.layouts;
    for (let k = 0; k < layouts.length; k++) {
      const entry = layouts[k]!.read(text, bytes, start);
      if (entry === undefined) continue;
      if (k > 0) layouts.unshift(...layouts.splice(k, 1));
      return entry;
    }
    return undefined;
  }

  /** An entry read the slow way: the next ones may well be written like it. */
  learn(value: unknown): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    const layout = EntryLayout.of(value as Record<string, unknown>);
    if (layout === undefined || this.layouts.includes(layout)) return;
    this.layouts.unshift(layout);
    if (this.layouts.length > MAX_LAYOUTS_PER_LOG) this.layouts.pop();
  }
}

const MAX_LAYOUTS_PER_LOG = 8;

function isScalar(value: unknown): boolean {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (Number.isInteger(value) && Math.abs(value as number) < 1e15)
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
