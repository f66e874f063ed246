import { TalendLogsError } from '../common/errors.ts';
import { isTransient } from '../common/transient.ts';
import {
  NotTalendError,
  PresignedUrlExpiredError,
  TalendApiError,
  TalendNetworkError,
} from '../talend/errors.ts';

/**
 * How a failure inside one execution's work affects the run:
 * - `fatal`: every other execution would fail the same way (Elasticsearch down or refusing
 *   writes, Talend credentials rejected, the API URL not Talend's): stop the run and count no attempt
 *   against the execution;
 * - `gone`: Talend no longer knows a run the checkpoint tracks (deleted between two syncs): give it up;
 * - `retry-chunk`: a transient transfer failure, or an object store that does not have the file
 *   yet (404 on the presigned URL): download the chunk again;
 * - `execution`: this execution failed; the next run retries it, up to the attempt limit;
 * - `interrupted`: the run was stopped (a signal, or its lease lost): nothing is counted.
 */
export type FailureKind = 'fatal' | 'gone' | 'retry-chunk' | 'execution' | 'interrupted';

export function classifyFailure(error: unknown, signal?: AbortSignal): FailureKind {
  if (signal?.aborted) return 'interrupted';
  if (error instanceof TalendLogsError) {
    if (error.category === 'elasticsearch' || error.category === 'config') return 'fatal';
    if (error.category === 'interrupted') return 'interrupted';
    if (error instanceof TalendApiError) {
      if (error.status === 401 || error instanceof NotTalendError) return 'fatal';
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
  return isTransient(error) ? 'retry-chunk' : 'execution';
}
