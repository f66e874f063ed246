import type { RawLogEntry } from '../../contracts/talend-api.ts';
import { EntryJson, TEXT_FIELDS, toByteString } from '../entry-json.ts';
import { serializeExtra } from './document-id.ts';

/** The text fields, in the order their problems are reported. */
const CHECKED_FIELDS = [
  'severity',
  'logMessage',
  'logType',
  'bundleName',
  'bundleVersion',
  'podName',
] as const;

type TextFields = Partial<Record<(typeof TEXT_FIELDS)[number], string>>;

/** Entry fields with a place of their own in the document; every other field goes to `talend.extra`. */
function isKnownField(key: string): boolean {
  switch (key) {
    case 'logTimestamp':
    case 'severity':
    case 'logMessage':
    case 'logType':
    case 'bundleName':
    case 'bundleVersion':
    case 'podName':
      return true;
    default:
      return false;
  }
}

/**
 * A parsed entry in the form the enricher works on: each text field serialized with JSON.stringify
 * as a ByteString, the unknown fields as `serializeExtra` writes them. Or why the entry cannot be a
 * document: a text field that is an object or an array.
 */
export function entryJsonOf(entry: RawLogEntry, timestampMs: number): EntryJson | string {
  let extra: Record<string, unknown> | undefined;
  for (const key in entry) {
    if (isKnownField(key)) continue;
    extra ??= {};
    extra[key] = entry[key];
  }
  const fields = textFields(entry);
  if (typeof fields === 'string') return fields;
  const out = new EntryJson(timestampMs);
  TEXT_FIELDS.forEach((name, field) => {
    const value = fields[name];
    if (value !== undefined) out.setField(field, toByteString(JSON.stringify(value)));
  });
  if (extra !== undefined) out.extra = toByteString(serializeExtra(extra));
  return out;
}

/**
 * The text fields of an entry, or why they cannot be. Numbers and booleans are written as text (a
 * numeric pod name, say); objects and arrays are refused.
 */
function textFields(entry: RawLogEntry): TextFields | string {
  if (
    isText(entry.severity) &&
    isText(entry.logMessage) &&
    isText(entry.logType) &&
    isText(entry.bundleName) &&
    isText(entry.bundleVersion) &&
    isText(entry.podName)
  ) {
    return entry as TextFields;
  }
  const fields: TextFields = {};
  for (const field of CHECKED_FIELDS) {
    const value = entry[field];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      fields[field] = String(value);
    else return `${field} is not a string`;
  }
  return fields;
}

function isText(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}
