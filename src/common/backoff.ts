import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffOptions {
  /** First retry waits up to this long. */
  baseMs: number;
  /** No single wait is longer. */
  maxMs: number;
}

/**
 * "Full jitter" (AWS architecture blog, 2015): a uniform wait in [0, min(max, base * 2^attempt)].
 * Spreads retries of many clients that failed together, which a fixed or equal-jitter wait does not.
 */
export function fullJitterDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/** Sleeps, ending early (with the signal's reason) when the signal aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) {
    signal?.throwIfAborted();
    return;
  }
  await delay(ms, undefined, { signal });
}

/**
 * Parses a `Retry-After` header: either delta-seconds or an HTTP date. Returns milliseconds to wait,
 * or undefined when absent or unparsable.
 */
export function parseRetryAfter(
  value: string | undefined | null,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
