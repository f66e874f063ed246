import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { closestName } from '../common/closest-name.ts';
import { ConfigError } from '../common/errors.ts';
import { registerSecret } from '../common/secrets.ts';
import type { Config, TalendAuth } from './config.ts';
import { SETTINGS, type SettingName, type SettingSpec } from './settings.ts';
import {
  parseBoolean,
  parseDate,
  parseDuration,
  parseInteger,
  parseShard,
  parseSize,
  splitList,
} from './parse-values.ts';

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface LoadOptions {
  flags: FlagValues;
  env?: NodeJS.ProcessEnv;
  /** Which halves the command talks to: only those are required. */
  needs: { talend: boolean; elasticsearch: boolean };
  now?: number;
  isTty?: boolean;
}

const REGION_PATTERN = /^[a-z0-9-]+$/;
const PREFIX_PATTERN = /^[a-z0-9][a-z0-9_.-]*$/;
const DEFAULT_ES_URL = 'http://localhost:9200';

/**
 * Resolves every setting (flags > environment > config file > default), validates all of them,
 * and reports every problem at once, each with what to do about it.
 */
export function loadConfig(options: LoadOptions): Config {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now();
  const problems: string[] = [];
  const file = readConfigFile(new SettingSource(options.flags, env, {}, problems), problems);
  const source = new SettingSource(options.flags, env, file, problems);

  const text = (name: SettingName) => source.string(name);
  const duration = (name: SettingName) =>
    source.parsed(name, parseDuration, 'a duration such as 30s, 5m, 24h or 7d');
  const positive = (name: SettingName) => {
    const value = source.parsed(name, parseInteger, 'a whole number');
    if (value !== undefined && value < 1)
      problems.push(`${source.describe(name)} must be at least 1 (got ${value}).`);
    return value;
  };
  const flag = (name: SettingName) => source.parsed(name, parseBoolean, 'true or false') ?? false;

  const region = text('talendRegion');
  if (region !== undefined && !REGION_PATTERN.test(region)) {
    problems.push(
      `${source.describe('talendRegion')} "${region}" is not a Talend region id. Use us, eu, ap, au, us-west ` +
        `(or a newer id such as in, sg, uk), or set TALEND_API_URL to the full API URL.`,
    );
  }
  const baseUrl = text('talendUrl');
  if (baseUrl !== undefined && !isHttpUrl(baseUrl)) {
    problems.push(`${source.describe('talendUrl')} "${baseUrl}" is not an http(s) URL.`);
  }
  const auth = talendAuth(source, problems);
  if (options.needs.talend) {
    if (region === undefined && baseUrl === undefined) {
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

  const nodes = source.list('esUrl');
  for (const node of nodes) {
    if (!isHttpUrl(node)) problems.push(`${source.describe('esUrl')} "${node}" is not an http(s) URL.`);
  }
  const esUsername = text('esUsername');
  const esPassword = text('esPassword');
  if ((esUsername === undefined) !== (esPassword === undefined)) {
    problems.push('Elasticsearch basic auth needs both ES_USERNAME and ES_PASSWORD (or use ES_API_KEY).');
  }

  const indexPrefix = text('indexPrefix') ?? 'talend';
  if (!PREFIX_PATTERN.test(indexPrefix)) {
    problems.push(
      `${source.describe('indexPrefix')} "${indexPrefix}" is not a valid index prefix: use lower-case letters, ` +
        'digits, "-", "_" or ".", starting with a letter or digit.',
    );
  }

  const fileFormat = (text('fileFormat') ?? 'JSON').toUpperCase();
  if (fileFormat !== 'JSON' && fileFormat !== 'TEXT') {
    problems.push(`${source.describe('fileFormat')} must be JSON or TEXT (got "${fileFormat}").`);
  }
  const logFormat = text('logFormat')?.toLowerCase();
  if (logFormat !== undefined && logFormat !== 'json' && logFormat !== 'pretty') {
    problems.push(`${source.describe('logFormat')} must be json or pretty (got "${logFormat}").`);
  }
  const shardText = text('shard');
  const shard = shardText === undefined ? undefined : parseShard(shardText);
  if (shardText !== undefined && shard === undefined) {
    problems.push(`${source.describe('shard')} "${shardText}" must be i/n with 0 <= i < n, e.g. 0/3.`);
  }

  const backfill = flag('backfill') ? backfillRange(source, problems, now) : undefined;
  if (!flag('backfill') && (text('from') !== undefined || text('to') !== undefined)) {
    problems.push('--from and --to only apply to a backfill: add --backfill (or use the backfill command).');
  }

  const bulkSize = source.parsed('bulkSize', parseSize, 'a size such as 5mb or 512kb');
  const config: Config = {
    talend: {
      region,
      baseUrl,
      auth,
      oauthAudience: text('talendOauthAudience'),
      caCert: readCaFile(source, 'talendCaCert', problems),
      insecure: flag('talendInsecure'),
      rateLimits: {
        monitoringPerMinute: positive('monitoringRateLimit') ?? 600,
        processingPerMinute: positive('processingRateLimit') ?? 1800,
        orchestrationPerMinute: positive('processingRateLimit') ?? 1800,
      },
      statusMaxWaitMs: duration('statusMaxWait') ?? 600_000,
    },
    elasticsearch: {
      nodes: nodes.length > 0 || text('esCloudId') !== undefined ? nodes : [DEFAULT_ES_URL],
      cloudId: text('esCloudId'),
      apiKey: text('esApiKey'),
      username: esUsername,
      password: esPassword,
      caCert: readCaFile(source, 'esCaCert', problems),
      insecure: flag('esInsecure'),
    },
    indexPrefix,
    selection: {
      taskIds: source.list('task'),
      environmentId: text('environment'),
      workspaceId: text('workspace'),
    },
    sync: {
      concurrency: positive('concurrency') ?? 4,
      settleDelayMs: duration('settleDelay') ?? 30_000,
      lookbackMs: duration('lookback') ?? 86_400_000,
      listingOverlapMs: duration('listingOverlap') ?? 3_600_000,
      leaseTtlMs: duration('leaseTtl') ?? 120_000,
      maxExecutionAttempts: positive('maxAttempts') ?? 5,
      fileFormat: fileFormat === 'TEXT' ? 'TEXT' : 'JSON',
      shard,
      dryRun: flag('dryRun'),
      backfill,
    },
    bulk: {
      flushBytes: bulkSize ?? 5 * 1024 * 1024,
      concurrency: positive('bulkConcurrency') ?? 2,
      maxRetries: positive('bulkRetries') ?? 8,
    },
    ilm: {
      enabled: flag('ilm'),
      deleteAfterDays: Math.max(1, Math.round((duration('ilmDeleteAfter') ?? 90 * 86_400_000) / 86_400_000)),
    },
    log: {
      level: text('logLevel') ?? 'info',
      pretty: logFormat === undefined ? (options.isTty ?? false) : logFormat === 'pretty',
      progress: source.parsed('progress', parseBoolean, 'true or false') ?? options.isTty ?? false,
    },
  };
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
  const fromText = source.string('from');
  if (fromText === undefined) {
    problems.push('A backfill needs --from (e.g. --from 2026-01-01 or --from now-90d).');
    return undefined;
  }
  const from = parseDate(fromText, now);
  const toText = source.string('to');
  const to = toText === undefined ? now : parseDate(toText, now);
  if (from === undefined)
    problems.push(`--from "${fromText}" is not a date: use 2026-01-31, an ISO time or now-30d.`);
  if (to === undefined)
    problems.push(`--to "${toText}" is not a date: use 2026-01-31, an ISO time or now-1d.`);
  if (from === undefined || to === undefined) return undefined;
  if (from >= to) {
    problems.push(
      `--from (${new Date(from).toISOString()}) must be before --to (${new Date(to).toISOString()}).`,
    );
    return undefined;
  }
  if (to > now) problems.push(`--to (${new Date(to).toISOString()}) is in the future.`);
  return { from, to };
}

function readCaFile(source: SettingSource, name: SettingName, problems: string[]): string | undefined {
  const path = source.string(name);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(
      `${source.describe(name)}: cannot read "${path}" (${(error as NodeJS.ErrnoException).code}).`,
    );
    return undefined;
  }
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
  const path = source.string('config');
  if (path === undefined) return {};
  const explicit = source.string('configFormat')?.toLowerCase();
  if (explicit !== undefined && explicit !== 'json' && explicit !== 'yaml') {
    throw new ConfigError(`${source.describe('configFormat')} must be json or yaml (got "${explicit}").`);
  }
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
  checkFileKeys(parsed as Record<string, unknown>, '', path, problems);
  return parsed as Record<string, unknown>;
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

/** Looks one setting up in flags, then the environment (and its `_FILE` twin), then the file. */
class SettingSource {
  constructor(
    private readonly flags: FlagValues,
    private readonly env: NodeJS.ProcessEnv,
    private readonly file: Record<string, unknown>,
    private readonly problems: string[],
  ) {}

  describe(name: SettingName): string {
    const spec: SettingSpec = SETTINGS[name];
    return [spec.flag && `--${spec.flag}`, spec.env].filter(Boolean).join(' / ') || spec.file;
  }

  raw(name: SettingName): string | string[] | boolean | undefined {
    const spec: SettingSpec = SETTINGS[name];
    const fromFlag = spec.flag === undefined ? undefined : this.flags[spec.flag];
    if (fromFlag !== undefined) return fromFlag;
    if (spec.env !== undefined) {
      const fromEnv = this.env[spec.env];
      if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
      const fromEnvFile = this.env[`${spec.env}_FILE`];
      if (fromEnvFile !== undefined && fromEnvFile !== '')
        return this.readSecretFile(`${spec.env}_FILE`, fromEnvFile);
    }
    const fromFile = spec.file === '-' ? undefined : lookup(this.file, spec.file);
    if (fromFile !== undefined && fromFile !== null) {
      if (Array.isArray(fromFile)) return fromFile.map(String);
      return typeof fromFile === 'boolean' ? fromFile : String(fromFile);
    }
    return spec.default;
  }

  string(name: SettingName): string | undefined {
    const value = this.raw(name);
    if (value === undefined || typeof value === 'boolean') return value === true ? 'true' : undefined;
    const text = (Array.isArray(value) ? value.at(-1) : value)?.trim();
    if (text === undefined || text === '') return undefined;
    if ((SETTINGS[name] as SettingSpec).secret) registerSecret(text);
    return text;
  }

  list(name: SettingName): string[] {
    const value = this.raw(name);
    if (value === undefined || typeof value === 'boolean') return [];
    return (Array.isArray(value) ? value : [value]).flatMap(splitList);
  }

  parsed<T>(name: SettingName, parse: (text: string) => T | undefined, expected: string): T | undefined {
    const value = this.raw(name);
    if (typeof value === 'boolean') return value as T;
    const text = this.string(name);
    if (text === undefined) return undefined;
    const result = parse(text);
    if (result === undefined)
      this.problems.push(`${this.describe(name)} "${text}" is not valid: expected ${expected}.`);
    return result;
  }

  private readSecretFile(variable: string, path: string): string | undefined {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch (error) {
      this.problems.push(`${variable}: cannot read "${path}" (${(error as NodeJS.ErrnoException).code}).`);
      return undefined;
    }
  }
}

function lookup(object: Record<string, unknown>, dotted: string): unknown {
  let current: unknown = object;
  for (const key of dotted.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
