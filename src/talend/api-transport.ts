import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { parseRetryAfter } from '../common/backoff.ts';
import { describeError } from '../common/errors.ts';
import { describeAnswer, productOf } from '../common/http-answer.ts';
import { retry, type RetryPolicy } from '../common/retry.ts';
import { TALEND_API_VERSION, type ErrorResponse } from '../contracts/talend-api.ts';
import type { Logger } from '../observability/logger.ts';
import type { AuthProvider } from './auth.ts';
import {
  NotTalendError,
  TalendApiError,
  TalendNetworkError,
  httpFailureMessage,
  unreachableAdvice,
} from './errors.ts';
import { rateLimitGroup, type RateLimiters } from './rate-limiter.ts';
import { logRetry } from './retry-log.ts';
import type { StatsRecorder } from './stats.ts';

export type QueryValue = string | number | boolean | undefined;

export interface ApiRequest {
  /** Names the call in logs, stats and errors: `generateLog`, `listTasks`, … */
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the base URL, starting with `/`. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: { contentType: string; text: string };
  /** Replaces the bearer token: only the token endpoint, which takes Basic credentials, sets it. */
  authorization?: string;
  executionId?: string;
  taskId?: string;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when the body was empty. */
  body: T;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface ApiTransportDeps {
  pool: Dispatcher;
  baseUrl: URL;
  auth: () => AuthProvider;
  limiters: RateLimiters;
  retry: RetryPolicy;
  stats: StatsRecorder;
  logger: Logger;
  userAgent: string;
  /** Wall clock, for Retry-After given as an HTTP date. */
  now: () => number;
}

/** Error bodies are read for their message only; a proxy's HTML page need not be kept whole. */
const MAX_ERROR_TEXT = 2000;

/**
 * Sends one logical Talend API call: rate limit, credentials, the request itself, and retries of
 * whatever Talend tells us is transient (429, 5xx, dropped connections), ending in a typed error.
 */
export class ApiTransport {
  private readonly basePath: string;
  /** The API URL answered once as Talend does: see checkIdentity. */
  private identified = false;

  constructor(private readonly deps: ApiTransportDeps) {
    this.basePath = deps.baseUrl.pathname.replace(/\/+$/, '');
  }

