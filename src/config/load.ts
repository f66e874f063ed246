import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { closestName } from '../common/closest-name.ts';
import { ConfigError } from '../common/errors.ts';
import type { Config, TalendAuth } from './config.ts';
import { indexPrefixProblem } from './index-prefix.ts';
import { kibanaSettings } from './kibana.ts';
import { outsideServices } from './services.ts';
import { SettingSource, type FlagValues } from './setting-source.ts';
import { SETTINGS, type SettingName, type SettingSpec } from './settings.ts';

export interface LoadOptions {
  flags: FlagValues;
  env?: NodeJS.ProcessEnv;
  /** Which parts the command talks to: only those are required; Kibana's settings are read only if needed. */
  needs: { talend: boolean; elasticsearch: boolean; kibana?: boolean };
  now?: number;
  isTty?: boolean;
  /** A command's own defaults (demo's, ingest-file's), in place of the table's: below every flag, variable and key. */
  defaults?: Partial<Record<SettingName, string>>;
  /** Where to put what is accepted but should change (a deprecated variable), for the command to log. */
  warnings?: string[];
}

const DAY_MS = 86_400_000;

/**
 * Resolves every setting (flags > environment > config file > default), validates all of them,
 * and reports every problem at once, each with what to do about it.
 */
export function loadConfig(options: LoadOptions): Config {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now();
  const problems: string[] = [];
  const warnings = options.warnings ?? [];
  const given = { flags: options.flags, env, problems, warnings, defaults: options.defaults, now };
  const file = readConfigFile(new SettingSource({ ...given, file: {} }), problems);
  const source = new SettingSource({ ...given, file });

  const text = (name: SettingName) => source.string(name);
  const value = <N extends SettingName>(name: N) => source.value(name);

  const region = value('talendRegion');
  const baseUrl = text('talendUrl');
  if (baseUrl !== undefined && !isHttpUrl(baseUrl)) {
    problems.push(`${source.describe('talendUrl')} "${baseUrl}" is not an http(s) URL.`);
  }
  const auth = talendAuth(source, problems);
  if (options.needs.talend) {
    if (!source.isSet('talendRegion') && baseUrl === undefined) {
      problems.push(
        'Talend region missing: set TALEND_REGION (us, eu, ap, au, us-west, …) or TALEND_API_URL.',
      );
    }
    if (auth === undefined) {
      problems.push(
        'Talend credentials missing: set TALEND_TOKEN (a personal access token) or TALEND_CLIENT_ID and ' +
          'TALEND_CLIENT_SECRET (a service account); *_FILE variants read them from files.',
      );
    }
  }

  const cloudId = text('esCloudId');
  // An Elastic Cloud id names the nodes itself: the default URL stands in only for nothing given.
  const nodes = cloudId !== undefined && !source.isSet('esUrl') ? [] : value('esUrl');
  for (const node of nodes) {
    if (!isHttpUrl(node)) problems.push(`${source.describe('esUrl')} "${node}" is not an http(s) URL.`);
  }
  const esUsername = text('esUsername');
  const esPassword = text('esPassword');
  if ((esUsername === undefined) !== (esPassword === undefined)) {
    problems.push('Elasticsearch basic auth needs both ES_USERNAME and ES_PASSWORD (or use ES_API_KEY).');
  }

  const indexPrefix = value('indexPrefix');
  const prefixProblem = indexPrefixProblem(indexPrefix);
  if (prefixProblem !== undefined) {
    problems.push(`${source.describe('indexPrefix')} "${indexPrefix}" ${prefixProblem}.`);
  }

  const logFormat = value('logFormat');

  const backfill = value('backfill') ? backfillRange(source, problems, now) : undefined;
  if (!value('backfill') && (text('from') !== undefined || text('to') !== undefined)) {
    problems.push('--from and --to only apply to a backfill: add --backfill (or use the backfill command).');
  }

  // Talend's processing quota covers its orchestration APIs too: read once, one problem if invalid.
  const processingRateLimit = value('processingRateLimit');
  const talendCaCert = source.fileContent('talendCaCert');
  const talendInsecure = value('talendInsecure');
  const config: Config = {
    talend: {
      region,
      baseUrl,
      auth,
      oauthAudience: text('talendOauthAudience'),
      caCert: talendCaCert,
      insecure: talendInsecure,
    },
    elasticsearch: {
      nodes,
      cloudId,
      apiKey: text('esApiKey'),
      username: esUsername,
      password: esPassword,
      caCert: source.fileContent('esCaCert'),
      insecure: value('esInsecure'),
    },
    services: outsideServices({
      outageBudgetMs: value('outageBudget'),
      itemRetries: value('bulkRetries'),
      statusMaxWaitMs: value('statusMaxWait'),
      rateLimits: {
        monitoringPerMinute: value('monitoringRateLimit'),
        processingPerMinute: processingRateLimit,
        orchestrationPerMinute: processingRateLimit,
      },
      talendTls: { ca: talendCaCert, rejectUnauthorized: !talendInsecure },
    }),
    indexPrefix,
    selection: {
      taskIds: value('task'),
      environmentId: text('environment'),
      workspaceId: text('workspace'),
    },
    sync: {
      concurrency: value('concurrency'),
      settleDelayMs: value('settleDelay'),
      lookbackMs: value('lookback'),
      listingOverlapMs: value('listingOverlap'),
      leaseTtlMs: value('leaseTtl'),
      maxExecutionAttempts: value('maxAttempts'),
      fileFormat: value('fileFormat'),
      shard: value('shard'),
      dryRun: value('dryRun'),
      backfill,
    },
    bulk: {
      flushBytes: value('bulkSize'),
      concurrency: value('bulkConcurrency'),
    },
    ilm: {
      enabled: value('ilm'),
      deleteAfterDays: Math.max(1, Math.round(value('ilmDeleteAfter') / DAY_MS)),
    },
    log: {
      level: value('logLevel'),
      pretty: logFormat === undefined ? (options.isTty ?? false) : logFormat === 'pretty',
      progress: value('progress') ?? options.isTty ?? false,
    },
  };
  if (options.needs.kibana) {
    const kibana = kibanaSettings(source, config.elasticsearch, problems);
    if (kibana !== undefined) config.kibana = kibana;
  }
  if (problems.length > 0) {
    throw new ConfigError(`Configuration is not valid:\n  - ${problems.join('\n  - ')}`, {
      problems: problems.length,
    });
  }
  return config;
}

