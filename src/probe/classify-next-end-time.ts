/** The format of an `X-Log-Next-Request-End-Time` header, which Talend does not document. */
import { SMALLEST_EPOCH_MS } from '../common/epoch.ts';

export type NextEndTimeFormat =
  'iso-seconds' | 'iso-millis' | 'iso-other' | 'epoch-seconds' | 'epoch-millis' | 'http-date' | 'other';

export interface NextEndTimeReading {
  format: NextEndTimeFormat;
  precision: 'seconds' | 'milliseconds' | 'finer' | 'coarser' | 'unknown';
  /** Whether the value came between double quotes. */
  quoted: boolean;
}

const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.(\d+))?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

export function classifyNextEndTime(raw: string): NextEndTimeReading {
  const trimmed = raw.trim();
  const quoted = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"');
  const text = quoted ? trimmed.slice(1, -1) : trimmed;
  if (ISO_SECONDS.test(text)) return { format: 'iso-seconds', precision: 'seconds', quoted };
  if (ISO_MILLIS.test(text)) return { format: 'iso-millis', precision: 'milliseconds', quoted };
  const iso = ISO.exec(text);
  if (iso) return { format: 'iso-other', precision: fractionPrecision(text, iso[1]), quoted };
  if (/^\d+$/.test(text)) {
    return Number(text) < SMALLEST_EPOCH_MS
      ? { format: 'epoch-seconds', precision: 'seconds', quoted }
      : { format: 'epoch-millis', precision: 'milliseconds', quoted };
  }
  if (HTTP_DATE.test(text)) return { format: 'http-date', precision: 'seconds', quoted };
  return { format: 'other', precision: 'unknown', quoted };
}

function fractionPrecision(text: string, fraction: string | undefined): NextEndTimeReading['precision'] {
  if (fraction === undefined) return /[T ]\d{2}:\d{2}:\d{2}/i.test(text) ? 'seconds' : 'coarser';
  if (fraction.length <= 3) return 'milliseconds';
  return 'finer';
}
