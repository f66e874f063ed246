export { resolveBaseUrl, resolveOAuthAudience } from './base-url.ts';
export { createTalendApiClient, createTalendClient } from './client.ts';
export type { TalendApiClient, TalendClient, TalendClientOptions } from './types.ts';
export type { GeneratedLog, GenerateLogParams, PageLogsParams } from './logs.ts';
export type { LogDownload } from './presigned-download.ts';
export type { TalendClientStats } from './stats.ts';
export type { ExecutionFilter, ExecutionsPageQuery, ExecutionWindow } from './executions.ts';
export type { TaskFilter } from './tasks.ts';
export { inWindow, type ChunkWalkParams, type ChunkWindow, type LogChunk } from './chunk-walk.ts';
export { executionFromDetail } from './execution-detail.ts';
export {
  TalendApiError,
  TalendNetworkError,
  LogNotFoundError,
  LogNotReadyError,
  PresignedUrlExpiredError,
  type TalendErrorContext,
} from './errors.ts';
