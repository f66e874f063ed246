import { describeError } from '../common/errors.ts';
import type { RetryEvent } from '../common/retry.ts';
import type { Logger } from '../observability/logger.ts';
import { TalendApiError } from './errors.ts';
import type { StatsRecorder } from './stats.ts';

/**
 * Counts one wait before a retry and logs it: what failed, how, and how long until the next attempt.
 * `fields` must be secret-free (URLs through `safeUrl`).
 */
export function logRetry(
  deps: { stats: StatsRecorder; logger: Logger },
  fields: { operation: string } & Record<string, unknown>,
  event: RetryEvent,
): void {
  deps.stats.retry();
  const reason = failureOf(event.error);
  deps.logger.warn(
    {
      ...fields,
      status: event.error instanceof TalendApiError ? event.error.status : undefined,
      attempt: event.attempt,
      error: reason,
      delayMs: event.delayMs,
      elapsedMs: event.elapsedMs,
      retryAfterMs: event.retryAfterMs,
    },
    `Talend ${fields.operation} failed (${reason}): retrying in ${(event.delayMs / 1000).toFixed(1)} s`,
  );
}

/** An answer's status says it all; a connection's failure is the error the client wrapped. */
function failureOf(error: unknown): string {
  if (error instanceof TalendApiError && error.status !== undefined) {
    return error.status < 300
      ? `HTTP ${error.status} without the JSON body expected`
      : `HTTP ${error.status}`;
  }
  return describeError(error instanceof Error && error.cause !== undefined ? error.cause : error);
}
