import { Client, type ClientOptions } from '@elastic/elasticsearch';
import { registerSecret } from '../common/secrets.ts';
import type { ElasticsearchSettings } from '../config/config.ts';

/**
 * The Elasticsearch client from validated settings: TLS verified unless explicitly disabled. It
 * makes one attempt per call: the store retries (see ElasticsearchStore.request), so that a write
 * whose answer was lost is sent again at one level only, where its conflict is understood.
 */
export function createElasticsearchClient(settings: ElasticsearchSettings, requestTimeoutMs: number): Client {
  for (const node of settings.nodes) {
    const url = new URL(node);
    registerSecret(decodeURIComponent(url.password));
  }
  const options: ClientOptions = {
    requestTimeout: requestTimeoutMs,
    maxRetries: 0,
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
