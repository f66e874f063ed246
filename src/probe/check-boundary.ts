/** Point 6: whether `endTime` includes the entries logged exactly at it (see classify-boundary.ts). */
import type { TalendApiClient } from '../talend/index.ts';
import { boundaryVerdict, wholeSecondTimestamp, type BoundaryFile } from './classify-boundary.ts';
import { readFileHead, timestampMs } from './classify-log-file.ts';
import type { LogFilePoints } from './check-log-file.ts';
import { readLogFile } from './log-file-read.ts';
import type { ProbeReport } from './report.ts';

type Points = ProbeReport['points'];

const SECOND = 1000;
/** Two seconds of log: more than this means a run logging too fast to read whole here. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

export async function endTimeBoundaryPoint(
  talend: TalendApiClient,
  head: LogFilePoints['head'],
  signal?: AbortSignal,
): Promise<Points['endTimeBoundary']> {
  if (head === undefined) return { result: 'undetermined', reason: 'no log file was read' };
  const t = wholeSecondTimestamp(head.timestamps);
  if (t === undefined) {
    return {
      result: 'undetermined',
      reason: `none of the ${head.timestamps.length} entries read from the head of a log was logged at a whole second`,
      evidence: { executionId: head.executionId },
    };
  }
  const fileAround = async (
    startTime: number,
    endTime: number,
  ): Promise<BoundaryFile & { entries: number }> => {
    const file = await readLogFile(talend, head.executionId, { startTime, endTime }, MAX_FILE_BYTES, signal);
    const entries = readFileHead(file.text, file.whole).entries;
    const atT = entries.filter((entry) => timestampMs(entry.logTimestamp) === t).length;
    return { atT, whole: file.whole && file.generated.status === 200, entries: entries.length };
  };
  const endingAtT = await fileAround(t - SECOND, t);
  const startingAtT = await fileAround(t, t + SECOND);
  const verdict = boundaryVerdict(endingAtT, startingAtT);
  return {
    result: verdict.result,
    reason: verdict.reason,
    evidence: {
      executionId: head.executionId,
      t: new Date(t).toISOString(),
      fileEndingAtT: endingAtT,
      fileStartingAtT: startingAtT,
      ...(verdict.startTime === undefined ? {} : { startTime: verdict.startTime }),
    },
  };
}
