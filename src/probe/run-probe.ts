/**
 * `talend-logs probe`: asks the live service each open point of its API, with read-only calls only
 * (listings, reads of one run, and generating and polling log files, which is how logs are read).
 * Each check answers for itself: one that fails is reported as an error and the others still run.
 * Only the first listing may fail the probe as a whole, when Talend refuses the credentials or
 * cannot be reached.
 */
import type { Selection } from '../config/config.ts';
import { describeError } from '../common/errors.ts';
import { scrubSecrets } from '../common/secrets.ts';
import type { Logger } from '../observability/logger.ts';
import type { TalendApiClient } from '../talend/index.ts';
import { endTimeBoundaryPoint } from './check-boundary.ts';
import { retryAfterPoint, statusBodyPoint } from './check-client-stats.ts';
import { listingFilterPoint, listingOrderPoint, listingTotalPoint } from './check-listing.ts';
import { logFilePoints, type LogFilePoints } from './check-log-file.ts';
import { nextEndTimePoint } from './check-next-end-time.ts';
import { rejectedRunsPoint, statusValuesPoint, terminalWithoutFinishPoint } from './check-runs.ts';
import { MAX_SAMPLED_TASKS, SAMPLE_DAYS, sampleExecutions } from './execution-sample.ts';
import { LogAvailability } from './log-file-read.ts';
import type { PointReport, ProbeReport } from './report.ts';

export interface ProbeOptions {
  talend: TalendApiClient;
  selection: Selection;
  executionId?: string;
  /** Safe to print: no query, no credentials. */
  apiUrl: string;
  version: string;
  logger: Logger;
  signal?: AbortSignal;
  now?: () => number;
}

export async function runProbe(options: ProbeOptions): Promise<ProbeReport> {
  const { talend, logger, signal } = options;
  const now = options.now ?? Date.now;
  const startedAt = new Date(now()).toISOString();
  const sample = await sampleExecutions(
    talend,
    options.selection,
    options.executionId,
    logger,
    now(),
    signal,
  );
  const at = now();
  const guard = async <T>(
    name: string,
    run: () => Promise<T> | T,
    onError: (failure: PointReport<never>) => T,
  ): Promise<T> => {
    logger.debug({ check: name }, 'probing');
    try {
      return await run();
    } catch (error) {
      if (signal?.aborted) throw error;
      logger.warn({ check: name, error: describeError(error) }, 'probe check failed');
      return onError({ result: 'error', reason: scrubSecrets(describeError(error)) });
    }
  };
  const check = <T>(name: string, run: () => Promise<T> | T) =>
    guard<T | PointReport<never>>(name, run, (failure) => failure);
  const logs = new LogAvailability(talend, signal);
  const filePoints = await guard<LogFilePoints>(
    'logFile',
    () => logFilePoints(talend, sample, signal),
    (failure) => ({ logFileShape: failure, logCompression: failure, logTimestamp: failure }),
  );
  const points: ProbeReport['points'] = {
    listingFilter: await check('listingFilter', () => listingFilterPoint(talend, sample, at, signal)),
    listingOrder: await check('listingOrder', () => listingOrderPoint(sample)),
    listingTotal: await check('listingTotal', () => listingTotalPoint(sample)),
    statusValues: await check('statusValues', () => statusValuesPoint(sample)),
    terminalWithoutFinish: await check('terminalWithoutFinish', () =>
      terminalWithoutFinishPoint(sample, logs),
    ),
    rejectedRuns: await check('rejectedRuns', () => rejectedRunsPoint(sample, logs)),
    logFileShape: filePoints.logFileShape,
    logCompression: filePoints.logCompression,
    logTimestamp: filePoints.logTimestamp,
    nextEndTime: await check('nextEndTime', () => nextEndTimePoint(talend, sample, at, signal)),
    endTimeBoundary: await check('endTimeBoundary', () =>
      endTimeBoundaryPoint(talend, filePoints.head, signal),
    ),
    // Last, so that every call of the probe had its chance to meet a 429 and a status answer.
    retryAfter: retryAfterPoint(talend.stats()),
    statusBody: statusBodyPoint(talend.logStatusBodyAccepted()),
  };
  return {
    probe: {
      version: options.version,
      startedAt,
      finishedAt: new Date(now()).toISOString(),
      apiUrl: options.apiUrl,
      tasksListed: sample.pages.length,
      tasksSelected: sample.tasksSelected,
      maxTasksListed: MAX_SAMPLED_TASKS,
      lastDays: SAMPLE_DAYS,
      executionsSeen: sample.executions.length,
      ...(options.executionId === undefined ? {} : { execution: options.executionId }),
      ...(sample.failedTasks.length === 0 ? {} : { failedTasks: sample.failedTasks }),
    },
    points,
  };
}
