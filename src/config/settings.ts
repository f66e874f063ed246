import {
  isBareNumber,
  parseBoolean,
  parseDate,
  parseDuration,
  parseInteger,
  parseShard,
  parseSize,
  splitList,
} from './parse-values.ts';

/**
 * Every setting once: its flag, its environment variable, its key in the config file, whether it
 * is a secret, its parser and its default. Flags win over the environment, which wins over the file.
 * The CLI's options, its help, the config file's known keys, `loadConfig`'s defaults and README's
 * configuration reference all come from this table, and so does every rule a single value must meet.
 */

/** What a setting configures; each command takes the flags of the groups it reads (cli/command-table.ts). */
export type SettingGroup =
  | 'config'
  | 'log'
  | 'talend'
  | 'elasticsearch'
  | 'selection'
  | 'sync'
  | 'backfill'
  | 'bulk'
  | 'ilm'
  | 'kibana';

/** How a setting's text becomes its value: what users give and the table's default go through it alike. */
export interface ValueParser<T> {
  /** `now` anchors relative dates (`now-30d`); the other parsers ignore it. */
  parse(text: string, now: number): T | undefined;
  /** What a valid value looks like, for the message that refuses another. */
  expected: string;
  /** What to write instead, for a near miss that `expected` alone does not explain. */
  hint?(text: string): string | undefined;
}

/** Durations need a unit; each setting says how short and how long makes sense for it. */
function duration(bounds: { min: string; max?: string }): ValueParser<number> {
  const max = bounds.max ?? '3650d';
  const minMs = parseDuration(bounds.min)!;
  const maxMs = parseDuration(max)!;
  return {
    parse: (text) => {
      const value = parseDuration(text);
      return value !== undefined && value >= minMs && value <= maxMs ? value : undefined;
    },
    expected: `a duration with its unit (ms, s, m, h or d) such as 30s, 5m, 24h or 7d, from ${bounds.min} to ${max}`,
    hint: (text) => {
      const number = text.trim();
      return isBareNumber(number)
        ? `A number alone has no unit: write ${number}s, ${number}m, ${number}h or ${number}d.`
        : undefined;
    },
  };
}

function count(min: number): ValueParser<number> {
  return {
    parse: (text) => {
      const value = parseInteger(text);
      return value !== undefined && value >= min ? value : undefined;
    },
    expected: `a whole number of at least ${min}`,
  };
}

/** One of a few words, in any case; the value is the word as the list spells it. */
function oneOf<T extends string>(choices: readonly T[]): ValueParser<T> {
  return {
    parse: (text) => choices.find((choice) => choice.toLowerCase() === text.trim().toLowerCase()),
    expected: `one of ${choices.join(', ')}`,
  };
}

/** Below 1kb a bulk request carries a line or two; Elasticsearch refuses requests over 100mb by default. */
const BULK_SIZE: ValueParser<number> = {
  parse: (text) => {
    const value = parseSize(text);
    return value !== undefined && value >= 1024 && value <= 64 * 1024 ** 2 ? value : undefined;
  },
  expected: 'a size from 1kb to 64mb, such as 5mb or 512kb (binary: 1mb is 1 MiB, 1,048,576 bytes)',
};
export const BOOLEAN: ValueParser<boolean> = { parse: parseBoolean, expected: 'true or false' };
const SHARD: ValueParser<{ index: number; count: number }> = {
  parse: parseShard,
  expected: 'i/n with 0 <= i < n, e.g. 0/3',
};
/** A backfill's bounds: no run can have ended after now. */
const PAST_DATE: ValueParser<number> = {
  parse: (text, now) => {
    const value = parseDate(text, now);
    return value !== undefined && value <= now ? value : undefined;
  },
  expected:
    'a real date up to now: 2026-01-31, 2026-01-31T12:00:00Z (UTC without a zone), epoch milliseconds or now-30d',
  hint: (text) => {
    const ago = /^\s*now-(.*)$/i.exec(text)?.[1];
    return ago !== undefined && isBareNumber(ago)
      ? `A number alone has no unit: write now-${ago.trim()}d.`
      : undefined;
  },
};
/** Talend's region ids are lower-case words; newer regions (in, sg, uk, …) follow the same shape. */
const REGION: ValueParser<string> = {
  parse: (text) => (/^[a-z0-9-]+$/.test(text) ? text : undefined),
  expected:
    'a Talend region id: us, eu, ap, au, us-west (or a newer id such as in, sg, uk); or set TALEND_API_URL to the full API URL',
};

