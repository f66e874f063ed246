import { errors } from '@elastic/elasticsearch';
import { parseRetryAfter } from './backoff.ts';
import { chainMatches } from './error-chain.ts';
import { TalendLogsError } from './errors.ts';
import { isCertificateError } from './tls-errors.ts';

/**
 * Socket, stream and decompression failures (Node's and undici's codes) after which the same request
 * may well pass: the connection broke, not the request.
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_ABORTED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
  'Z_BUF_ERROR',
  'Z_DATA_ERROR',
]);
const TRANSIENT_MESSAGE = /socket hang up|other side closed/i;

/**
 * Whether another attempt at the same call may succeed: the one classifier of every retry (Talend's
 * API and object store, Elasticsearch, a chunk downloaded again). Transient are:
 * - an HTTP answer 429 (too many requests) or 5xx, from Talend, the object store or Elasticsearch;
 * - a connection that failed, broke or timed out: Node and undici codes anywhere in the `cause`
 *   chain, and the Elasticsearch client's connection, timeout and no-living-node errors;
 * - our own errors marked `retryable` (a body cut short, a 2xx answer that is not the JSON expected).
 * An untrusted certificate never is: only a setting can fix it.
 */
export function isTransient(error: unknown): boolean {
  if (isCertificateError(error)) return false;
  if (error instanceof TalendLogsError && error.context.retryable === true) return true;
  const status = httpStatusOf(error);
  if (status !== undefined) return status === 429 || status >= 500;
  return (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError ||
    chainMatches(error, TRANSIENT_CODES, TRANSIENT_MESSAGE)
  );
}

/**
 * The HTTP status an error reports about itself (the Elasticsearch client's `statusCode`, our
 * Talend errors' `status`); not one it wraps, which was already judged where it was thrown.
 */
function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof errors.ResponseError) return error.statusCode;
  const status = (error as { status?: unknown } | null | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The wait a server asked for before the next attempt (`Retry-After`), when the error carries one:
 * our errors as `retryAfterMs`, the Elasticsearch client's with the answer's headers.
 */
export function serverDelayOf(error: unknown, now: number = Date.now()): number | undefined {
  if (error instanceof errors.ResponseError) {
    const header = error.headers?.['retry-after'];
    return parseRetryAfter(Array.isArray(header) ? header[0] : header, now);
  }
  const delay = (error as { retryAfterMs?: unknown } | null | undefined)?.retryAfterMs;
  return typeof delay === 'number' ? delay : undefined;
}
