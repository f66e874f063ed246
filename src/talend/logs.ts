import { performance } from 'node:perf_hooks';
import { sleep } from '../common/backoff.ts';
import {
  NEXT_END_TIME_HEADER,
  type GenerateLogResponse,
  type LogFileFormat,
  type LogStatusResponse,
  type LogsPage,
  type StatusBodyType,
} from '../contracts/talend-api.ts';
import type { TalendClientTuning } from '../config/services.ts';
import type { Logger } from '../observability/logger.ts';
import { formatApiDate, parseNextEndTime } from './api-dates.ts';
import { headerValue, type ApiTransport } from './api-transport.ts';
import {
  LogNotFoundError,
  LogNotReadyError,
  LogTokenExpiredError,
  TalendApiError,
  type TalendErrorContext,
} from './errors.ts';
import { registerPresignedUrl } from './presigned-download.ts';

export interface GeneratedLog {
  status: 200 | 206;
  /** Lines or bytes depending on which Talend page you read: informational only. */
  size: number;
  token: string;
  /** Epoch ms parsed from `X-Log-Next-Request-End-Time` (206 only). */
  nextEndTime?: number;
  /** The header as Talend wrote it, whose format is undocumented (`talend-logs probe` reports it). */
  nextEndTimeHeader?: string;
  /** Our clock when Talend answered: the token lives one hour from about then. */
  generatedAt: number;
}

export interface GenerateLogParams {
  fileFormat?: LogFileFormat;
  /** Epoch ms; whole seconds are sent as `yyyy-mm-ddThh:mm:ssZ`, anything finer with milliseconds. */
  startTime?: number;
  endTime?: number;
}

export interface PageLogsParams {
  count?: number;
  startIndex?: number;
  order?: 'ASC' | 'DESC';
  startTime?: number;
  endTime?: number;
}

const READY = 'READY';
/** Status values by which Talend could say it no longer knows the token (none is documented). */
const TOKEN_GONE = /EXPIRED|UNKNOWN|NOT_FOUND|INVALID/i;
/** A 400 that blames the body's media type rather than its content. */
const CONTENT_TYPE_COMPLAINT = /content[- ]?type|media[- ]?type|text\/plain|application\/json|unsupported/i;

/** The `/monitoring/executions/{id}/logs` family: generate, status, page through, delete. */
export class LogOperations {
  /**
   * The reference declares the status body a JSON string, the guide plain text. Calls start with
   * the form last accepted (the reference's until then); each call that is refused for its media
   * type retries once in the other form, whatever concurrent calls meanwhile learned.
   */
  private statusBodyAcceptedType: StatusBodyType | undefined;

