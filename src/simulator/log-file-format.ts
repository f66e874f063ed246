import type { LogFileFormat } from '../contracts/talend-api.ts';
import type { SimulatedEntry } from './log-content.ts';
import type { Variants } from './types.ts';

/** The variants that decide how a file is written. */
export type FileVariants = Pick<Variants, 'jsonShape' | 'wrapper' | 'logTimestampFormat' | 'textTimestamp'>;

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

/** How an entry's `logTimestamp` is written, as JSON. */
type TimestampJson = (ms: number) => string;

const TIMESTAMP_JSON: Record<Variants['logTimestampFormat'], TimestampJson> = {
  millis: String,
  // Three decimals keep every millisecond, so the file's instants are the truth's.
  seconds: (ms) => (ms / 1000).toFixed(3),
  iso: (ms) => `"${new Date(ms).toISOString()}"`,
};

/**
 * Exactly `JSON.stringify(entry)` when the timestamp is written in milliseconds, about 1.6 times as
 * fast: generation speed bounds every benchmark, and much of the stringify cost is re-quoting the
 * same few short strings.
 */
function entryJson(e: SimulatedEntry, timestamp: TimestampJson): string {
  const thread = e.threadName === undefined ? '' : `,"threadName":${quote(e.threadName)}`;
  return (
    `{"logTimestamp":${timestamp(e.logTimestamp)},"severity":${quote(e.severity)},"logMessage":${JSON.stringify(e.logMessage)},` +
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
function renderJsonLine(timestamp: TimestampJson): FileLayout['render'] {
  return (entry, malformed, index) => {
    if (!malformed) return entryJson(entry, timestamp);
    if (index % 2 === 0) return wrongTypes(entry);
    const text = entryJson(entry, timestamp);
    return text.slice(0, Math.floor(text.length / 2));
  };
}

function renderArrayItem(timestamp: TimestampJson): FileLayout['render'] {
  return (entry, malformed) => (malformed ? wrongTypes(entry) : entryJson(entry, timestamp));
}

/**
 * `2021-09-01T07:01:45.123Z INFO  [bundle] message`, or log4j's `[2021-09-01 07:01:45,123] [bundle]
 * INFO  message`; a multi-line message continues on the following lines, none of which starts with
 * a timestamp. A malformed entry keeps the timestamp's shape with impossible values, so a parser
 * sees a new entry it cannot date.
 */
function renderText(form: Variants['textTimestamp']): FileLayout['render'] {
  return (entry, malformed) => {
    const iso = new Date(entry.logTimestamp).toISOString();
    const time = malformed ? `${iso.slice(0, 11)}99:99:99.999Z` : iso;
    if (form === 'plain')
      return `${time} ${entry.severity.padEnd(5)} [${entry.bundleName}] ${entry.logMessage}`;
    const log4j = `${time.slice(0, 10)} ${time.slice(11, 23).replace('.', ',')}`;
    return `[${log4j}] [${entry.bundleName}] ${entry.severity.padEnd(5)} ${entry.logMessage}`;
  };
}

/** An object's members as JSON, without its braces: what goes around the entries of a wrapped file. */
function members(values: Record<string, unknown>): string {
  return JSON.stringify(values).slice(1, -1);
}

function buildLayout(format: LogFileFormat, variants: FileVariants): FileLayout {
  if (format === 'TEXT') {
    return {
      contentType: 'text/plain; charset=utf-8',
      prefix: '',
      separator: '',
      terminator: '\n',
      suffix: '',
      render: renderText(variants.textTimestamp),
    };
  }
  const timestamp = TIMESTAMP_JSON[variants.logTimestampFormat];
  const array = {
    contentType: 'application/json',
    separator: ',\n',
    terminator: '',
    render: renderArrayItem(timestamp),
  };
  switch (variants.jsonShape) {
    case 'array':
      return { ...array, prefix: '[\n', suffix: '\n]\n' };
    case 'data':
      return { ...array, prefix: '{"data":[\n', suffix: '\n]}\n' };
    case 'wrapped': {
      const { key, before, after } = variants.wrapper;
      const head = members(before);
      const tail = members(after);
      return {
        ...array,
        prefix: `{${head}${head === '' ? '' : ','}${JSON.stringify(key)}:[\n`,
        suffix: `\n]${tail === '' ? '' : ','}${tail}}\n`,
      };
    }
    case 'jsonl':
      return {
        contentType: 'application/x-ndjson',
        prefix: '',
        separator: '',
        terminator: '\n',
        suffix: '',
        render: renderJsonLine(timestamp),
      };
  }
}

/** Layouts built so far, by what decides them: one object per layout, which stored files recognize. */
const LAYOUTS = new Map<string, FileLayout>();

export function layoutFor(format: LogFileFormat, variants: FileVariants): FileLayout {
  const decisive =
    format === 'TEXT'
      ? [format, variants.textTimestamp]
      : [
          format,
          variants.jsonShape,
          variants.logTimestampFormat,
          variants.jsonShape === 'wrapped' ? variants.wrapper : null,
        ];
  const key = JSON.stringify(decisive);
  let layout = LAYOUTS.get(key);
  if (layout === undefined) {
    layout = buildLayout(format, variants);
    LAYOUTS.set(key, layout);
  }
  return layout;
}
