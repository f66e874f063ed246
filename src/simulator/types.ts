import type {
  ExecutionRuntime,
  ExecutionType,
  RawLogEntry,
  StatusBodyType,
} from '../contracts/talend-api.ts';

export type ObjectStoreKind = 's3' | 'azure';

/** Switches for every point where Talend's public material is silent or contradictory. */
export interface Variants {
  /**
   * Outer shape of a downloaded JSON log file (unconfirmed): a top-level array, `{"data": [...]}` as
   * the paging API answers, an object holding the entries under another key among other members
   * (`wrapper`), or JSON Lines.
   */
  jsonShape: 'array' | 'data' | 'wrapped' | 'jsonl';
  /** For `jsonShape: 'wrapped'`: the entries' key, and the members written before and after it. */
  wrapper: WrapperSpec;
  /**
   * How `logTimestamp` is written: epoch milliseconds, the only form seen so far and the one the
   * reference documents; epoch seconds (with the milliseconds as a fraction, so no entry moves);
   * or an ISO-8601 string.
   */
  logTimestampFormat: 'millis' | 'seconds' | 'iso';
  /** How a TEXT file writes each entry's timestamp: `2021-09-01T07:01:45.123Z …` or log4j's `[2021-09-01 07:01:45,123] …`. */
  textTimestamp: 'plain' | 'bracketed';
  /**
   * `X-Log-Next-Request-End-Time` as `2021-09-01T07:01:45Z`, `2021-09-01T07:01:45.123Z`, an HTTP date
   * (`Wed, 01 Sep 2021 07:01:45 GMT`), or the first form in double quotes.
   */
  nextEndTimeFormat: 'seconds' | 'millis' | 'http-date' | 'quoted';
  /** Whether a generate request's `endTime` includes the entries logged exactly at `endTime`. */
  boundary: 'inclusive' | 'exclusive';
  /**
   * The media type `/logs/status` takes its token body in: the reference declares a JSON string
   * (`application/json`), the guide puts the token in the body as it is. Which one Talend enforces
   * is unconfirmed: by default both are taken; otherwise the other one is refused with a 415.
   */
  statusBodyType: 'either' | StatusBodyType;
  /** How many `/logs/status` polls of a token answer `IN_PROGRESS` before `READY`. */
  statusPollsBeforeReady: number;
  /**
   * Whether a 429 carries `Retry-After` (seconds). Talend's material is silent; the production
   * integration (New Relic `talend-observability`) reports none, so the default is `false`.
   */
  retryAfter: boolean;
  /**
   * The object store behind presigned URLs: its URL layout and its error answers. Talend's documented
   * regions run on AWS (S3) but for `us-west`, which runs on Azure (Blob storage).
   */
  objectStore: ObjectStoreKind;
  /**
   * Whether and how the object store compresses a download (unconfirmed): not at all; gzip with
   * `Content-Encoding: gzip` when the request's `Accept-Encoding` allows it; or a file stored
   * gzipped and served as it is, whatever the request accepts, as `application/gzip` or as
   * `application/octet-stream`, without Content-Encoding.
   */
  gzip: false | 'content-encoding' | 'content-type' | 'bytes-only';
  presignedUrlTtlSeconds: number;
  logTokenTtlSeconds: number;
  /**
   * What `from`/`to` of an execution listing filter on: the trigger time alone (what a production
   * integration observed) or the run overlapping the window (Talend's reference).
   */
  listingFilter: 'trigger' | 'overlap';
  /** Order of execution listings: newest first (observed) or oldest first. */
  listingOrder: 'newest-first' | 'oldest-first';
  /** Whether execution listings carry `total`; without it a short page is the last. */
  listingTotal: boolean;
  /**
   * A rejected run, as observed: no `finishTimestamp`, and its log answers 404; or as the reference
   * reads: a `finishTimestamp` and a (possibly empty) log like any finished run.
   */
  rejectedRuns: 'no-finish-no-log' | 'finished-with-log';
}

