import type {
  ExecutionsPage,
  LogFileFormat,
  LogsPage,
  TalendExecution,
  TalendExecutionDetail,
  TalendTask,
  TalendWorkspace,
} from '../contracts/talend-api.ts';
import type { RetryPolicy } from '../common/retry.ts';
import type { Logger } from '../observability/logger.ts';
import type { TalendAuth } from './auth.ts';
import type { ChunkWalkParams, LogChunk } from './chunk-walk.ts';
import type { ExecutionFilter, ExecutionsPageQuery, ExecutionWindow } from './executions.ts';
import type { GeneratedLog, PageLogsParams } from './logs.ts';
import type { LogDownload } from './presigned-download.ts';
import type { TalendClientStats } from './stats.ts';
import type { TaskFilter } from './tasks.ts';

export interface TalendClientOptions {
  baseUrl: URL;
  auth: TalendAuth;
  /** The `audience` of service-account token requests. Default: `resolveOAuthAudience` of `baseUrl` alone. */
  oauthAudience?: string;
  logger?: Logger;
  /** Over the defaults of DEFAULT_RETRY_POLICY. */
  retry?: Partial<RetryPolicy>;
  /** Requests per minute per API family; 0 = unlimited. Defaults: Talend's documented 600/1800/1800. */
  rateLimits?: {
    monitoringPerMinute?: number;
    processingPerMinute?: number;
    orchestrationPerMinute?: number;
  };
  statusPoll?: { initialMs?: number; maxMs?: number; maxWaitMs?: number };
  /** Applies to the API and to presigned URLs alike (a TLS-inspecting proxy sits in front of both). */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Keep-alive connections per origin. Default 8. */
  connections?: number;
  /** Time allowed for response headers (and between body chunks). Default 60000. */
  requestTimeoutMs?: number;
  /** Wall clock (epoch ms): token expiry and log token age. Default Date.now. */
  now?: () => number;
}

export interface TalendClient {
  listWorkspaces(signal?: AbortSignal): Promise<TalendWorkspace[]>;
  /** Pages of 100, fetched as the consumer asks. */
  listTasks(filter?: TaskFilter, signal?: AbortSignal): AsyncIterable<TalendTask>;
  /**
   * Both execution listings split [from, to] into windows of at most 60 days, page with
   * offset/limit=100, and yield each execution once even if it overlaps two windows.
   */
  listTaskExecutions(
    taskId: string,
    window: ExecutionWindow,
    signal?: AbortSignal,
  ): AsyncIterable<TalendExecution>;
  listExecutions(filter: ExecutionFilter, signal?: AbortSignal): AsyncIterable<TalendExecution>;
  /** One listing page as Talend answers it (`total` may be absent), without windows or paging. */
  taskExecutionsPage(
    taskId: string,
    query: ExecutionsPageQuery,
    signal?: AbortSignal,
  ): Promise<Partial<ExecutionsPage>>;
  getExecution(executionId: string, signal?: AbortSignal): Promise<TalendExecutionDetail>;
  generateLog(
    executionId: string,
    params: { fileFormat?: LogFileFormat; startTime?: number; endTime?: number },
    signal?: AbortSignal,
  ): Promise<GeneratedLog>;
  /**
   * Polls `/logs/status` with backoff until READY and returns the presigned URL; anything else counts
   * as not ready, up to `statusPoll.maxWaitMs` (then LogNotReadyError).
   */
  waitForLogFile(executionId: string, token: string, signal?: AbortSignal): Promise<string>;
  /** How `/logs/status` bodies are sent now: `application/json` once Talend has refused `text/plain`. */
  logStatusBodyType(): 'text/plain' | 'application/json';
  /** Plain GET, no Authorization header, `Accept-Encoding: gzip`; an expired URL: PresignedUrlExpiredError. */
  openPresignedUrl(url: string, signal?: AbortSignal): Promise<LogDownload>;
  pageLogs(executionId: string, params: PageLogsParams, signal?: AbortSignal): Promise<LogsPage>;
  deleteLogs(executionId: string, signal?: AbortSignal): Promise<void>;
  /** The backward 206 walk; see chunk-walk.ts for the ownership windows and how to resume. */
  walkLogChunks(params: ChunkWalkParams, signal?: AbortSignal): AsyncIterable<LogChunk>;
  stats(): TalendClientStats;
  close(): Promise<void>;
}
