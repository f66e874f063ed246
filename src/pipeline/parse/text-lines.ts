import type { Readable } from 'node:stream';
import type { RawLogEntry } from '../../contracts/talend-api.ts';
import { splitLines } from './line-splitter.ts';
import { malformedLine, type ParsedLine } from './parsed-line.ts';

const LEVEL = String.raw`(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|SEVERE|FATAL|CRITICAL)`;

/**
 * `2021-09-01T07:01:45.123Z INFO  [bundle] message`, tolerant of a space instead of `T`, a comma
 * before the milliseconds, a missing zone (UTC is assumed, as Talend logs in UTC), a timestamp in
 * square brackets, the level before or after the bracketed part (log4j's `%d [%t] %-5p`), a missing
 * level and a missing bracketed part.
 */
const ENTRY_START = new RegExp(
  String.raw`^\[?(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?\]?` +
    String.raw`(?:\s+${LEVEL}\b\s*(?:\[([^\]]*)\])?|\s*(?:\[([^\]]*)\])?(?:\s*${LEVEL}\b\s*)?)\s?(.*)$`,
  'i',
);
/**
 * Lines before the first timestamped one are reported together, up to this many at a time: a file
 * with no timestamped line at all (an error page, say) must not be held whole.
 */
const MAX_ORPHAN_LINES = 100;

interface Pending {
  entry: RawLogEntry;
  message: string[];
}

/**
 * TEXT logs, line by line. A line that does not start with a timestamp continues the previous entry
 * (a Java stack trace, typically) and is appended to its message with "\n". Lines before the first
 * timestamped one belong to no entry and are reported as one malformed record.
 */
export async function* parseTextLines(bytes: Readable): AsyncGenerator<ParsedLine[]> {
  let position = 0;
  let pending: Pending | undefined;
  let orphans: string[] = [];
  let batch: ParsedLine[] = [];

  const take = (line: string) => {
    const entry = entryFromLine(line);
    if (entry === undefined) {
      if (pending) pending.message.push(line);
      else if (orphans.length > 0 || line.trim() !== '') orphans.push(line);
      if (orphans.length >= MAX_ORPHAN_LINES) {
        batch.push(malformedLine(position++, 'text before the first timestamped line', orphans.join('\n')));
        orphans = [];
      }
      return;
    }
    if (orphans.length > 0) {
      batch.push(malformedLine(position++, 'text before the first timestamped line', orphans.join('\n')));
      orphans = [];
    }
    if (pending) batch.push(finish(pending, position++));
    pending = { entry, message: [entry.logMessage as string] };
  };

  for await (const lines of splitLines(bytes)) {
    for (const line of lines) take(line);
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  if (orphans.length > 0)
    batch.push(malformedLine(position++, 'text without any timestamped line', orphans.join('\n')));
  if (pending) batch.push(finish(pending, position));
  if (batch.length > 0) yield batch;
}

function finish(pending: Pending, position: number): ParsedLine {
  const message =
    pending.message.length === 1 ? pending.message[0]! : trimTrailingBlank(pending.message).join('\n');
  return { kind: 'entry', entry: { ...pending.entry, logMessage: message }, position };
}

/** Blank lines between an entry and the next belong to neither. */
function trimTrailingBlank(lines: string[]): string[] {
  let end = lines.length;
  while (end > 1 && lines[end - 1]!.trim() === '') end--;
  return lines.slice(0, end);
}

function entryFromLine(line: string): RawLogEntry | undefined {
  const match = ENTRY_START.exec(line);
  if (!match) return undefined;
  const [, date, time, fraction, zone, levelFirst, bundleAfter, bundleFirst, levelAfter, message] = match;
  const level = levelFirst ?? levelAfter;
  const bundle = bundleAfter ?? bundleFirst;
  const millis = fraction === undefined ? '' : `.${fraction.padEnd(3, '0').slice(0, 3)}`;
  const logTimestamp = Date.parse(`${date}T${time}${millis}${normalizeZone(zone)}`);
  if (Number.isNaN(logTimestamp)) return undefined;
  const entry: RawLogEntry = { logTimestamp, logMessage: message ?? '' };
  if (level !== undefined) entry.severity = level.toUpperCase();
  if (bundle !== undefined && bundle !== '') entry.bundleName = bundle;
  return entry;
}

function normalizeZone(zone: string | undefined): string {
  if (zone === undefined) return 'Z';
  return zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
}
