/** Point 3: the status values runs carry, runs without `finishTimestamp`, and their logs. */
import {
  combinedRejectedReading,
  isOverWithoutFinish,
  isRejected,
  rejectedReading,
  tallyStatuses,
  undeclaredStatuses,
} from './classify-runs.ts';
import type { ExecutionSample } from './execution-sample.ts';
import type { LogAvailability } from './log-file-read.ts';
import type { ProbeReport, RejectedRunsReading } from './report.ts';

type Points = ProbeReport['points'];

/** Each one costs a generate request; a few agreeing runs settle the reading. */
const MAX_RUNS_ASKED = 3;

/** The `status` and `executionStatus` values runs carry, and those Talend's reference does not declare. */
export function statusValuesPoint(sample: ExecutionSample): Points['statusValues'] {
  if (sample.executions.length === 0) return { result: 'undetermined', reason: 'no run was listed' };
  const tally = tallyStatuses(sample.executions);
  return { result: 'observed', evidence: { ...tally, undeclared: undeclaredStatuses(tally) } };
}

export async function terminalWithoutFinishPoint(
  sample: ExecutionSample,
  logs: LogAvailability,
): Promise<Points['terminalWithoutFinish']> {
  const runs = sample.executions.filter(isOverWithoutFinish).slice(0, MAX_RUNS_ASKED);
  if (runs.length === 0) {
    return { result: 'none-seen', reason: 'every run that is over carried a finishTimestamp' };
  }
  const answers = [];
  for (const run of runs) answers.push({ run, hasLog: await logs.has(run.executionId) });
  const withLog = answers.filter((answer) => answer.hasLog).length;
  const evidence = {
    asked: answers.map(({ run, hasLog }) => ({
      executionId: run.executionId,
      status: run.status,
      executionStatus: run.executionStatus,
      log: hasLog ? 'present' : '404',
    })),
  };
  if (withLog === 0) return { result: 'log-404', evidence };
  if (withLog === answers.length) return { result: 'log-present', evidence };
  return { result: 'undetermined', reason: 'some such runs have a log and some answer 404', evidence };
}

export async function rejectedRunsPoint(
  sample: ExecutionSample,
  logs: LogAvailability,
): Promise<Points['rejectedRuns']> {
  const runs = sample.executions.filter(isRejected).slice(0, MAX_RUNS_ASKED);
  const readings: RejectedRunsReading[] = [];
  const asked = [];
  for (const run of runs) {
    const reading = rejectedReading(run.finishTimestamp !== undefined, await logs.has(run.executionId));
    readings.push(reading);
    asked.push({ executionId: run.executionId, reading });
  }
  const result = combinedRejectedReading(readings);
  return result === undefined
    ? { result: 'undetermined', reason: 'no rejected run was listed' }
    : { result, evidence: { asked } };
}
