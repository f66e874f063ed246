/** Points 7 and 8, read from what the client saw during the probe: 429s, and the status body form. */
import type { StatusBodyType } from '../contracts/talend-api.ts';
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

/** The form of the token body Talend accepted on `/logs/status`, if any call was answered. */
export function statusBodyPoint(accepted: StatusBodyType | undefined): Points['statusBody'] {
  if (accepted === undefined) return { result: 'not-observed', reason: 'no /logs/status call was answered' };
  return accepted === 'application/json'
    ? { result: accepted, reason: 'Talend accepted the token as a JSON string, as its reference declares' }
    : { result: accepted, reason: 'Talend refused the token as a JSON string and accepted it as text/plain' };
}
