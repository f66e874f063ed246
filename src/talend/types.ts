import type {
  ExecutionsPage,
  LogFileFormat,
  LogsPage,
  StatusBodyType,
  TalendExecution,
  TalendExecutionDetail,
  TalendTask,
  TalendWorkspace,
} from '../contracts/talend-api.ts';
import type { RetryPolicy } from '../common/retry.ts';
import type { TalendAuth } from '../config/config.ts';
import type { TalendClientTuning } from '../config/services.ts';
import type { Logger } from '../observability/logger.ts';
import type { ChunkWalkParams, LogChunk } from './chunk-walk.ts';
import type { ExecutionFilter, ExecutionsPageQuery, ExecutionWindow } from './executions.ts';
import type { GeneratedLog, PageLogsParams } from './logs.ts';
import type { LogDownload } from './presigned-download.ts';
import type { TalendClientStats } from './stats.ts';
import type { TaskFilter } from './tasks.ts';

export interface TalendClientOptions extends TalendClientTuning {
  baseUrl: URL;
  auth: TalendAuth;
  /** The `audience` of service-account token requests. Default: `resolveOAuthAudience` of `baseUrl` alone. */
  oauthAudience?: string;
  logger?: Logger;
  /** Every call of the API and of the object store. */
  retry: RetryPolicy;
  /** Applies to the API and to presigned URLs alike (a TLS-inspecting proxy sits in front of both). */
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Wall clock (epoch ms): token expiry and log token age. Default Date.now. */
  now?: () => number;
}

/** What `sync` asks of Talend: the tasks, their executions, and each execution's log chunk by chunk. */
export interface TalendClient {
  listWorkspaces(signal?: AbortSignal): Promise<TalendWorkspace[]>;
  /** Pages of 100, fetched as the consumer asks. */
  listTasks(filter?: TaskFilter, signal?: AbortSignal): AsyncIterable<TalendTask>;
  /**
   * Splits [from, to] into windows of at most 60 days, pages with offset/limit=100, and yields each
   * execution once even if it overlaps two windows.
   */
  listTaskExecutions(
    taskId: string,
    window: ExecutionWindow,
    signal?: AbortSignal,
  ): AsyncIterable<TalendExecution>;
  getExecution(executionId: string, signal?: AbortSignal): Promise<TalendExecutionDetail>;
  /** The backward 206 walk; see chunk-walk.ts for the ownership windows and how to resume. */
  walkLogChunks(params: ChunkWalkParams, signal?: AbortSignal): AsyncIterable<LogChunk>;
  /** The client's counters: its retries are the run summary's `retries.talend`. */
  stats(): TalendClientStats;
  close(): Promise<void>;
}

/**
 * The rest of the Talend API the client speaks, one call at a time: what the walk does step by step,
 * the listings `sync` has no use for, and the log pages and their deletion.
 * For tools, tests and benchmarks (`createTalendApiClient`); `sync` holds a `TalendClient`.
 */
export interface TalendApiClient extends TalendClient {
  /** As `listTaskExecutions`, for every task an environment or workspace filter matches. */
  listExecutions(filter: ExecutionFilter, signal?: AbortSignal): AsyncIterable<TalendExecution>;
  /** One listing page as Talend answers it (`total` may be absent), without windows or paging. */
  taskExecutionsPage(
    taskId: string,
    query: ExecutionsPageQuery,
    signal?: AbortSignal,
  ): Promise<Partial<ExecutionsPage>>;
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
  /** The form of the last `/logs/status` body Talend accepted (the token as a JSON string or as text); undefined before any was. */
  logStatusBodyAccepted(): StatusBodyType | undefined;
  /** Plain GET, no Authorization header, `Accept-Encoding: gzip`; an expired URL: PresignedUrlExpiredError. */
  openPresignedUrl(url: string, signal?: AbortSignal): Promise<LogDownload>;
  pageLogs(executionId: string, params: PageLogsParams, signal?: AbortSignal): Promise<LogsPage>;
  deleteLogs(executionId: string, signal?: AbortSignal): Promise<void>;
}