export interface WrapperSpec {
  key: string;
  /** Members written before the entries, in order; any JSON values. */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

export const DEFAULT_VARIANTS: Readonly<Variants> = Object.freeze({
  jsonShape: 'array',
  wrapper: Object.freeze({
    key: 'logs',
    before: { version: '2021-03', columns: [{ name: 'logTimestamp' }], warnings: [], tags: ['run'] },
    after: { nextPage: null, related: [{ kind: 'execution' }] },
  }),
  logTimestampFormat: 'millis',
  textTimestamp: 'plain',
  nextEndTimeFormat: 'seconds',
  boundary: 'inclusive',
  statusBodyType: 'either',
  statusPollsBeforeReady: 1,
  retryAfter: false,
  objectStore: 's3',
  gzip: false,
  presignedUrlTtlSeconds: 3600,
  logTokenTtlSeconds: 3600,
  listingFilter: 'trigger',
  listingOrder: 'newest-first',
  listingTotal: true,
  rejectedRuns: 'no-finish-no-log',
});

export type RequestKind =
  | 'token'
  | 'tasks'
  | 'workspaces'
  | 'listExecutions'
  | 'getExecution'
  | 'generateLog'
  | 'logStatus'
  | 'download'
  | 'pageLogs'
  | 'deleteLogs';

export const REQUEST_KINDS: readonly RequestKind[] = [
  'token',
  'tasks',
  'workspaces',
  'listExecutions',
  'getExecution',
  'generateLog',
  'logStatus',
  'download',
  'pageLogs',
  'deleteLogs',
];

export type FaultKind =
  | 'http429'
  | 'http404'
  | 'http500'
  | 'http502'
  | 'http503'
  | 'resetMidBody'
  | 'truncatedBody'
  | 'slow'
  | 'expiredPresignedUrl'
  | 'expiredAccessToken'
  | 'stuckInProgress'
  | 'malformedLines'
  /** A download answered 200 with something else than the log: an HTML error page, or random bytes. */
  | 'htmlBody'
  | 'binaryBody';

export interface FaultRule {
  kind: RequestKind | '*';
  fault: FaultKind;
  /** Probability per matching request, drawn from a PRNG seeded by the tenant seed. Default 1. */
  rate?: number;
  /** Apply at most this many times, then stop ("fail twice then succeed"). */
  times?: number;
  /** For `slow`: how long to wait before answering. Default 1000. */
  delayMs?: number;
  /** Only requests about this execution. */
  executionId?: string;
}

/** The API groups Talend rate-limits separately, per client IP and per minute. */
export type ApiGroup = 'monitoring' | 'processing' | 'orchestration';

export const DOCUMENTED_RATE_LIMITS: Readonly<Record<ApiGroup, number>> = Object.freeze({
  monitoring: 600,
  processing: 1800,
  orchestration: 1800,
});

export interface ServiceAccount {
  clientId: string;
  clientSecret: string;
}

export interface AuthOptions {
  personalAccessTokens?: string[];
  serviceAccounts?: ServiceAccount[];
  /** Lifetime of tokens issued by `/security/oauth/token`. Default 1800 (the guide's 30 minutes). */
  accessTokenTtlSeconds?: number;
  /**
   * Answer `expires_in` as a number, as OAuth 2 (RFC 6749) has it. By default it is a string, as
   * the reference declares it.
   */
  expiresInAsNumber?: boolean;
  /**
   * The audiences a token request may name, as a tenant's region accepts only its own API URL
   * (`https://api.<region>.cloud.talend.com`); another one is refused with a 401. Default: any.
   */
  audiences?: string[];
}

/** Credentials accepted when `SimulatorOptions.auth` is not given. */
export const DEFAULT_AUTH = Object.freeze({
  personalAccessTokens: ['simulator-personal-access-token'],
  serviceAccounts: [{ clientId: 'simulator-client-id', clientSecret: 'simulator-client-secret' }],
});

export interface SimulatorOptions {
  /** Default: `demoTenant()`. Copied: the running simulator mutates its own copy. */
  tenant?: TenantSpec;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (random). */
  port?: number;
  /** Default 0 (random). */
  objectStorePort?: number;
  variants?: Partial<Variants>;
  faults?: FaultRule[];
  /** Default: `DEFAULT_AUTH`. */
  auth?: AuthOptions;
  /** Default 100,000, the documented limit of one generated file; tests may lower it. */
  maxEntriesPerFile?: number;
  /** Per-minute quotas per API group and client IP; off unless given (see `DOCUMENTED_RATE_LIMITS`). */
  rateLimits?: Partial<Record<ApiGroup, number>>;
  /** Clock in epoch ms. Default `Date.now`. */
  now?: () => number;
  /**
   * Render the JSON logs of the executions finished at start into files in this folder (created,
   * and removed on close) and serve downloads from them, as an object store serves what it keeps.
   * For benchmarks: generating entries during a download costs CPU that Talend's object store
   * never takes from the connector's machine. Files of running executions, files laid out otherwise
   * than the variants at start said and files a fault alters are still generated as they are read.
   */
  storeLogFilesIn?: string;
}

export interface EntryRange {
  /** Epoch ms, inclusive. */
  startTime?: number;
  /** Epoch ms, inclusive. */
  endTime?: number;
}

export interface SimulatorStats extends Record<RequestKind, number> {
  /** API requests (object store excluded) that came without the `talend-version` header. */
  withoutVersionHeader: number;
  /** Downloads served from the files of `SimulatorOptions.storeLogFilesIn`. */
  storedDownloads: number;
}

export interface RunningSimulator {
  /** e.g. `http://127.0.0.1:PORT`: the client's TALEND_API_URL. */
  apiUrl: string;
  objectStoreUrl: string;
  /** Live: the mutations below update it. */
  tenant: TenantSpec;
  setVariants(variants: Partial<Variants>): void;
  /** Replaces the rules (and their `times` counters) and restarts the seeded draw sequence. */
  setFaults(rules: FaultRule[]): void;
  addExecution(taskId: string, spec: ExecutionSpec): void;
  /** A running execution completes; its entries so far stay exactly as they were. */
  finishExecution(executionId: string, finishTime: number, status?: string): void;
  /** Every endpoint answers 404 for it afterwards. */
  deleteExecution(executionId: string): void;
  /** The truth: the entries that exist now (optionally within [startTime, endTime], both inclusive), in timestamp order, generated lazily. */
  entries(executionId: string, range?: EntryRange): Iterable<RawLogEntry>;
  /** O(log n), no iteration. */
  entryCount(executionId: string, range?: EntryRange): number;
  /**
   * Indexes (positions in `entries(executionId)` without a range) of the entries that the
   * `malformedLines` fault breaks in a downloaded file.
   */
  malformedEntryIndexes(executionId: string): number[];
  stats(): SimulatorStats;
  /** Closes both listeners and every open socket. */
  close(): Promise<void>;
}

export interface EnvironmentSpec {
  id: string;
  name: string;
}

export interface WorkspaceSpec {
  id: string;
  name: string;
  environmentId: string;
}

export interface TenantSpec {
  /** Seeds log content and fault draws. */
  seed: number;
  environments: EnvironmentSpec[];
  workspaces: WorkspaceSpec[];
  tasks: TaskSpec[];
}

export interface TaskSpec {
  /** A UUID. */
  id: string;
  name: string;
  workspaceId: string;
  executions: ExecutionSpec[];
}

/**
 * One run and its log. How entry timestamps are laid out:
 * - with `entriesPerSecond`: entry i is logged at `startTime + i * 1000 / entriesPerSecond`; while
 *   running (no `finishTime`) the entries that exist are those logged up to now(), and
 *   `finishExecution` freezes `entryCount` at the count reached at `finishTime`;
 * - without it (finished runs only): `entryCount` entries spread evenly over [startTime, finishTime).
 * In both, a few small bursts share one millisecond, and an occasional entry repeats its predecessor
 * exactly (same timestamp, same content), as real logs do.
 */
export interface ExecutionSpec {
  /** A UUID. */
  id: string;
  /** Lower-case Talend status, e.g. `execution_successful`, `executing`. */
  status: string;
  executionType?: ExecutionType;
  startTime: number;
  /** Absent while running. */
  finishTime?: number;
  triggerTime?: number;
  /** Entries of a finished run. For a running one, informative: the count when the spec was written. */
  entryCount: number;
  /** Logging rate; a running execution without one logs 2 entries per second. */
  entriesPerSecond?: number;
  /** Share of ERROR (and a few FATAL) entries. Default 0.02. */
  errorRate?: number;
  runtime?: ExecutionRuntime;
  errorMessage?: string;
  /**
   * Upper-case `executionStatus`, when not the one the reference pairs with `status`
   * (`EXECUTION_EVENT_RECEIVED` for `dispatching`, `STOPPING_FLOW_EXECUTION` for `executing`).
   */
  executionStatus?: string;
  misfiredExecutionReason?: string;
  /** Minutes. */
  timeout?: number;
  parallelExecutionAllowed?: boolean;
}

export interface TenantGeneratorSpec {
  seed: number;
  /** Executions end before this (epoch ms). Default `Date.now()`. */
  now?: number;
  tasks: number;
  executionsPerTask: number;
  /** A count, or a [min, max] range drawn uniformly per execution. */
  entriesPerExecution: number | [number, number];
  /** Executions are spread over this many days before `now`. Default 7. */
  spreadDays?: number;
  /** The latest execution of this many tasks is still running. Default 0. */
  runningExecutions?: number;
  /** Share of finished executions that failed or were rejected. Default 0.1. */
  failedShare?: number;
  /** Default 1. */
  environments?: number;
  /** Default 2. */
  workspacesPerEnvironment?: number;
}
