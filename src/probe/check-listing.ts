/** Points 1 and 2: what the listing's `from`/`to` filter on, its order, and its `total`. */
import type { TalendApiClient } from '../talend/index.ts';
import { triggerTime } from '../talend/run-status.ts';
import {
  combinedOrder,
  filterCandidate,
  filterVerdict,
  pageOrder,
  totalPresence,
} from './classify-listing.ts';
import { SAMPLE_DAYS, type ExecutionSample } from './execution-sample.ts';
import type { ProbeReport } from './report.ts';

type Points = ProbeReport['points'];

export function listingOrderPoint(sample: ExecutionSample): Points['listingOrder'] {
  const orders = sample.pages.map((page) =>
    pageOrder(page.items.map(triggerTime).filter((ms): ms is number => ms !== undefined)),
  );
  const result = combinedOrder(orders);
  const evidence = {
    pages: sample.pages.length,
    pagesTellingAnOrder: orders.filter((o) => o !== 'undetermined').length,
  };
  return result === 'undetermined'
    ? { result, reason: 'no listing page held two runs with different trigger times', evidence }
    : { result, evidence };
}

export function listingTotalPoint(sample: ExecutionSample): Points['listingTotal'] {
  const result = totalPresence(sample.pages.map((page) => page.hasTotal));
  return result === 'undetermined'
    ? { result, reason: 'no listing page was received' }
    : { result, evidence: { pages: sample.pages.length } };
}

export async function listingFilterPoint(
  talend: TalendApiClient,
  sample: ExecutionSample,
  now: number,
  signal?: AbortSignal,
): Promise<Points['listingFilter']> {
  const candidate = filterCandidate(sample.executions, now);
  if (candidate === undefined) {
    return {
      result: 'undetermined',
      reason: `no run listed over the last ${SAMPLE_DAYS} days ended (or is still running) at least 2 s after its trigger time`,
    };
  }
  const { execution, straddling, control } = candidate;
  const listed = async (window: { from: number; to: number }): Promise<boolean> => {
    for await (const item of talend.listTaskExecutions(execution.taskId, window, signal)) {
      if (item.executionId === execution.executionId) return true;
    }
    return false;
  };
  const seen = { control: await listed(control), straddling: await listed(straddling) };
  const { result, reason } = filterVerdict(seen);
  return {
    result,
    reason,
    evidence: {
      executionId: execution.executionId,
      taskId: execution.taskId,
      triggerTimestamp: execution.triggerTimestamp,
      end: new Date(candidate.endMs).toISOString(),
      running: execution.finishTimestamp === undefined,
      controlWindow: isoWindow(control),
      listedInControlWindow: seen.control,
      straddlingWindow: isoWindow(straddling),
      listedInStraddlingWindow: seen.straddling,
    },
  };
}

function isoWindow(window: { from: number; to: number }): { from: string; to: string } {
  return { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() };
}