function talendAuth(source: SettingSource, problems: string[]): TalendAuth | undefined {
  const token = source.string('talendToken');
  const clientId = source.string('talendClientId');
  const clientSecret = source.string('talendClientSecret');
  if (token !== undefined && (clientId !== undefined || clientSecret !== undefined)) {
    problems.push(
      'Both a Talend token and a service account are set: keep TALEND_TOKEN or TALEND_CLIENT_ID/SECRET.',
    );
    return undefined;
  }
  if (token !== undefined) return { kind: 'pat', token };
  if (clientId !== undefined && clientSecret !== undefined)
    return { kind: 'serviceAccount', clientId, clientSecret };
  if (clientId !== undefined || clientSecret !== undefined) {
    problems.push('A Talend service account needs both TALEND_CLIENT_ID and TALEND_CLIENT_SECRET.');
  }
  return undefined;
}

function backfillRange(
  source: SettingSource,
  problems: string[],
  now: number,
): { from: number; to: number } | undefined {
  if (!source.isSet('from')) {
    problems.push('A backfill needs --from (e.g. --from 2026-01-01 or --from now-90d).');
    return undefined;
  }
  // Each bound is checked by its parser (a real date, not in the future): only their order is left.
  const from = source.value('from');
  const to = source.isSet('to') ? source.value('to') : now;
  if (from === undefined || to === undefined) return undefined;
  if (from >= to) {
    problems.push(
      `--from (${new Date(from).toISOString()}) must be before --to (${new Date(to).toISOString()}).`,
    );
    return undefined;
  }
  return { from, to };
}

/** Keys of the config file, dotted: those of the settings table, nothing else. */
const FILE_KEYS: readonly string[] = (Object.values(SETTINGS) as SettingSpec[])
  .map((spec) => spec.file)
  .filter((key) => key !== '-');

