import { readFileSync } from 'node:fs';
import { ConfigError } from '../common/errors.ts';
import { registerSecret } from '../common/secrets.ts';
import type { ElasticsearchSettings } from '../config/config.ts';
import type { FlagValues } from '../config/load.ts';
import { parseBoolean } from '../config/parse-values.ts';

export type KibanaAuth = { apiKey: string } | { username: string; password: string };

export interface KibanaSettings {
  url: string;
  /** Absent for the default space. */
  space?: string;
  auth?: KibanaAuth;
  /** PEM of extra CA certificates. */
  ca?: string;
  rejectUnauthorized: boolean;
}

/** The environment variables `setup` reads for Kibana, beside the flags --kibana-url and --kibana-space. */
export const KIBANA_ENV = {
  url: 'KIBANA_URL',
  space: 'KIBANA_SPACE',
  apiKey: 'KIBANA_API_KEY',
  username: 'KIBANA_USERNAME',
  password: 'KIBANA_PASSWORD',
  caCert: 'KIBANA_CA_CERT',
  insecure: 'KIBANA_INSECURE_SKIP_TLS_VERIFY',
} as const;

/** Secrets may come from a file named by `<NAME>_FILE` (Docker and Kubernetes secrets), as elsewhere. */
export const KIBANA_SECRET_ENV: readonly string[] = [KIBANA_ENV.apiKey, KIBANA_ENV.password];

const SPACE_PATTERN = /^[a-z0-9_-]+$/;

export interface KibanaSettingsInput {
  flags: FlagValues;
  env: NodeJS.ProcessEnv;
  /** Kibana credentials default to these, as Elastic's own tools (Beats, Agent) do. */
  elasticsearch: ElasticsearchSettings;
}

/**
 * Kibana settings for `setup`, or undefined when no Kibana URL is given (templates only). Every problem
 * is reported at once, before anything is written anywhere.
 */
export function resolveKibanaSettings(input: KibanaSettingsInput): KibanaSettings | undefined {
  const problems: string[] = [];
  const value = (name: string, flag?: string) => read(input, problems, name, flag);
  const url = value(KIBANA_ENV.url, 'kibana-url');
  if (url === undefined) return undefined;

  const parsed = parseUrl(url, problems);
  const spaceText = value(KIBANA_ENV.space, 'kibana-space');
  if (spaceText !== undefined && !SPACE_PATTERN.test(spaceText)) {
    problems.push(
      `--kibana-space / ${KIBANA_ENV.space} "${spaceText}" is not a Kibana space id ` +
        '(lower-case letters, digits, "_" and "-").',
    );
  }
  const auth = resolveAuth(value, input.elasticsearch, problems);
  const caPath = value(KIBANA_ENV.caCert);
  const ca = caPath === undefined ? undefined : readPath(KIBANA_ENV.caCert, caPath, problems);
  const insecureText = value(KIBANA_ENV.insecure);
  const insecure = insecureText === undefined ? false : parseBoolean(insecureText);
  if (insecure === undefined)
    problems.push(`${KIBANA_ENV.insecure} "${insecureText}" must be true or false.`);

  if (problems.length > 0) {
    throw new ConfigError(`Kibana settings are not valid:\n  - ${problems.join('\n  - ')}`, {
      problems: problems.length,
    });
  }
  return {
    url: parsed ?? url,
    ...(spaceText !== undefined && spaceText !== 'default' ? { space: spaceText } : {}),
    ...(auth ? { auth } : {}),
    ...(ca ? { ca } : {}),
    rejectUnauthorized: insecure !== true,
  };
}

function resolveAuth(
  value: (name: string) => string | undefined,
  elasticsearch: ElasticsearchSettings,
  problems: string[],
): KibanaAuth | undefined {
  const apiKey = value(KIBANA_ENV.apiKey);
  const username = value(KIBANA_ENV.username);
  const password = value(KIBANA_ENV.password);
  if (apiKey !== undefined) return { apiKey };
  if (username !== undefined && password !== undefined) return { username, password };
  if (username !== undefined || password !== undefined) {
    problems.push(`Kibana basic auth needs both ${KIBANA_ENV.username} and ${KIBANA_ENV.password}.`);
    return undefined;
  }
  if (elasticsearch.apiKey) return { apiKey: elasticsearch.apiKey };
  if (elasticsearch.username && elasticsearch.password) {
    return { username: elasticsearch.username, password: elasticsearch.password };
  }
  return undefined;
}

/** Flag, then the variable, then (for secrets) the file its `_FILE` twin names. */
function read(
  input: KibanaSettingsInput,
  problems: string[],
  name: string,
  flag?: string,
): string | undefined {
  const fromFlag = flag === undefined ? undefined : input.flags[flag];
  let text = typeof fromFlag === 'string' ? fromFlag : input.env[name];
  const file = input.env[`${name}_FILE`];
  if ((text === undefined || text === '') && KIBANA_SECRET_ENV.includes(name) && file) {
    text = readPath(`${name}_FILE`, file, problems);
  }
  const trimmed = text?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  if (KIBANA_SECRET_ENV.includes(name)) registerSecret(trimmed);
  return trimmed;
}

function readPath(variable: string, path: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    problems.push(`${variable}: cannot read "${path}" (${(error as NodeJS.ErrnoException).code}).`);
    return undefined;
  }
}

/** The URL without a trailing slash; credentials belong in the variables, where they are kept secret. */
function parseUrl(text: string, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`--kibana-url / ${KIBANA_ENV.url} "${text}" is not a URL.`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`--kibana-url / ${KIBANA_ENV.url} must be an http(s) URL.`);
  }
  if (url.username || url.password) {
    registerSecret(decodeURIComponent(url.password));
    problems.push(
      `--kibana-url / ${KIBANA_ENV.url} must not carry credentials: use ${KIBANA_ENV.apiKey} or ` +
        `${KIBANA_ENV.username}/${KIBANA_ENV.password}.`,
    );
  }
  if (url.search || url.hash)
    problems.push(`--kibana-url / ${KIBANA_ENV.url} must not have a query or fragment.`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
