/** Points 7 and 8, read from what the client saw during the probe: 429s, and the status body form. */
import type { TalendClientStats } from '../talend/index.ts';
import type { ProbeReport } from './report.ts';

type Points = ProbeReport['points'];

export function retryAfterPoint(
  stats: Pick<TalendClientStats, 'rateLimited' | 'rateLimitedWithRetryAfter'>,
): Points['retryAfter'] {
  const { rateLimited, rateLimitedWithRetryAfter } = stats;
  const evidence = { http429: rateLimited, withRetryAfter: rateLimitedWithRetryAfter };
  if (rateLimited === 0)
    return {
      result: 'not-observed',
      reason: "neither Talend's API nor its object store answered a 429 during the probe",
      evidence,
    };
  if (rateLimitedWithRetryAfter === rateLimited) return { result: 'present', evidence };
  return { result: rateLimitedWithRetryAfter === 0 ? 'absent' : 'mixed', evidence };
}

/** `answered`: some `/logs/status` call succeeded, in the form the client now uses. */
export function statusBodyPoint(
  bodyType: 'text/plain' | 'application/json',
  answered: boolean,
): Points['statusBody'] {
  if (!answered) return { result: 'not-observed', reason: 'no /logs/status call was answered' };
  return bodyType === 'text/plain'
    ? {
        result: bodyType,
        reason: 'Talend accepted the token as text/plain (the JSON-string form was not needed)',
      }
    : { result: bodyType, reason: 'Talend rejected text/plain and accepted the token as a JSON string' };
}
