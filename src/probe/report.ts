/**
 * What `talend-logs probe` reports: one entry per open point of Talend's API (README, "What Talend
 * does not document"). Users attach it to bug reports, so its names are stable and it holds no
 * secret: ids, timestamps, counts, header values and field names, never a token, URL query or
 * log message.
 */
import type { FileShape, TimestampKind } from './classify-log-file.ts';
import type { NextEndTimeFormat } from './classify-next-end-time.ts';

/** Said of a point when the tenant's data cannot decide it, or when its check failed. */
export type Unsettled = 'undetermined' | 'error';

export interface PointReport<T extends string = string> {
  result: T | Unsettled;
  /** Why the point is undetermined or failed, or what the result rests on. */
  reason?: string;
  /** What was seen: the facts the result was read from. */
  evidence?: Record<string, unknown>;
}

export interface ProbeReport {
  probe: {
    version: string;
    startedAt: string;
    finishedAt: string;
    /** Without query or credentials. */
    apiUrl: string;
    /** Tasks whose executions were listed, of those visible or named. */
    tasksListed: number;
    tasksSelected: number;
    /** At most this many tasks are listed. */
    maxTasksListed: number;
    /** The listing window of the sample, in days back from now. */
    lastDays: number;
    executionsSeen: number;
    execution?: string;
    /** Tasks whose listing failed, with why. */
    failedTasks?: { taskId: string; error: string }[];
  };
  points: {
    listingFilter: PointReport<'trigger' | 'overlap'>;
    listingOrder: PointReport<'newest-first' | 'oldest-first' | 'other'>;
    listingTotal: PointReport<'present' | 'absent' | 'mixed'>;
    statusValues: PointReport<'observed'>;
    terminalWithoutFinish: PointReport<'log-404' | 'log-present' | 'none-seen'>;
    rejectedRuns: PointReport<RejectedRunsReading>;
    logFileShape: PointReport<FileShape>;
    logCompression: PointReport<'gzip' | 'none'>;
    logTimestamp: PointReport<TimestampKind>;
    nextEndTime: PointReport<NextEndTimeFormat | 'not-observed'>;
    endTimeBoundary: PointReport<'inclusive' | 'exclusive'>;
    retryAfter: PointReport<'present' | 'absent' | 'mixed' | 'not-observed'>;
    statusBody: PointReport<'text/plain' | 'application/json' | 'not-observed'>;
  };
}

export type PointName = keyof ProbeReport['points'];

/** Whether a rejected run carries `finishTimestamp`, and whether its log exists. */
export type RejectedRunsReading =
  'no-finish-no-log' | 'no-finish-with-log' | 'finished-with-log' | 'finished-no-log' | 'mixed';
