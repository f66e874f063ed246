import { Client, type ClientOptions } from '@elastic/elasticsearch';
import { registerSecret } from '../common/secrets.ts';
import type { ElasticsearchSettings } from '../config/config.ts';

/** The Elasticsearch client from validated settings: TLS verified unless explicitly disabled. */
export function createElasticsearchClient(settings: ElasticsearchSettings): Client {
  for (const node of settings.nodes) {
    const url = new URL(node);
    registerSecret(decodeURIComponent(url.password));
  }
  const options: ClientOptions = {
    requestTimeout: 120_000,
    maxRetries: 3,
    compression: false,
    tls: {
      ...(settings.caCert ? { ca: settings.caCert } : {}),
      rejectUnauthorized: !settings.insecure,
    },
  };
  if (settings.cloudId) options.cloud = { id: settings.cloudId };
  else options.nodes = settings.nodes;
  if (settings.apiKey) options.auth = { apiKey: settings.apiKey };
  else if (settings.username && settings.password) {
    options.auth = { username: settings.username, password: settings.password };
  }
  return new Client(options);
}
