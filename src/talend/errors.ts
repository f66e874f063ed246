import { TalendLogsError, type ErrorContext } from '../common/errors.ts';
import { isCertificateError } from '../common/tls-errors.ts';

/** Where a Talend failure happened: travels as fields so logs and summaries can index it. */
export interface TalendErrorContext extends ErrorContext {
  operation: string;
  status?: number;
  requestId?: string;
  executionId?: string;
  taskId?: string;
  attempts?: number;
  /** Talend's `ErrorResponse.message` and `detail`, when it sent them. */
  serverMessage?: string;
  /** The wait Talend asked for (`Retry-After`): the retry policy honours it. */
  retryAfterMs?: number;
}

/**
 * Base of every failure talking to Talend (its API or the object store behind presigned URLs).
 * `requestId` is Talend's own `ErrorResponse.requestId`: quote it to Talend support.
 */
export class TalendApiError extends TalendLogsError {
  readonly operation: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly executionId: string | undefined;
  readonly taskId: string | undefined;
  readonly serverMessage: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, context: TalendErrorContext, cause?: unknown) {
    super(message, { category: 'talend', context, cause });
    this.operation = context.operation;
    this.status = context.status;
    this.requestId = context.requestId;
    this.executionId = context.executionId;
    this.taskId = context.taskId;
    this.serverMessage = this.context.serverMessage as string | undefined;
    this.retryAfterMs = context.retryAfterMs;
  }
}

/** The API URL answers, but not as Talend: an HTML page, Elasticsearch, Kibana. */
export class NotTalendError extends TalendApiError {}

/** No HTTP answer at all (refused, reset, timed out) after every allowed attempt. */
export class TalendNetworkError extends TalendApiError {}

/**
 * `POST /logs` answered 404 for an execution the listing returned: Talend holds no log for it
 * (rejected before it started, or not written yet while it is dispatching).
 */
export class LogNotFoundError extends TalendApiError {}

/** `/logs/status` never said READY within the bounded wait. */
export class LogNotReadyError extends TalendApiError {}

/** Talend no longer knows the log token (older than its one-hour life, or unknown): generate again. */
export class LogTokenExpiredError extends TalendApiError {}

/** The object store refused a presigned URL because its signature expired: ask `/logs/status` again. */
export class PresignedUrlExpiredError extends TalendApiError {}

/** The backward walk over 206 answers could not move further back without risking lost entries. */
export class ChunkWalkStalledError extends TalendApiError {}

/**
 * What to check when no answer came at all: a certificate nobody told us to trust is a setting to
 * change, not a network to fix.
 */
export function unreachableAdvice(error: unknown, otherwise: string): string {
  return isCertificateError(error)
    ? "the server's TLS certificate is not trusted: if a proxy inspects TLS, give its CA with --talend-ca-cert FILE " +
        '(TALEND_CA_CERT). --talend-insecure-skip-tls-verify turns the check off (never in production).'
    : otherwise;
}

export type AuthKind = 'pat' | 'serviceAccount';

export interface HttpFailure extends TalendErrorContext {
  status: number;
  authKind: AuthKind;
}

/** The operator-facing explanation of an HTTP failure: what happened and what to do about it. */
export function httpFailureMessage(failure: HttpFailure): string {
  const target = describeTarget(failure);
  const said = failure.serverMessage ? ` Talend said: "${failure.serverMessage}".` : '';
  const requestId = failure.requestId ? ` Request id: ${failure.requestId}.` : '';
  const attempts = failure.attempts ?? 1;
  return `Talend ${failure.operation}${target} failed with HTTP ${failure.status}: ${advice(failure, attempts)}${said}${requestId}`;
}

function describeTarget(context: TalendErrorContext): string {
  if (context.executionId) return ` for execution ${context.executionId}`;
  if (context.taskId) return ` for task ${context.taskId}`;
  return '';
}

function advice(failure: HttpFailure, attempts: number): string {
  const { status } = failure;
  if (status === 400) {
    return 'the request was rejected as invalid. Execution ids must be UUIDs and dates must read yyyy-mm-ddThh:mm:ssZ; check the ids and time range given.';
  }
  if (status === 401) {
    if (failure.authKind === 'pat') {
      return 'the personal access token is invalid, expired or revoked. Create a new one in the Talend Cloud Portal (Profile Preferences > Personal Access Tokens) and configure it.';
    }
    const audience =
      failure.operation === 'token'
        ? " The token request's audience is the region's API URL: check TALEND_REGION, or set TALEND_OAUTH_AUDIENCE."
        : '';
    return `the service account credentials were refused. Check the service account client id and secret, and that the account is still enabled.${audience}`;
  }
  if (status === 403) {
    return failure.operation === 'deleteLogs'
      ? 'permission missing: deleting logs needs the Execution Logs - Delete permission (EXECUTION_LOGS_DELETE).'
      : "permission missing: the token's user or service account needs the Viewer, Author and Executor permissions on the task's workspace.";
  }
  if (status === 404) return 'not found: the execution or task is unknown, or was deleted.';
  if (status === 429) {
    return `still rate limited after ${attempts} attempts. Lower the connector's concurrency or its configured rate limits (Talend allows 600 monitoring and 1800 processing/orchestration calls a minute per IP).`;
  }
  if (status >= 500) {
    const partial =
      failure.operation === 'deleteLogs' ? ' Some, or none, of the logs may have been deleted.' : '';
    return `Talend failed on its side after ${attempts} attempts.${partial} Retry later; if it persists, contact Talend support with the request id.`;
  }
  return 'unexpected answer.';
}