  constructor(
    private readonly transport: ApiTransport,
    private readonly statusPoll: TalendClientTuning['statusPoll'],
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  async generateLog(
    executionId: string,
    params: GenerateLogParams,
    signal?: AbortSignal,
  ): Promise<GeneratedLog> {
    const request = {
      operation: 'generateLog',
      method: 'POST' as const,
      path: logsPath(executionId),
      query: {
        fileFormat: params.fileFormat ?? 'JSON',
        startTime: optionalDate(params.startTime),
        endTime: optionalDate(params.endTime),
        newFileName: true,
      },
      executionId,
    };
    const { status, headers, body } = await this.transport
      .json<GenerateLogResponse>(request, signal)
      .catch((error: unknown) => {
        if (!(error instanceof TalendApiError) || error.status !== 404) throw error;
        throw new LogNotFoundError(
          `Talend has no log for execution ${executionId} (HTTP 404 on generateLog).`,
          { ...(error.context as TalendErrorContext), operation: 'generateLog', status: 404 },
          error,
        );
      });
    if (typeof body?.token !== 'string' || body.token === '') {
      throw new TalendApiError(`Talend generateLog for execution ${executionId} answered without a token.`, {
        operation: 'generateLog',
        status,
        executionId,
      });
    }
    const rawNextEndTime = headerValue(headers[NEXT_END_TIME_HEADER]);
    const nextEndTime = parseNextEndTime(rawNextEndTime);
    if (rawNextEndTime !== undefined && nextEndTime === undefined) {
      throw new TalendApiError(
        `Talend generateLog for execution ${executionId} sent an unreadable ${NEXT_END_TIME_HEADER} header "${rawNextEndTime}": the log cannot be walked safely.`,
        { operation: 'generateLog', status, executionId },
      );
    }
    const size = Number(body.size);
    return {
      status: status === 206 ? 206 : 200,
      size: Number.isFinite(size) ? size : 0,
      token: body.token,
      nextEndTime,
      nextEndTimeHeader: rawNextEndTime,
      generatedAt: this.now(),
    };
  }

  /** The form of the last `/logs/status` body Talend accepted; undefined before any was. */
  get statusBodyAccepted(): StatusBodyType | undefined {
    return this.statusBodyAcceptedType;
  }

  /** One `/logs/status` call. */
  async logStatus(executionId: string, token: string, signal?: AbortSignal): Promise<LogStatusResponse> {
    const sent = this.statusBodyAcceptedType ?? 'application/json';
    try {
      return await this.requestStatus(executionId, token, sent, signal);
    } catch (error) {
      if (!rejectsContentType(error)) throw toTokenError(error, executionId);
      const other = sent === 'application/json' ? 'text/plain' : 'application/json';
      this.logger.info(
        { executionId, refused: sent },
        `Talend refused a ${sent} status body: sending the token as ${other}`,
      );
      return this.requestStatus(executionId, token, other, signal).catch((retryError: unknown) => {
        throw toTokenError(retryError, executionId);
      });
    }
  }

  /**
   * Polls `/logs/status` until READY with a URL, waiting longer between polls up to `maxMs`, and
   * gives up after `maxWaitMs` in all: a file that is never ready must not hold a worker forever.
   */
  async waitForLogFile(executionId: string, token: string, signal?: AbortSignal): Promise<string> {
    const { initialMs, maxMs, maxWaitMs } = this.statusPoll;
    const deadline = performance.now() + maxWaitMs;
    let delay = initialMs;
    for (let polls = 1; ; polls++) {
      const answer = await this.logStatus(executionId, token, signal);
      if (answer.status === READY && answer.presignedURL) {
        registerPresignedUrl(answer.presignedURL);
        return answer.presignedURL;
      }
      if (typeof answer.status === 'string' && TOKEN_GONE.test(answer.status)) {
        throw new LogTokenExpiredError(
          `Talend no longer knows the log token of execution ${executionId} (status ${answer.status}): generate the log again.`,
          { operation: 'logStatus', executionId },
        );
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new LogNotReadyError(
          `The log file of execution ${executionId} was still not ready after ${polls} status checks over ${(maxWaitMs / 1000).toFixed(1)} s (last status: ${String(answer.status)}). Retry later; Talend may be overloaded.`,
          { operation: 'logStatus', executionId, attempts: polls },
        );
      }
      await sleep(Math.min(delay, left), signal);
      delay = Math.min(maxMs, delay * 2);
    }
  }

  async pageLogs(executionId: string, params: PageLogsParams, signal?: AbortSignal): Promise<LogsPage> {
    const { body } = await this.transport.json<LogsPage>(
      {
        operation: 'pageLogs',
        method: 'GET',
        path: logsPath(executionId),
        query: {
          count: params.count,
          startIndex: params.startIndex,
          order: params.order,
          startTime: optionalDate(params.startTime),
          endTime: optionalDate(params.endTime),
        },
        executionId,
      },
      signal,
    );
    return body;
  }

  async deleteLogs(executionId: string, signal?: AbortSignal): Promise<void> {
    await this.transport.send(
      { operation: 'deleteLogs', method: 'DELETE', path: logsPath(executionId), executionId },
      signal,
    );
  }

  /** A success settles which form later calls start with. */
  private async requestStatus(
    executionId: string,
    token: string,
    type: StatusBodyType,
    signal?: AbortSignal,
  ): Promise<LogStatusResponse> {
    const text = type === 'application/json' ? JSON.stringify(token) : token;
    const { body: answer } = await this.transport.json<LogStatusResponse>(
      {
        operation: 'logStatus',
        method: 'POST',
        path: `${logsPath(executionId)}/status`,
        body: { contentType: type, text },
        executionId,
      },
      signal,
    );
    this.statusBodyAcceptedType = type;
    return answer;
  }
}

function logsPath(executionId: string): string {
  return `/monitoring/executions/${encodeURIComponent(executionId)}/logs`;
}

function optionalDate(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : formatApiDate(ms);
}

function rejectsContentType(error: unknown): boolean {
  if (!(error instanceof TalendApiError)) return false;
  return (
    error.status === 415 || (error.status === 400 && CONTENT_TYPE_COMPLAINT.test(error.serverMessage ?? ''))
  );
}

/**
 * An unknown token is undocumented: a 404 or 410, or a 400 naming the token, most likely means it
 * expired. (A 404 for a deleted execution then surfaces on the regeneration that follows.)
 */
function toTokenError(error: unknown, executionId: string): unknown {
  if (!(error instanceof TalendApiError) || error instanceof LogTokenExpiredError) return error;
  const gone =
    error.status === 404 ||
    error.status === 410 ||
    (error.status === 400 && /token/i.test(error.serverMessage ?? ''));
  if (!gone) return error;
  return new LogTokenExpiredError(
    `Talend does not know the log token of execution ${executionId} (HTTP ${error.status}): generate the log again.`,
    { operation: 'logStatus', status: error.status, requestId: error.requestId, executionId },
    error,
  );
}
