/**
 * Finds a real Elasticsearch for the tests, in this order:
 *   1. ES_URL, when set (CI starts the local node and sets it; so can a developer);
 *   2. testcontainers' Elasticsearch module, when a Docker engine answers (a laptop);
 *   3. the local JVM node of test/elasticsearch, started if it is not running.
 * Every test works under its own index prefix and removes what it created.
 */
import { randomBytes } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import type { ElasticsearchService } from '../../src/config/services.ts';
import { silentLogger, type Logger } from '../../src/observability/logger.ts';
import { createElasticsearchClient } from '../../src/store/elasticsearch-client.ts';
import { createElasticsearchStore, type ElasticsearchStore } from '../../src/store/elasticsearch-store.ts';
import { DEFAULTS } from './config.ts';

const TESTCONTAINERS_IMAGE = 'docker.elastic.co/elasticsearch/elasticsearch:8.19.7';

let urlPromise: Promise<string> | undefined;

export function elasticsearchUrl(): Promise<string> {
  urlPromise ??= locateElasticsearch();
  return urlPromise;
}

async function locateElasticsearch(): Promise<string> {
  if (process.env.ES_URL) return process.env.ES_URL.split(',')[0]!.trim();
  const fromDocker = await startWithTestcontainers();
  if (fromDocker) return fromDocker;
  const { startLocalElasticsearch } = await import('../elasticsearch/local-es.ts');
  const { url } = await startLocalElasticsearch();
  return url;
}

async function startWithTestcontainers(): Promise<string | undefined> {
  if (process.env.TEST_NO_DOCKER === '1') return undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const { ElasticsearchContainer } = await import('@testcontainers/elasticsearch');
  const container = await new ElasticsearchContainer(TESTCONTAINERS_IMAGE)
    .withEnvironment({ 'xpack.security.enabled': 'false', ES_JAVA_OPTS: '-Xms1g -Xmx1g' })
    .start();
  // testcontainers' reaper removes the container when this process exits.
  return `http://${container.getHost()}:${container.getMappedPort(9200)}`;
}

/** The client users run (one attempt a call), for a test's own reads and clean-up. */
export async function testClient(): Promise<Client> {
  return createElasticsearchClient(
    { nodes: [await elasticsearchUrl()], insecure: false },
    DEFAULTS.services.elasticsearch.requestTimeoutMs,
  );
}

/**
 * The store a command builds, under `prefix`, with the default settings: towards the test node, or
 * `node` (a proxy in front of it, a port nobody listens on), with `service` over the defaults.
 */
export async function testStore(
  prefix: string,
  options: { node?: string; service?: Partial<ElasticsearchService>; logger?: Logger } = {},
): Promise<ElasticsearchStore> {
  return createElasticsearchStore(
    { nodes: [options.node ?? (await elasticsearchUrl())], insecure: false },
    { ...DEFAULTS.services.elasticsearch, ...options.service },
    prefix,
    options.logger ?? silentLogger,
  );
}

/** A lower-case prefix unique to one test, so parallel or repeated runs never share an index. */
export function uniquePrefix(label: string): string {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 30);
  return `t-${safe}-${randomBytes(4).toString('hex')}`;
}

/** Removes every index, alias target and template created under the prefix. */
export async function removePrefix(client: Client, prefix: string): Promise<void> {
  await client.indices.delete({ index: `${prefix}*`, ignore_unavailable: true, allow_no_indices: true });
  const templates = await client.indices.getIndexTemplate({ name: `${prefix}*` }, { ignore: [404] });
  for (const { name } of templates.index_templates ?? []) {
    await client.indices.deleteIndexTemplate({ name }, { ignore: [404] });
  }
  const components = await client.cluster.getComponentTemplate({ name: `${prefix}*` }, { ignore: [404] });
  for (const { name } of components.component_templates ?? []) {
    await client.cluster.deleteComponentTemplate({ name }, { ignore: [404] });
  }
}
