/** The validated configuration of one run. Built only by `loadConfig`; everything downstream trusts it. */

export type TalendAuth =
  { kind: 'pat'; token: string } | { kind: 'serviceAccount'; clientId: string; clientSecret: string };

export interface TalendSettings {
  region?: string;
  baseUrl?: string;
  auth?: TalendAuth;
  /** Overrides the audience `resolveOAuthAudience` derives from the region or base URL. */
  oauthAudience?: string;
  caCert?: string;
  insecure: boolean;
  client: TalendClientTuning;
}

/** How the Talend client paces its calls and waits on Talend: what `createTalendClient` requires. */
export interface TalendClientTuning {
  /** Requests per minute per API family; 0 = unlimited. */
  rateLimits: { monitoringPerMinute: number; processingPerMinute: number; orchestrationPerMinute: number };
  /** `/logs/status` is polled from `initialMs` apart up to `maxMs`, for `maxWaitMs` in all. */
  statusPoll: { initialMs: number; maxMs: number; maxWaitMs: number };
  /** Keep-alive connections per origin. */
  connections: number;
  /** Time allowed for response headers, and between body chunks. */
  requestTimeoutMs: number;
}

export interface ElasticsearchSettings {
  nodes: string[];
  cloudId?: string;
  apiKey?: string;
  username?: string;
  password?: string;
  caCert?: string;
  insecure: boolean;
}

export interface Selection {
  taskIds: string[];
  environmentId?: string;
  workspaceId?: string;
}

export interface Shard {
  index: number;
  count: number;
}

export interface SyncSettings {
  concurrency: number;
  settleDelayMs: number;
  lookbackMs: number;
  listingOverlapMs: number;
  leaseTtlMs: number;
  maxExecutionAttempts: number;
  fileFormat: 'JSON' | 'TEXT';
  shard?: Shard;
  dryRun: boolean;
  backfill?: { from: number; to: number };
}

export interface BulkSettings {
  flushBytes: number;
  concurrency: number;
  maxRetries: number;
}

export interface RetrySettings {
  /** How long one call is retried through transient failures, from its first attempt. */
  outageBudgetMs: number;
}

export type KibanaAuth = { apiKey: string } | { username: string; password: string };

/** Where `setup` imports the dashboard; absent without a Kibana URL. */
export interface KibanaSettings {
  url: string;
  /** Absent for the default space. */
  space?: string;
  auth?: KibanaAuth;
  /** PEM of extra CA certificates. */
  ca?: string;
  rejectUnauthorized: boolean;
}

export interface Config {
  talend: TalendSettings;
  elasticsearch: ElasticsearchSettings;
  retry: RetrySettings;
  indexPrefix: string;
  selection: Selection;
  sync: SyncSettings;
  bulk: BulkSettings;
  ilm: { enabled: boolean; deleteAfterDays: number };
  log: { level: string; pretty: boolean; progress: boolean };
  /** Read only for the commands that import into Kibana (`needs.kibana`). */
  kibana?: KibanaSettings;
}
