/**
 * Dates on Talend's monitoring API are documented as `yyyy-mm-ddThh:mm:ssZ` (second precision, UTC);
 * the format of `X-Log-Next-Request-End-Time` is not documented, so its parser accepts every
 * plausible variant.
 */

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
/** Below this, a bare number can only be epoch seconds: as milliseconds it would fall in January 1970. */
export const SMALLEST_EPOCH_MS = 100_000_000_000;

/**
 * Epoch milliseconds of `X-Log-Next-Request-End-Time`: `2021-09-01T07:01:45Z`, the same with
 * fractional seconds or an offset, or a bare epoch number. A zone-less date is UTC, like every
 * date on this API. Undefined when unparsable.
 */
export function parseNextEndTime(value: string | undefined): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (EPOCH_DIGITS.test(text)) {
    const epoch = Number(text);
    return epoch < SMALLEST_EPOCH_MS ? epoch * SECOND : epoch;
  }
  if (!ISO_DATE_TIME.test(text)) return undefined;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`;
  const ms = Date.parse(zoned.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}
