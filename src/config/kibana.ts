import { registerSecret } from '../common/secrets.ts';
import type { ElasticsearchSettings, KibanaAuth, KibanaSettings } from './config.ts';
import type { SettingSource } from './setting-source.ts';

const SPACE_PATTERN = /^[a-z0-9_-]+$/;

/**
 * The Kibana settings of `setup`, or undefined without a Kibana URL (templates only). Its credentials
 * default to the Elasticsearch ones, as Elastic's own tools (Beats, Agent) do.
 */
export function kibanaSettings(
  source: SettingSource,
  elasticsearch: ElasticsearchSettings,
  problems: string[],
): KibanaSettings | undefined {
  const url = source.string('kibanaUrl');
  if (url === undefined) return undefined;
  const parsed = parseKibanaUrl(url, source.describe('kibanaUrl'), problems);
  const space = source.string('kibanaSpace');
  if (space !== undefined && !SPACE_PATTERN.test(space)) {
    problems.push(
      `${source.describe('kibanaSpace')} "${space}" is not a Kibana space id ` +
        '(lower-case letters, digits, "_" and "-").',
    );
  }
  const auth = kibanaAuth(source, elasticsearch, problems);
  const ca = source.fileContent('kibanaCaCert');
  return {
    url: parsed ?? url,
    ...(space !== undefined && space !== 'default' ? { space } : {}),
    ...(auth ? { auth } : {}),
    ...(ca ? { ca } : {}),
    rejectUnauthorized: !source.value('kibanaInsecure'),
  };
}

function kibanaAuth(
  source: SettingSource,
  elasticsearch: ElasticsearchSettings,
  problems: string[],
): KibanaAuth | undefined {
  const apiKey = source.string('kibanaApiKey');
  const username = source.string('kibanaUsername');
  const password = source.string('kibanaPassword');
  if (apiKey !== undefined) return { apiKey };
  if (username !== undefined && password !== undefined) return { username, password };
  if (username !== undefined || password !== undefined) {
    problems.push('Kibana basic auth needs both KIBANA_USERNAME and KIBANA_PASSWORD.');
    return undefined;
  }
  if (elasticsearch.apiKey) return { apiKey: elasticsearch.apiKey };
  if (elasticsearch.username && elasticsearch.password) {
    return { username: elasticsearch.username, password: elasticsearch.password };
  }
  return undefined;
}

/** The URL without a trailing slash; credentials belong in the settings, where they are kept secret. */
function parseKibanaUrl(text: string, described: string, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`${described} "${text}" is not a URL.`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`${described} must be an http(s) URL.`);
  }
  if (url.username || url.password) {
    registerSecret(decodeURIComponent(url.password));
    problems.push(
      `${described} must not carry credentials: use KIBANA_API_KEY or KIBANA_USERNAME/KIBANA_PASSWORD.`,
    );
  }
  if (url.search || url.hash) problems.push(`${described} must not have a query or fragment.`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
