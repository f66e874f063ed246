import { epochMs } from '../../common/epoch.ts';

/** Year 10000: past it neither an ISO string nor a yyyy index name can be written. */
export const MAX_TIMESTAMP_MS = 253_402_300_800_000;
const NUMERIC = /^-?\d+(?:\.\d+)?$/;
/** ISO-8601 date-times only: Date.parse alone would also take "March 7" or "2021". */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Epoch milliseconds of an entry's `logTimestamp`: a number (milliseconds as documented, or seconds:
 * see `epochMs`), the same as a numeric string, or an ISO-8601 string (a zone-less one is UTC).
 * Undefined when missing or not a date.
 */
export function entryTimestamp(value: unknown): number | undefined {
  let ms: number;
  if (typeof value === 'number') ms = epochMs(value);
  else if (typeof value !== 'string') return undefined;
  else if (NUMERIC.test(value)) ms = epochMs(Number(value));
  else {
    const match = ISO_DATE_TIME.exec(value);
    if (!match) return undefined;
    const iso = value.replace(' ', 'T').replace(',', '.');
    ms = Date.parse(match[1] === undefined ? `${iso}Z` : iso);
  }
  return Number.isFinite(ms) && ms >= 0 && ms < MAX_TIMESTAMP_MS ? ms : undefined;
}