  /** A call whose answer body, if any, does not matter (DELETE). */
  async send(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse<unknown>> {
    return this.call(request, false, signal);
  }

  /** A call answering a JSON document. */
  async json<T>(request: ApiRequest, signal?: AbortSignal): Promise<ApiResponse<T>> {
    return this.call<T>(request, true, signal);
  }

  /**
   * One attempt sends the request, and sends it again once with a fresh token after a 401; what
   * fails transiently (429, 5xx, a dropped connection) is retried under the retry policy. A 2xx whose
   * body is not the JSON expected counts as transient: a proxy or a reset can cut a chunked body at
   * any byte.
   */
  private async call<T>(
    request: ApiRequest,
    bodyRequired: boolean,
    signal?: AbortSignal,
  ): Promise<ApiResponse<T>> {
    const { deps } = this;
    const group = rateLimitGroup(request.path);
    let retriedAfter401 = false;
    const attempt = async (attempts: number): Promise<ApiResponse<T>> => {
      for (;;) {
        deps.stats.rateLimitWait(await deps.limiters.acquire(group, signal));
        const authorization = request.authorization ?? (await deps.auth().authorization(signal));
        let response: RawResponse;
        try {
          response = await this.dispatch(request, authorization, signal);
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          throw this.networkError(request, error, attempts);
        }
        const { status } = response;
        if (!this.identified && status < 500) {
          // 5xx pages are a proxy's between us and Talend: retried, and no evidence either way.
          this.checkIdentity(request, response);
          this.identified = true;
        }
        if (status >= 200 && status < 300) {
          const body = parseJson(response.text);
          if (body.ok && (body.value !== undefined || !bodyRequired)) {
            return { status, headers: response.headers, body: body.value as T };
          }
          throw this.notJsonError(request, response, attempts);
        }
        if (
          status === 401 &&
          !request.authorization &&
          !retriedAfter401 &&
          deps.auth().invalidate(authorization)
        ) {
          retriedAfter401 = true;
          deps.logger.warn(
            { operation: request.operation },
            'Talend answered 401: refreshing the access token once',
          );
          continue;
        }
        if (status === 429) deps.stats.rateLimitedAnswer(response.headers['retry-after'] !== undefined);
        throw this.httpError(request, response, attempts);
      }
    };
    return retry(attempt, deps.retry, signal, (event) => {
      if (event.error instanceof TalendApiError && event.error.status === 429) {
        deps.limiters.pause(group, event.delayMs);
      }
      logRetry(deps, { operation: request.operation, executionId: request.executionId }, event);
    });
  }

  private async dispatch(
    request: ApiRequest,
    authorization: string,
    signal?: AbortSignal,
  ): Promise<RawResponse> {
    const { deps } = this;
    deps.stats.request(request.operation);
    const startedAt = performance.now();
    const headers: Record<string, string> = {
      authorization,
      'talend-version': TALEND_API_VERSION,
      'user-agent': deps.userAgent,
      accept: 'application/json',
    };
    if (request.body) headers['content-type'] = request.body.contentType;
    const response = await deps.pool.request({
      path: this.basePath + request.path + queryString(request.query),
      method: request.method,
      headers,
      body: request.body?.text,
      signal,
    });
    const text = await response.body.text();
    deps.logger.debug(
      {
        operation: request.operation,
        method: request.method,
        path: request.path,
        query: request.query,
        status: response.statusCode,
        durationMs: Math.round(performance.now() - startedAt),
      },
      'Talend API call',
    );
    return { status: response.statusCode, headers: response.headers, text };
  }

  private httpError(request: ApiRequest, response: RawResponse, attempts: number): TalendApiError {
    const error = parseErrorResponse(response.text);
    const retryAfterMs = parseRetryAfter(headerValue(response.headers['retry-after']), this.deps.now());
    const requestId = error?.requestId ?? headerValue(response.headers['x-request-id']);
    const serverMessage =
      [error?.message, error?.detail].filter(Boolean).join(' - ').slice(0, MAX_ERROR_TEXT) || undefined;
    const context = {
      operation: request.operation,
      status: response.status,
      requestId,
      executionId: request.executionId,
      taskId: request.taskId,
      attempts,
      serverMessage,
      retryAfterMs,
    };
    return new TalendApiError(httpFailureMessage({ ...context, authKind: this.deps.auth().kind }), context);
  }

  /**
   * On first contact, that the API URL is Talend's: Talend answers JSON (documents and
   * `ErrorResponse`s alike), never an HTML page, and is no Elastic product. Anything else is named,
   * with what it answered, before its answer is read as tasks or executions (or as an error of them).
   */
  private checkIdentity(request: ApiRequest, response: RawResponse): void {
    const body = response.text.trim();
    const product = productOf(response.headers);
    const html = /html/i.test(headerValue(response.headers['content-type']) ?? '');
    if (product === undefined && !html && (body === '' || parseJson(body).ok)) return;
    const found = describeAnswer({ status: response.status, headers: response.headers, body: response.text });
    throw new NotTalendError(
      `${this.deps.baseUrl.origin} is not Talend's API: ${request.operation} answered ${found}. ` +
        'Check --talend-url / TALEND_API_URL (or TALEND_REGION): it must be https://api.<region>.cloud.talend.com ' +
        'or a proxy to it.',
      { operation: request.operation, status: response.status, found },
    );
  }

  private notJsonError(request: ApiRequest, response: RawResponse, attempts: number): TalendApiError {
    return new TalendApiError(
      `Talend ${request.operation} answered HTTP ${response.status} without the expected JSON body, ${attempts} times: check that the API URL points at Talend and not at a proxy page.`,
      {
        operation: request.operation,
        status: response.status,
        requestId: headerValue(response.headers['x-request-id']),
        executionId: request.executionId,
        taskId: request.taskId,
        attempts,
        retryable: true,
      },
    );
  }

  private networkError(request: ApiRequest, error: unknown, attempts: number): TalendNetworkError {
    return new TalendNetworkError(
      `Could not reach Talend for ${request.operation} at ${this.deps.baseUrl.origin} after ${attempts} attempts (${describeError(error)}): ${unreachableAdvice(error, 'check the network, proxy and API URL.')}`,
      { operation: request.operation, executionId: request.executionId, taskId: request.taskId, attempts },
      error,
    );
  }
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Talend's `ErrorResponse`, when the body is one; a gateway's page or plain text is summarised. */
function parseErrorResponse(text: string): Partial<ErrorResponse> | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (parsed && typeof parsed === 'object') return parsed as Partial<ErrorResponse>;
  } catch {
    // A gateway or proxy answered, not Talend: its text is still the best clue for the operator.
  }
  return { message: trimmed };
}
