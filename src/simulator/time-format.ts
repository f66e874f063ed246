import type { Variants } from './types.ts';

/** `yyyy-mm-ddThh:mm:ssZ`, as the guide documents, and the same with milliseconds. */
const LOG_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** RFC 3339 UTC with milliseconds, as the processing API writes timestamps. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

/** Parses a generate request's `startTime`/`endTime`; undefined when it is not one of the accepted forms. */
export function parseLogTime(text: string): number | undefined {
  if (!LOG_TIME.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The paging endpoint declares `datetime`: accept the log-time forms and epoch milliseconds. */
export function parseDateTime(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  return parseLogTime(text);
}

/** `2021-09-01T07:01:45Z`: the guide's form, also a SAS's signed expiry (`se`). */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Every form but `millis` has whole seconds: the instant is floored to its second. */
export function formatNextEndTime(ms: number, format: Variants['nextEndTimeFormat']): string {
  const iso = new Date(ms).toISOString();
  switch (format) {
    case 'millis':
      return iso;
    case 'seconds':
      return isoSeconds(ms);
    case 'quoted':
      return `"${isoSeconds(ms)}"`;
    case 'http-date':
      return new Date(ms).toUTCString();
  }
}

/** `20210901T070145Z`: the `X-Amz-Date` form. */
export function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function parseAmzDate(text: string): number | undefined {
  const m = AMZ_DATE.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}
