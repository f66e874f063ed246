import { Transform, pipeline, type Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { parseRetryAfter } from '../common/backoff.ts';
import { describeError } from '../common/errors.ts';
import { retry, type RetryPolicy } from '../common/retry.ts';
import { registerShortLivedSecret, safeUrl } from '../common/secrets.ts';
import type { Logger } from '../observability/logger.ts';
import { headerValue } from './api-transport.ts';
import { PresignedUrlExpiredError, TalendApiError, TalendNetworkError, unreachableAdvice } from './errors.ts';
import { logRetry } from './retry-log.ts';
import type { StatsRecorder } from './stats.ts';

export interface LogDownload {
  /**
   * The bytes as sent: undici's `request` does not decompress. The pipeline undoes `contentEncoding`
   * and recognizes gzip by its bytes (see decodeBody).
   */
  body: Readable;
  contentEncoding?: string;
  /** Quoted when the file turns out unreadable. */
  contentType?: string;
  contentLength?: number;
}

export interface PresignedDownloaderDeps {
  /** A dispatcher of its own: presigned URLs point at any object-store host, never at the API. */
  agent: Dispatcher;
  retry: RetryPolicy;
  stats: StatsRecorder;
  logger: Logger;
  userAgent: string;
}

const OPERATION = 'download';

/**
 * The answers an object store gives once a presigned URL's time is up: only these are cured by a
 * fresh URL from `/logs/status`. Any other refusal (a signature that does not match, a missing
 * permission) stays an error.
 * - S3: 403 `AccessDenied` "Request has expired"; 400 `ExpiredToken` when the temporary
 *   credentials that signed the URL ran out first.
 * - Azure Blob: 403 `AuthenticationFailed` ("Server failed to authenticate the request…") whose
 *   `AuthenticationErrorDetail` puts the moment of use outside the signature's time frame; without
 *   a signed start, Azure words that as an expiry before the start.
 */
const EXPIRED_ANSWERS: readonly { status: number; body: RegExp }[] = [
  { status: 403, body: /<Code>AccessDenied<\/Code>\s*<Message>Request has expired<\/Message>/ },
  { status: 400, body: /<Code>ExpiredToken<\/Code>/ },
  {
    status: 403,
    body: /<Code>AuthenticationFailed<\/Code>[\s\S]*<AuthenticationErrorDetail>\s*(?:Signature not valid in the specified time frame|Signed expiry time \[[^\]]*\] (?:must|has to) be after signed start time)/,
  },
];

export function isExpiredUrlAnswer(status: number, body: string): boolean {
  return EXPIRED_ANSWERS.some((answer) => answer.status === status && answer.body.test(body));
}

/** The store's error code (S3 and Azure both answer `<Error><Code>…</Code>…`): safe to show, unlike its URL. */
function storeErrorCode(body: string): string | undefined {
  return /<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(body)?.[1];
}

/** Opens a presigned log URL: a plain GET without our credentials, whose query is its signature. */
export class PresignedDownloader {
  constructor(private readonly deps: PresignedDownloaderDeps) {}

  async open(url: string, executionId: string | undefined, signal?: AbortSignal): Promise<LogDownload> {
    registerPresignedUrl(url);
    const { deps } = this;
    const target = new URL(url);
    const where = { operation: OPERATION, executionId };
    const attempt = async (attempts: number): Promise<LogDownload> => {
      deps.stats.request(OPERATION);
      let response: Dispatcher.ResponseData;
      try {
        response = await deps.agent.request({
          origin: target.origin,
          path: target.pathname + target.search,
          method: 'GET',
          headers: { 'accept-encoding': 'gzip', 'user-agent': deps.userAgent },
          signal,
        });
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw new TalendNetworkError(
          `Could not download the log file after ${attempts} attempts (${describeError(error)}): ${unreachableAdvice(error, 'check the network and proxy.')} URL: ${safeUrl(target)}`,
          { ...where, attempts },
          error,
        );
      }
      const status = response.statusCode;
      deps.logger.debug({ ...where, url: safeUrl(target), status }, 'log file request');
      if (status === 200) return this.toDownload(response);
      const text = await response.body.text().catch(() => '');
      const code = storeErrorCode(text);
      const retryAfter = headerValue(response.headers['retry-after']);
      if (status === 429) deps.stats.rateLimitedAnswer(retryAfter !== undefined);
      if (isExpiredUrlAnswer(status, text)) {
        throw new PresignedUrlExpiredError(
          `The presigned URL of the log file expired before it was downloaded (${code}); ask /logs/status for a fresh one. URL: ${safeUrl(target)}`,
          { ...where, status, serverMessage: code },
        );
      }
      throw new TalendApiError(
        `The object store refused the log file download with HTTP ${status}${code === undefined ? '' : ` (${code})`} after ${attempts} attempts. URL: ${safeUrl(target)}`,
        { ...where, status, attempts, serverMessage: code, retryAfterMs: parseRetryAfter(retryAfter) },
      );
    };
    return retry(attempt, deps.retry, signal, (event) =>
      logRetry(deps, { ...where, url: safeUrl(target) }, event),
    );
  }

  private toDownload(response: Dispatcher.ResponseData): LogDownload {
    const length = Number(headerValue(response.headers['content-length']));
    return {
      body: this.countBytes(response.body),
      contentEncoding: headerValue(response.headers['content-encoding'])?.toLowerCase(),
      contentType: headerValue(response.headers['content-type']),
      contentLength: Number.isFinite(length) ? length : undefined,
    };
  }

  private countBytes(body: Readable): Readable {
    const stats = this.deps.stats;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        stats.downloaded(chunk.length);
        callback(null, chunk);
      },
    });
    // Errors reach the consumer through `counter`, which pipeline destroys with them.
    pipeline(body, counter, () => undefined);
    return counter;
  }
}

/** Query parameters that grant access (S3, GCS, Azure SAS); the rest (dates, scopes) are harmless. */
const SIGNING_PARAM = /signature|security-token|^sig$/i;

/**
 * URLs are logged through `safeUrl`, but the signature itself is registered too, so it is scrubbed
 * even where it shows up without its URL (a store's error text, a stack). Only the signing values:
 * every registered secret costs a scan of each log line, and these only while they are recent.
 */
export function registerPresignedUrl(url: string): void {
  for (const [name, value] of new URL(url).searchParams) {
    if (SIGNING_PARAM.test(name)) registerShortLivedSecret(value);
  }
}
