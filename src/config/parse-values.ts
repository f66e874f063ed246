/** Parsers for the value syntaxes users type in flags, environment variables and config files. */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Binary units: `5mb` is 5 MiB, 5,242,880 bytes; `mib` and the other IEC names are read alike. */
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
/** The latest instant a JavaScript Date holds (ECMA-262, 21.4.1.1). */
const MAX_EPOCH_MS = 8.64e15;

/**
 * `30s`, `5m`, `24h`, `7d`, `1500ms`. A number alone is refused: read as milliseconds, `--lookback 48`
 * meant to be two days would quietly be 48 ms.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/i.exec(text);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]!);
}

/** Whether the text is a number without a unit, the near miss worth its own hint. */
export function isBareNumber(text: string): boolean {
  return /^\s*\d+(?:\.\d+)?\s*$/.test(text);
}

/** `5mb`, `512kb` (binary: 1kb is 1024 bytes; `kib`, `mib`, `gib` alike), or a bare number of bytes. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:(b|kb|mb|gb)|([kmg])ib)?\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = match[2] ?? (match[3] === undefined ? 'b' : `${match[3]}b`);
  return Math.round(Number(match[1]) * SIZE_UNITS[unit.toLowerCase()]!);
}

/**
 * A date as users write it: `2026-01-31`, `2026-01-31T12:00:00Z`, an ISO date with offset, or epoch
 * milliseconds; or a relative `now-7d`. A date without a zone is taken as UTC, never local time,
 * so a schedule behaves the same on every host. A day or time that does not exist (`2026-02-30`,
 * `T24:00`) is refused, not rolled over into the next month or day as `Date.parse` would.
 */
export function parseDate(text: string, now: number): number | undefined {
  const trimmed = text.trim();
  const relative = /^now(?:-(.+))?$/i.exec(trimmed);
  if (relative) {
    if (relative[1] === undefined) return now;
    const ago = parseDuration(relative[1]);
    return ago === undefined ? undefined : now - ago;
  }
  if (/^\d{10,16}$/.test(trimmed)) {
    const epoch = Number(trimmed);
    return epoch <= MAX_EPOCH_MS ? epoch : undefined;
  }
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/i.exec(
      trimmed,
    );
  if (!match) return undefined;
  const [
    ,
    year,
    month,
    day,
    hour = '0',
    minute = '0',
    second = '0',
    zone,
    zoneHours = '0',
    zoneMinutes = '0',
  ] = match;
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  const exists =
    inRange(month!, 1, 12) &&
    inRange(day!, 1, daysInMonth) &&
    inRange(hour, 0, 23) &&
    inRange(minute, 0, 59) &&
    inRange(second, 0, 59) &&
    inRange(zoneHours, 0, 23) &&
    inRange(zoneMinutes, 0, 59);
  if (!exists) return undefined;
  const time = trimmed.includes('T') ? trimmed : `${trimmed}T00:00:00`;
  const value = Date.parse(zone === undefined ? `${time}Z` : time);
  return Number.isNaN(value) ? undefined : value;
}

function inRange(digits: string, min: number, max: number): boolean {
  const value = Number(digits);
  return value >= min && value <= max;
}

export function parseBoolean(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(lower)) return false;
  return undefined;
}

/** A whole number JavaScript holds exactly: `1e3`, `2.0` and twenty-digit numbers are refused. */
export function parseInteger(text: string): number | undefined {
  if (!/^\s*-?\d+\s*$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** `i/n` with 0 <= i < n: this worker takes the tasks whose hash falls in bucket i of n. */
export function parseShard(text: string): { index: number; count: number } | undefined {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return count >= 1 && index < count && Number.isSafeInteger(count) ? { index, count } : undefined;
}

export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
