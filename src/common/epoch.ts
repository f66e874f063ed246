/**
 * Below this, an epoch number can only be seconds: read as milliseconds it would fall before March
 * 1973, long before any Talend Cloud log, while in seconds it reaches past the year 5000.
 */
export const SMALLEST_EPOCH_MS = 100_000_000_000;
const SECOND = 1000;

/**
 * Epoch milliseconds of an epoch number Talend may write in milliseconds (as documented) or in
 * seconds, with or without a fraction. Milliseconds are returned unchanged, so that a value read
 * either way is the same number; seconds are rounded to the millisecond a fraction names.
 */
export function epochMs(epoch: number): number {
  return epoch < SMALLEST_EPOCH_MS ? Math.round(epoch * SECOND) : epoch;
}

/** Epoch milliseconds of a date as text (ISO 8601), or undefined when there is none or it is no date. */
export function dateMs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
