import { Agent, Pool } from 'undici';
import { definedOnly } from '../common/defined-only.ts';
import type { OAuthTokenResponse } from '../contracts/talend-api.ts';
import { silentLogger } from '../observability/logger.ts';
import { ApiTransport } from './api-transport.ts';
import { createAuthProvider, type AuthProvider } from './auth.ts';
import { resolveOAuthAudience } from './base-url.ts';
import { walkLogChunks, type ChunkSource } from './chunk-walk.ts';
import { getExecution, listExecutions, listTaskExecutions } from './executions.ts';
import { DEFAULT_STATUS_POLL, LogOperations } from './logs.ts';
import { PresignedDownloader } from './presigned-download.ts';
import { RateLimiters } from './rate-limiter.ts';
import { DEFAULT_RETRY } from './retry-budget.ts';
import { StatsRecorder } from './stats.ts';
import { listTasks, listWorkspaces } from './tasks.ts';
import type { TalendClient, TalendClientOptions } from './types.ts';
import { userAgent } from './user-agent.ts';

const DEFAULT_CONNECTIONS = 8;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Talend's documented per-minute quotas. */
const DEFAULT_RATE_LIMITS = { monitoring: 600, processing: 1800, orchestration: 1800 };

export function createTalendClient(options: TalendClientOptions): TalendClient {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const stats = new StatsRecorder();
  const retry = { ...DEFAULT_RETRY, ...definedOnly(options.retry) };
  const statusPoll = { ...DEFAULT_STATUS_POLL, ...definedOnly(options.statusPoll) };
  const agentOptions = {
    connections: options.connections ?? DEFAULT_CONNECTIONS,
    headersTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    bodyTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    connect: { ca: options.tls?.ca, rejectUnauthorized: options.tls?.rejectUnauthorized ?? true },
  };
  const pool = new Pool(options.baseUrl.origin, agentOptions);
  const downloadAgent = new Agent(agentOptions);
  const agent = userAgent();
  const limiters = new RateLimiters({
    monitoring: options.rateLimits?.monitoringPerMinute ?? DEFAULT_RATE_LIMITS.monitoring,
    processing: options.rateLimits?.processingPerMinute ?? DEFAULT_RATE_LIMITS.processing,
    orchestration: options.rateLimits?.orchestrationPerMinute ?? DEFAULT_RATE_LIMITS.orchestration,
  });

  const transport: ApiTransport = new ApiTransport({
    pool,
    baseUrl: options.baseUrl,
    auth: () => auth,
    limiters,
    retry,
    stats,
    logger,
    userAgent: agent,
    now,
  });
  const audience = options.oauthAudience ?? resolveOAuthAudience({ baseUrl: options.baseUrl });
  const auth: AuthProvider = createAuthProvider(options.auth, {
    fetchToken: (basic) => requestAccessToken(transport, audience, basic),
    now,
    stats,
    logger,
  });
  const logs = new LogOperations(transport, statusPoll, now, logger);
  const downloader = new PresignedDownloader({
    agent: downloadAgent,
    retry,
    stats,
    logger,
    userAgent: agent,
  });
  const chunkSource: ChunkSource = {
    generateLog: (executionId, params, signal) => logs.generateLog(executionId, params, signal),
    waitForLogFile: (executionId, token, signal) => logs.waitForLogFile(executionId, token, signal),
    download: (url, executionId, signal) => downloader.open(url, executionId, signal),
  };

  return {
    listWorkspaces: (signal) => listWorkspaces(transport, signal),
    listTasks: (filter, signal) => listTasks(transport, filter ?? {}, signal),
    listTaskExecutions: (taskId, window, signal) => listTaskExecutions(transport, taskId, window, signal),
    listExecutions: (filter, signal) => listExecutions(transport, filter, signal),
    getExecution: (executionId, signal) => getExecution(transport, executionId, signal),
    generateLog: (executionId, params, signal) => logs.generateLog(executionId, params, signal),
    waitForLogFile: (executionId, token, signal) => logs.waitForLogFile(executionId, token, signal),
    openPresignedUrl: (url, signal) => downloader.open(url, undefined, signal),
    pageLogs: (executionId, params, signal) => logs.pageLogs(executionId, params, signal),
    deleteLogs: (executionId, signal) => logs.deleteLogs(executionId, signal),
    walkLogChunks: (params, signal) => walkLogChunks(chunkSource, { now, logger }, params, signal),
    stats: () => stats.snapshot(),
    close: async () => {
      await Promise.all([pool.close(), downloadAgent.close()]);
    },
  };
}

/** `POST /security/oauth/token` with Talend's client-credentials grant. */
async function requestAccessToken(
  transport: ApiTransport,
  audience: string,
  basic: string,
): Promise<OAuthTokenResponse> {
  const { body } = await transport.json<OAuthTokenResponse>({
    operation: 'token',
    method: 'POST',
    path: '/security/oauth/token',
    authorization: basic,
    body: {
      contentType: 'application/json',
      text: JSON.stringify({ audience, grant_type: 'client_credentials' }),
    },
  });
  return body;
}
