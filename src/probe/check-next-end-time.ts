/** Point 5: the raw `X-Log-Next-Request-End-Time` of a 206, on the largest runs seen or the one named. */
import type { TalendExecution } from '../contracts/talend-api.ts';
import { endTime, isRunning, startTime } from '../talend/run-status.ts';
import { LogNotFoundError, TalendApiError, type TalendApiClient } from '../talend/index.ts';
import { classifyNextEndTime } from './classify-next-end-time.ts';
import type { ExecutionSample } from './execution-sample.ts';
import type { ProbeReport } from './report.ts';

type Points = ProbeReport['points'];

const MAX_RUNS_TRIED = 3;
/**
 * Runs whose entries are counted, longest first: one monitoring call each, a third of a minute's
 * quota at most. A short run can log more than a long one: duration alone would miss it.
 */
const MAX_RUNS_MEASURED = 200;

/** The named run, else the runs that lasted longest (running ones up to now), the likeliest to be large. */
function longestRuns(sample: ExecutionSample, now: number): TalendExecution[] {
  if (sample.chosen) return [sample.chosen];
  const duration = (run: TalendExecution) =>
    (isRunning(run) ? now : (endTime(run) ?? 0)) - (startTime(run) ?? Number.POSITIVE_INFINITY);
  return sample.executions.filter((run) => duration(run) > 0).sort((a, b) => duration(b) - duration(a));
}

/**
 * The runs with the most log entries first, by the `totalSize` of a one-entry page of their log
 * (`GET /logs?count=1`); runs without a log are left out.
 */
async function largestRuns(
  talend: TalendApiClient,
  runs: TalendExecution[],
  signal?: AbortSignal,
): Promise<{ run: TalendExecution; entries: number }[]> {
  const measured: { run: TalendExecution; entries: number }[] = [];
  for (const run of runs.slice(0, MAX_RUNS_MEASURED)) {
    try {
      const page = await talend.pageLogs(run.executionId, { count: 1 }, signal);
      measured.push({ run, entries: Number(page.totalSize) || 0 });
    } catch (error) {
      if (!(error instanceof TalendApiError && error.status === 404)) throw error;
    }
  }
  return measured.sort((a, b) => b.entries - a.entries);
}

export async function nextEndTimePoint(
  talend: TalendApiClient,
  sample: ExecutionSample,
  now: number,
  signal?: AbortSignal,
): Promise<Points['nextEndTime']> {
  const candidates = longestRuns(sample, now);
  const measured = await largestRuns(talend, candidates, signal);
  for (const { run, entries } of measured.slice(0, MAX_RUNS_TRIED)) {
    let generated;
    try {
      generated = await talend.generateLog(run.executionId, { fileFormat: 'JSON' }, signal);
    } catch (error) {
      if (error instanceof LogNotFoundError) continue;
      throw error;
    }
    const evidence = {
      executionId: run.executionId,
      entries,
      runsMeasured: measured.length,
      status: generated.status,
      size: generated.size,
    };
    const raw = generated.nextEndTimeHeader;
    if (generated.status !== 206) {
      return {
        result: 'not-observed',
        reason:
          `the largest of the ${measured.length} runs measured (${entries} entries) fits in one file (HTTP 200): ` +
          'no run seen has more than 100,000 entries',
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
