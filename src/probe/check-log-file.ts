/** Point 4: the downloaded log file's shape, compression and `logTimestamp` type, from its head. */
import type { TalendExecution } from '../contracts/talend-api.ts';
import { LogNotFoundError, type TalendApiClient } from '../talend/index.ts';
import { classifyTimestamp, readFileHead, timestampMs } from './classify-log-file.ts';
import { isRejected } from './classify-runs.ts';
import type { ExecutionSample } from './execution-sample.ts';
import { readLogFile } from './log-file-read.ts';
import type { ProbeReport } from './report.ts';

type Points = ProbeReport['points'];

/** "A few KB": enough for dozens of entries, never a whole large log. */
const HEAD_BYTES = 16 * 1024;
const MAX_RUNS_TRIED = 3;

export interface LogFilePoints {
  logFileShape: Points['logFileShape'];
  logCompression: Points['logCompression'];
  logTimestamp: Points['logTimestamp'];
  /** The run read and the timestamps (epoch ms) of the entries in its head, for the boundary check. */
  head?: { executionId: string; timestamps: (number | undefined)[] };
}

/** The named run, else the finished runs that are not rejected, successful ones and newest first. */
function logFileRuns(sample: ExecutionSample): TalendExecution[] {
  if (sample.chosen) return [sample.chosen];
  const finished = sample.executions.filter((run) => run.finishTimestamp !== undefined && !isRejected(run));
  const rank = (run: TalendExecution) => (run.status === 'execution_successful' ? 0 : 1);
  return finished.sort(
    (a, b) => rank(a) - rank(b) || Date.parse(b.finishTimestamp!) - Date.parse(a.finishTimestamp!),
  );
}

export async function logFilePoints(
  talend: TalendApiClient,
  sample: ExecutionSample,
  signal?: AbortSignal,
): Promise<LogFilePoints> {
  for (const run of logFileRuns(sample).slice(0, MAX_RUNS_TRIED)) {
    try {
      return await readHead(talend, run.executionId, signal);
    } catch (error) {
      if (!(error instanceof LogNotFoundError)) throw error;
    }
  }
  const reason = 'no finished run with a log was listed';
  return {
    logFileShape: { result: 'undetermined', reason },
    logCompression: { result: 'undetermined', reason },
    logTimestamp: { result: 'undetermined', reason },
  };
}

async function readHead(
  talend: TalendApiClient,
  executionId: string,
  signal?: AbortSignal,
): Promise<LogFilePoints> {
  const file = await readLogFile(talend, executionId, {}, HEAD_BYTES, signal);
  const head = readFileHead(file.text, file.whole);
  const read = { executionId, bytesRead: file.bytesRead, wholeFile: file.whole };
  const kinds = [...new Set(head.entries.map((entry) => classifyTimestamp(entry.logTimestamp)))];
  const logTimestamp: Points['logTimestamp'] =
    kinds.length === 1
      ? {
          result: kinds[0]!,
          evidence: { entries: head.entries.length, example: head.entries[0]?.logTimestamp },
        }
      : {
          result: 'undetermined',
          reason: kinds.length === 0 ? 'the head of the file held no complete entry' : 'entries disagree',
          evidence: { entries: head.entries.length, kinds },
        };
  return {
    logFileShape: {
      result: head.shape,
      evidence: {
        ...read,
        ...(head.arrayKey === undefined ? {} : { arrayKey: head.arrayKey }),
        entries: head.entries.length,
        entryFields: [...new Set(head.entries.flatMap((entry) => Object.keys(entry)))],
      },
    },
    logCompression: {
      result: file.gzipBytes ? 'gzip' : 'none',
      evidence: {
        gzipMagicBytes: file.gzipBytes,
        contentEncoding: file.contentEncoding ?? null,
        contentType: file.contentType ?? null,
      },
    },
    logTimestamp,
    head: { executionId, timestamps: head.entries.map((entry) => timestampMs(entry.logTimestamp)) },
  };
}
