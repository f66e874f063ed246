import { TalendLogsError } from '../common/errors.ts';
import { TalendApiError, TalendNetworkError, PresignedUrlExpiredError } from '../talend/errors.ts';

/**
 * How a failure inside one execution's work affects the run:
 * - `fatal`: every other execution would fail the same way (Elasticsearch down or refusing
 *   writes, Talend credentials rejected): stop the run and count no attempt against the execution;
 * - `gone`: Talend no longer knows a run the checkpoint tracks (deleted between two syncs): give it up;
 * - `retry-chunk`: a transient transfer failure, or an object store that does not have the file
 *   yet (404 on the presigned URL): download the chunk again;
 * - `execution`: this execution failed; the next run retries it, up to the attempt limit.
 */
export type FailureKind = 'fatal' | 'gone' | 'retry-chunk' | 'execution' | 'interrupted';

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_ABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'Z_BUF_ERROR',
  'Z_DATA_ERROR',
]);

export function classifyFailure(error: unknown, signal?: AbortSignal): FailureKind {
  if (signal?.aborted) return 'interrupted';
  if (error instanceof TalendLogsError) {
    if (error.category === 'elasticsearch' || error.category === 'config') return 'fatal';
    if (error.category === 'interrupted') return 'interrupted';
    if (error instanceof TalendApiError) {
      if (error.status === 401) return 'fatal';
      if (error instanceof TalendNetworkError || error instanceof PresignedUrlExpiredError)
        return 'retry-chunk';
      if (error.status === 404) {
        if (error.operation === 'getExecution') return 'gone';
        if (error.operation === 'download') return 'retry-chunk';
      }
      return 'execution';
    }
    if (error.context.retryable === true) return 'retry-chunk';
    return 'execution';
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && TRANSIENT_CODES.has(code)) return 'retry-chunk';
  return 'execution';
}
