/**
 * Dates on Talend's monitoring API are documented as `yyyy-mm-ddThh:mm:ssZ` (second precision, UTC);
 * the format of `X-Log-Next-Request-End-Time` is not documented, so its parser accepts every
 * plausible variant.
 */

import { epochMs } from '../common/epoch.ts';

const SECOND = 1000;

export function floorSec(ms: number): number {
  return Math.floor(ms / SECOND) * SECOND;
}

/**
 * Whole seconds use the documented format; a value with milliseconds keeps them (`.sssZ`), which
 * only the chunk walk's last-resort step asks for.
 */
export function formatApiDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return ms % SECOND === 0 ? iso.replace(/\.\d{3}Z$/, 'Z') : iso;
}

const EPOCH_DIGITS = /^\d+$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
/** An HTTP date (RFC 9110 IMF-fixdate), the form HTTP headers such as `Date` and `Expires` use. */
const HTTP_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
/** A value written as a JSON string, or in single quotes. */
const QUOTED = /^(["'])(.*)\1$/;

/**
 * Epoch milliseconds of `X-Log-Next-Request-End-Time`: `2021-09-01T07:01:45Z`, the same with
 * fractional seconds or an offset, an HTTP date (`Wed, 01 Sep 2021 07:01:45 GMT`), or a bare epoch
 * number in milliseconds or seconds; any of them may come in quotes. A zone-less date is UTC, like
 * every date on this API. Undefined when unparsable.
 */
export function parseNextEndTime(value: string | undefined): number | undefined {
  let text = value?.trim();
  const quoted = text === undefined ? null : QUOTED.exec(text);
  if (quoted) text = quoted[2]!.trim();
  if (!text) return undefined;
  if (EPOCH_DIGITS.test(text)) return epochMs(Number(text));
  let ms: number;
  if (HTTP_DATE.test(text)) ms = Date.parse(text);
  else if (ISO_DATE_TIME.test(text)) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`;
    ms = Date.parse(zoned.replace(' ', 'T'));
  } else return undefined;
  return Number.isNaN(ms) ? undefined : ms;
}
