/** Parsers for the value syntaxes users type in flags, environment variables and config files. */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `30s`, `5m`, `24h`, `7d`, `1500ms`, or a bare number of milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * DURATION_UNITS[(match[2] ?? 'ms').toLowerCase()]!);
}

/** `5mb`, `512kb`, or a bare number of bytes. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]!);
}

/**
 * A date as users write it: `2026-01-31`, `2026-01-31T12:00:00Z`, an ISO date with offset, or epoch
 * milliseconds; or a relative `now-7d`. A date without a zone is taken as UTC, never local time,
 * so a schedule behaves the same on every host.
 */
export function parseDate(text: string, now: number = Date.now()): number | undefined {
  const trimmed = text.trim();
  const relative = /^now(?:-(.+))?$/i.exec(trimmed);
  if (relative) {
    if (relative[1] === undefined) return now;
    const ago = parseDuration(relative[1]);
    return ago === undefined ? undefined : now - ago;
  }
  if (/^\d{10,}$/.test(trimmed)) return Number(trimmed);
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) return Date.parse(`${trimmed}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i.test(trimmed))
    return undefined;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed) ? trimmed : `${trimmed}Z`;
  const value = Date.parse(zoned);
  return Number.isNaN(value) ? undefined : value;
}

export function parseBoolean(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(lower)) return false;
  return undefined;
}

export function parseInteger(text: string): number | undefined {
  return /^\s*-?\d+\s*$/.test(text) ? Number(text) : undefined;
}

/** `i/n` with 0 <= i < n: this worker takes the tasks whose hash falls in bucket i of n. */
export function parseShard(text: string): { index: number; count: number } | undefined {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return count >= 1 && index < count ? { index, count } : undefined;
}

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
