/** Point 5: the raw `X-Log-Next-Request-End-Time` of a 206, on the largest run seen or the one named. */
import type { TalendExecution } from '../contracts/talend-api.ts';
import { endTime, isRunning, startTime } from '../talend/run-status.ts';
import { LogNotFoundError, type TalendApiClient } from '../talend/index.ts';
import { classifyNextEndTime } from './classify-next-end-time.ts';
import type { ExecutionSample } from './execution-sample.ts';
import type { ProbeReport } from './report.ts';

type Points = ProbeReport['points'];

const MAX_RUNS_TRIED = 3;

/** The named run, else the runs that lasted longest (running ones up to now) first: the likeliest to pass 100,000 entries. */
function largestRuns(sample: ExecutionSample, now: number): TalendExecution[] {
  if (sample.chosen) return [sample.chosen];
  const duration = (run: TalendExecution) =>
    (isRunning(run) ? now : (endTime(run) ?? 0)) - (startTime(run) ?? Number.POSITIVE_INFINITY);
  return sample.executions.filter((run) => duration(run) > 0).sort((a, b) => duration(b) - duration(a));
}

export async function nextEndTimePoint(
  talend: TalendApiClient,
  sample: ExecutionSample,
  now: number,
  signal?: AbortSignal,
): Promise<Points['nextEndTime']> {
  for (const run of largestRuns(sample, now).slice(0, MAX_RUNS_TRIED)) {
    let generated;
    try {
      generated = await talend.generateLog(run.executionId, { fileFormat: 'JSON' }, signal);
    } catch (error) {
      if (error instanceof LogNotFoundError) continue;
      throw error;
    }
    const evidence = { executionId: run.executionId, status: generated.status, size: generated.size };
    const raw = generated.nextEndTimeHeader;
    if (generated.status !== 206) {
      return {
        result: 'not-observed',
        reason: 'the largest run seen fits in one file (HTTP 200): no run seen has more than 100,000 entries',
        evidence,
      };
    }
    if (raw === undefined) {
      return { result: 'undetermined', reason: 'Talend answered 206 without the header', evidence };
    }
    const reading = classifyNextEndTime(raw);
    return { result: reading.format, evidence: { ...evidence, header: raw, ...reading } };
  }
  return { result: 'undetermined', reason: 'no run with a log was listed' };
}
