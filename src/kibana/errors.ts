import { TalendLogsError, type ErrorContext } from '../common/errors.ts';

/** Where a Kibana failure happened: travels as fields so logs can index it. */
export interface KibanaErrorContext extends ErrorContext {
  /** Kibana's URL without credentials or query. */
  kibana: string;
  space?: string;
  status?: number;
  attempts?: number;
  /** Objects Kibana refused, when it answered an import at all. */
  failedObjects?: number;
  /** The wait Kibana asked for (`Retry-After`): the retry policy honours it. */
  retryAfterMs?: number;
}

/**
 * Kibana could not be used to import the saved objects: unreachable, credentials refused, or some
 * objects rejected. Exit code 5, like an unusable Elasticsearch or Talend.
 */
export class KibanaImportError extends TalendLogsError {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, context: KibanaErrorContext, cause?: unknown) {
    super(message, { category: 'kibana', context, cause });
    this.status = context.status;
    this.retryAfterMs = context.retryAfterMs;
  }
}