export interface SettingSpec {
  group: SettingGroup;
  /** Long flag without dashes; absent for secrets, which never need the command line. */
  flag?: string;
  env?: string;
  /** A former name of `env`, still read (after `env`) with a warning that names the new one. */
  deprecatedEnv?: string;
  /** Dotted path in the JSON/YAML config file. */
  file: string;
  secret?: boolean;
  /** Repeatable flag / comma-separated list. */
  list?: boolean;
  boolean?: boolean;
  /** Absent: the text as given (booleans: true or false). */
  parser?: ValueParser<unknown>;
  /** As a user would write it; `loadConfig` parses it with the setting's parser. */
  default?: string;
  help: string;
}

export const SETTINGS = {
  config: {
    group: 'config',
    flag: 'config',
    env: 'TALEND_LOGS_CONFIG',
    file: '-',
    help: 'Config file, JSON or YAML (told apart by its content).',
  },
  configFormat: {
    group: 'config',
    flag: 'config-format',
    env: 'TALEND_LOGS_CONFIG_FORMAT',
    file: '-',
    parser: oneOf(['json', 'yaml'] as const),
    help: 'json or yaml: how to read the config file, whatever it starts with.',
  },
  talendRegion: {
    group: 'talend',
    flag: 'talend-region',
    env: 'TALEND_REGION',
    file: 'talend.region',
    parser: REGION,
    help: 'Talend Cloud region: us, eu, ap, au, us-west, or any newer region id.',
  },
  talendUrl: {
    group: 'talend',
    flag: 'talend-url',
    env: 'TALEND_API_URL',
    file: 'talend.url',
    help: 'Full Talend API base URL; overrides the region (the simulator, a proxy).',
  },
  talendToken: {
    group: 'talend',
    env: 'TALEND_TOKEN',
    file: 'talend.token',
    secret: true,
    help: 'Personal access token. Also TALEND_TOKEN_FILE.',
  },
  talendClientId: {
    group: 'talend',
    flag: 'talend-client-id',
    env: 'TALEND_CLIENT_ID',
    file: 'talend.clientId',
    help: 'Service account id (with TALEND_CLIENT_SECRET) instead of a token.',
  },
  talendClientSecret: {
    group: 'talend',
    env: 'TALEND_CLIENT_SECRET',
    file: 'talend.clientSecret',
    secret: true,
    help: 'Service account secret. Also TALEND_CLIENT_SECRET_FILE.',
  },
  talendOauthAudience: {
    group: 'talend',
    flag: 'talend-oauth-audience',
    env: 'TALEND_OAUTH_AUDIENCE',
    file: 'talend.oauthAudience',
    help: "Audience of service-account token requests. Default: the region's API URL, also behind TALEND_API_URL.",
  },
  talendCaCert: {
    group: 'talend',
    flag: 'talend-ca-cert',
    env: 'TALEND_CA_CERT',
    file: 'talend.caCert',
    help: 'PEM file of extra CA certificates for Talend (a TLS-inspecting proxy).',
  },
  talendInsecure: {
    group: 'talend',
    flag: 'talend-insecure-skip-tls-verify',
    env: 'TALEND_INSECURE_SKIP_TLS_VERIFY',
    file: 'talend.insecureSkipTlsVerify',
    boolean: true,
    default: 'false',
    help: 'Disable TLS certificate checks towards Talend. Dangerous; warns at every run.',
  },
  monitoringRateLimit: {
    group: 'talend',
    flag: 'monitoring-rate-limit',
    env: 'TALEND_MONITORING_RATE_LIMIT',
    file: 'talend.rateLimits.monitoringPerMinute',
    default: '600',
    parser: count(1),
    help: 'Monitoring API calls per minute (Talend allows 600 per client IP).',
  },
  processingRateLimit: {
    group: 'talend',
    flag: 'processing-rate-limit',
    env: 'TALEND_PROCESSING_RATE_LIMIT',
    file: 'talend.rateLimits.processingPerMinute',
    default: '1800',
    parser: count(1),
    help: 'Processing and orchestration API calls per minute (Talend allows 1800).',
  },
  statusMaxWait: {
    group: 'talend',
    flag: 'status-max-wait',
    env: 'TALEND_STATUS_MAX_WAIT',
    file: 'talend.statusMaxWait',
    default: '10m',
    parser: duration({ min: '1s' }),
    help: 'How long to wait for Talend to prepare one log file before retrying it next run.',
  },
  outageBudget: {
    // Every command that needs Elasticsearch reads it; sync applies it to Talend, setup to Kibana too.
    group: 'elasticsearch',
    flag: 'outage-budget',
    env: 'OUTAGE_BUDGET',
    file: 'retry.outageBudget',
    default: '2m',
    parser: duration({ min: '1s' }),
    help: 'How long one call to Talend, Elasticsearch or Kibana (whichever the command talks to) is retried through an outage before the command stops (exit 5).',
  },
  esUrl: {
    group: 'elasticsearch',
    flag: 'es-url',
    env: 'ES_URL',
    file: 'elasticsearch.url',
    list: true,
    default: 'http://localhost:9200',
    help: 'Elasticsearch node URL(s), comma-separated or repeated; none by default with --es-cloud-id.',
  },
  esCloudId: {
    group: 'elasticsearch',
    flag: 'es-cloud-id',
    env: 'ES_CLOUD_ID',
    file: 'elasticsearch.cloudId',
    help: 'Elastic Cloud id.',
  },
  esApiKey: {
    group: 'elasticsearch',
    env: 'ES_API_KEY',
    file: 'elasticsearch.apiKey',
    secret: true,
    help: 'Elasticsearch API key (base64 "id:key"). Also ES_API_KEY_FILE.',
  },
  esUsername: {
    group: 'elasticsearch',
    flag: 'es-username',
    env: 'ES_USERNAME',
    file: 'elasticsearch.username',
    help: 'Elasticsearch user (with ES_PASSWORD).',
  },
  esPassword: {
    group: 'elasticsearch',
    env: 'ES_PASSWORD',
    file: 'elasticsearch.password',
    secret: true,
    help: 'Elasticsearch password. Also ES_PASSWORD_FILE.',
  },
  esCaCert: {
    group: 'elasticsearch',
    flag: 'es-ca-cert',
    env: 'ES_CA_CERT',
    file: 'elasticsearch.caCert',
    help: 'PEM file of the CA that signed the Elasticsearch certificate.',
  },
  esInsecure: {
    group: 'elasticsearch',
    flag: 'es-insecure-skip-tls-verify',
    env: 'ES_INSECURE_SKIP_TLS_VERIFY',
    file: 'elasticsearch.insecureSkipTlsVerify',
    boolean: true,
    default: 'false',
    help: 'Disable TLS certificate checks towards Elasticsearch. Dangerous; warns at every run.',
  },
  indexPrefix: {
    group: 'elasticsearch',
    flag: 'index-prefix',
    env: 'INDEX_PREFIX',
    file: 'indexPrefix',
    default: 'talend',
    help: 'Prefix of every index, alias and template we create.',
  },
  task: {
    group: 'selection',
    flag: 'task',
    env: 'TALEND_TASK_IDS',
    file: 'tasks',
    list: true,
    help: 'Task id to sync (repeatable). Default: every task the credentials can see.',
  },
  environment: {
    group: 'selection',
    flag: 'environment',
    env: 'TALEND_ENVIRONMENT_ID',
    file: 'environmentId',
    help: 'Only tasks of this environment.',
  },
  workspace: {
    group: 'selection',
    flag: 'workspace',
    env: 'TALEND_WORKSPACE_ID',
    file: 'workspaceId',
    help: 'Only tasks of this workspace.',
  },
  concurrency: {
    group: 'sync',
    flag: 'concurrency',
    env: 'SYNC_CONCURRENCY',
    file: 'sync.concurrency',
    default: '4',
    parser: count(1),
    help: 'Log files downloaded at once; 3 times as many executions are under way, waiting for Talend or Elasticsearch.',
  },
  settleDelay: {
    group: 'sync',
    flag: 'settle-delay',
    env: 'SYNC_SETTLE_DELAY',
    file: 'sync.settleDelay',
    default: '30s',
    parser: duration({ min: '0s' }),
    help: 'Talend needs ~30 s after a run ends before its log is complete.',
  },
  lookback: {
    group: 'sync',
    flag: 'lookback',
    env: 'SYNC_LOOKBACK',
    file: 'sync.lookback',
    default: '24h',
    parser: duration({ min: '1s' }),
    help: 'First run of a task: how far back to start.',
  },
  listingOverlap: {
    group: 'sync',
    flag: 'listing-overlap',
    env: 'SYNC_LISTING_OVERLAP',
    file: 'sync.listingOverlap',
    default: '1h',
    parser: duration({ min: '0s' }),
    help: 'How far before its watermark each run lists a task again (for runs Talend lists late).',
  },
  leaseTtl: {
    group: 'sync',
    flag: 'lease-ttl',
    env: 'SYNC_LEASE_TTL',
    file: 'sync.leaseTtl',
    default: '2m',
    // The lease is renewed every third of it, at least a second apart, by a timer (at most 24.8 days).
    parser: duration({ min: '3s', max: '30d' }),
    help: 'A task lease held by a run that died expires after this long.',
  },
  maxAttempts: {
    group: 'sync',
    flag: 'max-attempts',
    env: 'SYNC_MAX_ATTEMPTS',
    file: 'sync.maxAttempts',
    default: '5',
    parser: count(1),
    help: 'Runs that may fail on one execution before it is given up and reported.',
  },
  fileFormat: {
    group: 'sync',
    flag: 'file-format',
    // Named apart from LOG_FORMAT, the format of our own output.
    env: 'TALEND_LOG_FILE_FORMAT',
    deprecatedEnv: 'TALEND_LOG_FORMAT',
    file: 'sync.fileFormat',
    default: 'JSON',
    parser: oneOf(['JSON', 'TEXT'] as const),
    help: 'Log file format to request: JSON or TEXT.',
  },
  shard: {
    group: 'sync',
    flag: 'shard',
    env: 'SYNC_SHARD',
    file: 'sync.shard',
    parser: SHARD,
    help: 'i/n: this worker takes one n-th of the tasks (Kubernetes Indexed Job).',
  },
  dryRun: {
    group: 'sync',
    flag: 'dry-run',
    file: 'sync.dryRun',
    boolean: true,
    default: 'false',
    help: 'Show what would be fetched; write nothing.',
  },
  backfill: {
    group: 'backfill',
    flag: 'backfill',
    file: '-',
    boolean: true,
    default: 'false',
    help: 'Walk historical executions between --from and --to.',
  },
  from: {
    group: 'backfill',
    flag: 'from',
    file: '-',
    parser: PAST_DATE,
    help: 'Backfill start: a date, a timestamp, or now-30d.',
  },
  to: {
    group: 'backfill',
    flag: 'to',
    file: '-',
    parser: PAST_DATE,
    help: 'Backfill end (default: now).',
  },
  bulkSize: {
    group: 'bulk',
    flag: 'bulk-size',
    env: 'BULK_SIZE',
    file: 'bulk.size',
    default: '5mb',
    parser: BULK_SIZE,
    help: 'Bytes per bulk request (binary units: 5mb is 5 MiB).',
  },
  bulkConcurrency: {
    group: 'bulk',
    flag: 'bulk-concurrency',
    env: 'BULK_CONCURRENCY',
    file: 'bulk.concurrency',
    default: '2',
    parser: count(1),
    help: 'Bulk requests in flight.',
  },
  bulkRetries: {
    group: 'bulk',
    flag: 'bulk-retries',
    env: 'BULK_RETRIES',
    file: 'bulk.retries',
    default: '8',
    parser: count(1),
    help: 'Retries of items Elasticsearch pushes back (429) before the run fails.',
  },
  ilm: {
    group: 'ilm',
    flag: 'ilm',
    env: 'ILM_ENABLED',
    file: 'ilm.enabled',
    boolean: true,
    default: 'false',
    help: 'Attach a lifecycle policy that deletes old log indices, where the cluster supports ILM.',
  },
  ilmDeleteAfter: {
    group: 'ilm',
    flag: 'ilm-delete-after',
    env: 'ILM_DELETE_AFTER',
    file: 'ilm.deleteAfter',
    default: '90d',
    parser: duration({ min: '1d' }),
    help: 'Lifecycle policy: delete log indices older than this.',
  },
  kibanaUrl: {
    group: 'kibana',
    flag: 'kibana-url',
    env: 'KIBANA_URL',
    file: 'kibana.url',
    help: 'Also import the Kibana dashboard through this Kibana (its base URL, with its base path if any).',
  },
  kibanaSpace: {
    group: 'kibana',
    flag: 'kibana-space',
    env: 'KIBANA_SPACE',
    file: 'kibana.space',
    help: 'Kibana space to import into (default: the default space).',
  },
  kibanaApiKey: {
    group: 'kibana',
    env: 'KIBANA_API_KEY',
    file: 'kibana.apiKey',
    secret: true,
    help: 'Kibana API key. Also KIBANA_API_KEY_FILE. Default: the Elasticsearch credentials.',
  },
  kibanaUsername: {
    group: 'kibana',
    flag: 'kibana-username',
    env: 'KIBANA_USERNAME',
    file: 'kibana.username',
    help: 'Kibana user (with KIBANA_PASSWORD). Default: the Elasticsearch credentials.',
  },
  kibanaPassword: {
    group: 'kibana',
    env: 'KIBANA_PASSWORD',
    file: 'kibana.password',
    secret: true,
    help: 'Kibana password. Also KIBANA_PASSWORD_FILE.',
  },
  kibanaCaCert: {
    group: 'kibana',
    flag: 'kibana-ca-cert',
    env: 'KIBANA_CA_CERT',
    file: 'kibana.caCert',
    help: 'PEM file of extra CA certificates for Kibana.',
  },
  kibanaInsecure: {
    group: 'kibana',
    flag: 'kibana-insecure-skip-tls-verify',
    env: 'KIBANA_INSECURE_SKIP_TLS_VERIFY',
    file: 'kibana.insecureSkipTlsVerify',
    boolean: true,
    default: 'false',
    help: 'Disable TLS certificate checks towards Kibana. Dangerous.',
  },
  logLevel: {
    group: 'log',
    flag: 'log-level',
    env: 'LOG_LEVEL',
    file: 'log.level',
    default: 'info',
    parser: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const),
    help: 'fatal, error, warn, info, debug or trace.',
  },
  logFormat: {
    group: 'log',
    flag: 'log-format',
    env: 'LOG_FORMAT',
    file: 'log.format',
    parser: oneOf(['json', 'pretty'] as const),
    help: 'json (ECS lines, for Filebeat or Elastic Agent) or pretty (for people) (default: pretty on a terminal).',
  },
  progress: {
    group: 'sync',
    flag: 'progress',
    env: 'PROGRESS',
    file: 'log.progress',
    boolean: true,
    help: 'Progress on stderr: a line redrawn on a terminal, an info log line every 10 s elsewhere (default: on when stderr is a terminal).',
  },
} satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

