import { Agent, Pool } from 'undici';
import type { OAuthTokenResponse } from '../contracts/talend-api.ts';
import { silentLogger } from '../observability/logger.ts';
import { ApiTransport } from './api-transport.ts';
import { createAuthProvider, type AuthProvider } from './auth.ts';
import { resolveOAuthAudience } from './base-url.ts';
import { walkLogChunks, type ChunkSource } from './chunk-walk.ts';
import { getExecution, listExecutions, listTaskExecutions, taskExecutionsPage } from './executions.ts';
import { LogOperations } from './logs.ts';
import { PresignedDownloader } from './presigned-download.ts';
import { RateLimiters } from './rate-limiter.ts';
import { StatsRecorder } from './stats.ts';
import { listTasks, listWorkspaces } from './tasks.ts';
import type { TalendApiClient, TalendClient, TalendClientOptions } from './types.ts';
import { userAgent } from './user-agent.ts';

/** The client `sync` uses: only the calls it makes. */
export function createTalendClient(options: TalendClientOptions): TalendClient {
  const api = createTalendApiClient(options);
  return {
    listWorkspaces: api.listWorkspaces,
    listTasks: api.listTasks,
    listTaskExecutions: api.listTaskExecutions,
    getExecution: api.getExecution,
    walkLogChunks: api.walkLogChunks,
    stats: api.stats,
    close: api.close,
  };
}

/** Every call the client speaks, one at a time (see `TalendApiClient`). */
export function createTalendApiClient(options: TalendClientOptions): TalendApiClient {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const stats = new StatsRecorder();
  const { retry } = options;
  const agentOptions = {
    connections: options.connections,
    headersTimeout: options.requestTimeoutMs,
    bodyTimeout: options.requestTimeoutMs,
    connect: { ca: options.tls?.ca, rejectUnauthorized: options.tls?.rejectUnauthorized ?? true },
  };
  const pool = new Pool(options.baseUrl.origin, agentOptions);
  const downloadAgent = new Agent(agentOptions);
  const agent = userAgent();
  const limiters = new RateLimiters({
    monitoring: options.rateLimits.monitoringPerMinute,
    processing: options.rateLimits.processingPerMinute,
    orchestration: options.rateLimits.orchestrationPerMinute,
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
  const logs = new LogOperations(transport, options.statusPoll, now, logger);
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
    taskExecutionsPage: (taskId, query, signal) => taskExecutionsPage(transport, taskId, query, signal),
    getExecution: (executionId, signal) => getExecution(transport, executionId, signal),
    generateLog: (executionId, params, signal) => logs.generateLog(executionId, params, signal),
    waitForLogFile: (executionId, token, signal) => logs.waitForLogFile(executionId, token, signal),
    logStatusBodyAccepted: () => logs.statusBodyAccepted,
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
