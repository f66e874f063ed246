import type { RawLogEntry } from '../../contracts/talend-api.ts';
import type { ScannedEntry } from '../entry-json.ts';

/** One thing read from a log file, in file order. `position` is the 0-based index of the entry or line. */
export type ParsedLine =
  | { kind: 'entry'; entry: RawLogEntry; position: number }
  | { kind: 'malformed'; position: number; reason: string; raw: string };

/** What the pipeline reads: a ParsedLine, or an entry the scanner read without parsing it. */
export type LogRecord = ParsedLine | { kind: 'scanned'; entry: ScannedEntry; position: number };

/** Enough of a bad line to diagnose it, without letting one broken megabyte line bloat the dead letters. */
const MAX_RAW_CHARS = 64 * 1024;

export function malformedLine(position: number, reason: string, raw: string): ParsedLine {
  return {
    kind: 'malformed',
    position,
    reason,
    raw: raw.length > MAX_RAW_CHARS ? raw.slice(0, MAX_RAW_CHARS) : raw,
  };
}

/** A parsed JSON value becomes an entry only if it is an object: that is what every log line is. */
export function lineFromValue(value: unknown, position: number): ParsedLine {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return { kind: 'entry', entry: value as RawLogEntry, position };
  }
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return malformedLine(
    position,
    `entry is not a JSON object (got ${type})`,
    JSON.stringify(value) ?? String(value),
  );
}