type Parsed<S> = S extends { parser: ValueParser<infer T> }
  ? T
  : S extends { boolean: true }
    ? boolean
    : S extends { list: true }
      ? string[]
      : string;

/** A setting's value once resolved: never undefined for a setting with a default, nor for a list. */
export type SettingValue<N extends SettingName> = (typeof SETTINGS)[N] extends
  { default: string } | { list: true }
  ? Parsed<(typeof SETTINGS)[N]>
  : Parsed<(typeof SETTINGS)[N]> | undefined;

export type SettingWithDefault = {
  [N in SettingName]: (typeof SETTINGS)[N] extends { default: string } ? N : never;
}[SettingName];

/** How a setting's text is read: its own parser, or the one its kind implies. */
export function parserOf(name: SettingName): ValueParser<unknown> | undefined {
  const spec: SettingSpec = SETTINGS[name];
  return spec.parser ?? (spec.boolean ? BOOLEAN : undefined);
}

/** The table's default of a setting, parsed as a user's value would be. */
export function defaultOf<N extends SettingWithDefault>(name: N): SettingValue<N> {
  const spec: SettingSpec = SETTINGS[name];
  const text = spec.default!;
  if (spec.list) return splitList(text) as SettingValue<N>;
  const parser = parserOf(name);
  const value = parser === undefined ? text : parser.parse(text, Date.now());
  if (value === undefined) throw new Error(`The default "${text}" of setting ${name} does not parse`);
  return value as SettingValue<N>;
}
