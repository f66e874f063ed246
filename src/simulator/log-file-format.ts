import type { LogFileFormat } from '../contracts/talend-api.ts';
import type { SimulatedEntry } from './log-content.ts';
import type { Variants } from './types.ts';

/** How a downloaded log file is laid out around and between its entries. */
export interface FileLayout {
  contentType: string;
  prefix: string;
  /** Written between two entries. */
  separator: string;
  /** Written after every entry. */
  terminator: string;
  suffix: string;
  /** Entry `index`'s text; `malformed` breaks it the way the `malformedLines` fault asks. */
  render(entry: SimulatedEntry, malformed: boolean, index: number): string;
}

/** JSON-quoted forms of the short strings that recur across entries (severity, bundle, pod names). */
const quoted = new Map<string, string>();
const MAX_QUOTED = 4096;

function quote(value: string): string {
  let text = quoted.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    if (quoted.size < MAX_QUOTED) quoted.set(value, text);
  }
  return text;
}

/**
 * Exactly `JSON.stringify(entry)`, about 1.6 times as fast: generation speed bounds every benchmark,
 * and much of the stringify cost is re-quoting the same few short strings.
 */
function entryJson(e: SimulatedEntry): string {
  const thread = e.threadName === undefined ? '' : `,"threadName":${quote(e.threadName)}`;
  return (
    `{"logTimestamp":${e.logTimestamp},"severity":${quote(e.severity)},"logMessage":${JSON.stringify(e.logMessage)},` +
    `"logType":${quote(e.logType)},"bundleName":${quote(e.bundleName)},"bundleVersion":${quote(e.bundleVersion)},` +
    `"podName":${quote(e.podName)}${thread}}`
  );
}

/** A `logTimestamp` a parser cannot take for a date, yet valid JSON around it. */
const NOT_A_DATE = 'not-a-timestamp';

function wrongTypes(entry: SimulatedEntry): string {
  return JSON.stringify({ ...entry, logTimestamp: NOT_A_DATE });
}

/** Inside an array one invalid line would spoil the whole document, so only JSON Lines gets broken text. */
function renderJsonLine(entry: SimulatedEntry, malformed: boolean, index: number): string {
  if (!malformed) return entryJson(entry);
  if (index % 2 === 0) return wrongTypes(entry);
  const text = entryJson(entry);
  return text.slice(0, Math.floor(text.length / 2));
}

function renderArrayItem(entry: SimulatedEntry, malformed: boolean): string {
  return malformed ? wrongTypes(entry) : entryJson(entry);
}

/**
 * `2021-09-01T07:01:45.123Z INFO  [bundle] message`; a multi-line message continues on the
 * following lines, none of which starts with a timestamp. A malformed entry keeps the timestamp's
 * shape with impossible values, so a parser sees a new entry it cannot date.
 */
function renderText(entry: SimulatedEntry, malformed: boolean): string {
  const iso = new Date(entry.logTimestamp).toISOString();
  const time = malformed ? `${iso.slice(0, 11)}99:99:99.999Z` : iso;
  return `${time} ${entry.severity.padEnd(5)} [${entry.bundleName}] ${entry.logMessage}`;
}

const LAYOUTS: Record<Variants['jsonShape'] | 'text', FileLayout> = {
  array: {
    contentType: 'application/json',
    prefix: '[\n',
    separator: ',\n',
    terminator: '',
    suffix: '\n]\n',
    render: renderArrayItem,
  },
  data: {
    contentType: 'application/json',
    prefix: '{"data":[\n',
    separator: ',\n',
    terminator: '',
    suffix: '\n]}\n',
    render: renderArrayItem,
  },
  jsonl: {
    contentType: 'application/x-ndjson',
    prefix: '',
    separator: '',
    terminator: '\n',
    suffix: '',
    render: renderJsonLine,
  },
  text: {
    contentType: 'text/plain; charset=utf-8',
    prefix: '',
    separator: '',
    terminator: '\n',
    suffix: '',
    render: renderText,
  },
};

export function layoutFor(format: LogFileFormat, jsonShape: Variants['jsonShape']): FileLayout {
  return LAYOUTS[format === 'TEXT' ? 'text' : jsonShape];
}
