/** The validated configuration of one run. Built only by `loadConfig`; everything downstream trusts it. */
import type { OutsideServices } from './services.ts';

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
  /** Timeouts, retries and pacing towards Talend, Elasticsearch and Kibana. */
  services: OutsideServices;
  indexPrefix: string;
  selection: Selection;
  sync: SyncSettings;
  bulk: BulkSettings;
  ilm: { enabled: boolean; deleteAfterDays: number };
  log: { level: string; pretty: boolean; progress: boolean };
  /** Read only for the commands that import into Kibana (`needs.kibana`). */
  kibana?: KibanaSettings;
}