/**
 * The config file named by --config / TALEND_LOGS_CONFIG, as an object. Its format is given by
 * --config-format, else read from the content, never from the name: a JSON document starts with "{",
 * anything else is YAML. Keys the settings table does not know are problems, each with the key meant.
 */
function readConfigFile(source: SettingSource, problems: string[]): Record<string, unknown> {
  // Read, and checked, with or without a file: a value that is not a format is refused either way.
  const explicit = source.value('configFormat');
  const path = source.string('config');
  if (path === undefined) return {};
  // A format that is not one is reported with the other problems: the file is not guessed at.
  if (explicit === undefined && source.isSet('configFormat')) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Cannot read the config file "${path}" (${(error as NodeJS.ErrnoException).code}).`,
    );
  }
  const format = explicit ?? (text.trimStart().startsWith('{') ? 'json' : 'yaml');
  let parsed: unknown;
  try {
    parsed = format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const why =
      explicit === undefined
        ? format === 'json'
          ? ' (it starts with "{")'
          : ' (it does not start with "{")'
        : '';
    const other = format === 'json' ? 'yaml' : 'json';
    throw new ConfigError(
      `The config file "${path}" is not valid ${format.toUpperCase()}${why}: ${(error as Error).message}. ` +
        `If it is ${other.toUpperCase()}, say so with --config-format ${other}.`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`The config file "${path}" must hold an object of settings at its top level.`);
  }
  const settings = nestDottedKeys(parsed as Record<string, unknown>, '', path, problems);
  checkFileKeys(settings, '', path, problems);
  return settings;
}

/**
 * The file's settings with every key nested: `elasticsearch.url: …`, at any level, reads as
 * `elasticsearch: { url: … }`, since YAML configs are written both ways. A setting given twice, once
 * flat and once nested, is a problem rather than a guess at which one was meant. The objects have
 * no prototype, so that a key such as `__proto__` is a key like any other (and refused as unknown).
 */
function nestDottedKeys(
  object: Record<string, unknown>,
  prefix: string,
  path: string,
  problems: string[],
): Record<string, unknown> {
  const nested: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(object)) {
    const dotted = `${prefix}${key}`;
    const child = isPlainObject(value) ? nestDottedKeys(value, `${dotted}.`, path, problems) : value;
    const parts = key.split('.');
    const branch = parts
      .slice(1)
      .reduceRight<unknown>((inner, part) => ({ __proto__: null, [part]: inner }), child);
    mergeSetting(nested, parts[0]!, branch, `${prefix}${parts[0]!}`, path, problems);
  }
  return nested;
}

function mergeSetting(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
  dotted: string,
  path: string,
  problems: string[],
): void {
  if (!Object.hasOwn(target, key)) {
    target[key] = value;
    return;
  }
  const existing = target[key];
  if (isPlainObject(existing) && isPlainObject(value)) {
    for (const [inner, innerValue] of Object.entries(value))
      mergeSetting(existing, inner, innerValue, `${dotted}.${inner}`, path, problems);
    return;
  }
  problems.push(
    `"${dotted}" is given twice in the config file "${path}" (flat and nested): keep one of them.`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkFileKeys(
  object: Record<string, unknown>,
  prefix: string,
  path: string,
  problems: string[],
): void {
  for (const [key, value] of Object.entries(object)) {
    const dotted = `${prefix}${key}`;
    if (FILE_KEYS.includes(dotted)) continue;
    const isSection = FILE_KEYS.some((known) => known.startsWith(`${dotted}.`));
    if (isSection && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      checkFileKeys(value as Record<string, unknown>, `${dotted}.`, path, problems);
    } else if (isSection) {
      problems.push(
        `"${dotted}" in the config file "${path}" must hold keys such as ${FILE_KEYS.find((known) => known.startsWith(`${dotted}.`))}, not a value.`,
      );
    } else {
      const guess = closestName(dotted, FILE_KEYS);
      problems.push(
        `Unknown key "${dotted}" in the config file "${path}"` +
          (guess
            ? `: did you mean ${guess}?`
            : ': "talend-logs sync --help" and README\'s configuration reference list the keys.'),
      );
    }
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
