/**
 * Finds a real Elasticsearch for the tests, in this order:
 *   1. ES_URL, when set (CI starts the local node and sets it; so can a developer);
 *   2. testcontainers, when a Docker engine answers (a laptop): one container for the whole test run;
 *   3. the local JVM node of test/elasticsearch, started if it is not running.
 * Every test works under its own index prefix and removes what it created.
 *
 * The container: TEST_ES_IMAGE (default Elastic's image), with security off. Each test file runs in a process of its
 * own, and all of them share one container through testcontainers' reuse: the same settings give the same
 * container, and its fixed name makes Docker refuse a second one when two files start at once. It carries the
 * session of testcontainers' reaper (Ryuk), which all processes of a run share, so the reaper removes it once the
 * last of them has exited. With the reaper disabled (TESTCONTAINERS_RYUK_DISABLED=true), whoever disabled it
 * removes the container (label org.testcontainers=true); CI does. TEST_ES_HOST_PORT: for an engine without a
 * bridge network, the container shares the host's network and listens on 127.0.0.1 at that port.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import type { StartedTestContainer } from 'testcontainers';
import type { ElasticsearchService } from '../../src/config/services.ts';
import { silentLogger, type Logger } from '../../src/observability/logger.ts';
import { createElasticsearchClient } from '../../src/store/elasticsearch-client.ts';
import { createElasticsearchStore, type ElasticsearchStore } from '../../src/store/elasticsearch-store.ts';
import { DEFAULTS } from './config.ts';

const DEFAULT_IMAGE = 'docker.elastic.co/elasticsearch/elasticsearch:8.19.7';
const STARTUP_TIMEOUT_MS = 180_000;
const NAME_CONFLICT_ATTEMPTS = 30;
/** Elasticsearch's "started" line, in the JSON of Elastic's image or the plain layout of a distribution. */
const STARTED = /"message":\s?"started[\s"]|\] started(\s|$)/;

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
  const { GenericContainer, LABEL_TESTCONTAINERS_SESSION_ID, Wait, getContainerRuntimeClient, getReaper } =
    await import('testcontainers');
  let runtime: Awaited<ReturnType<typeof getContainerRuntimeClient>>;
  try {
    runtime = await getContainerRuntimeClient();
  } catch {
    return undefined;
  }
  const withReaper = process.env.TESTCONTAINERS_RYUK_DISABLED !== 'true';
  const session = withReaper ? (await getReaper(runtime)).sessionId : 'shared';
  const hostPort = process.env.TEST_ES_HOST_PORT;
  const container = () => {
    const definition = new GenericContainer(process.env.TEST_ES_IMAGE ?? DEFAULT_IMAGE)
      .withName(`talend-logs-test-elasticsearch-${session}`)
      .withEnvironment({
        'discovery.type': 'single-node',
        'xpack.security.enabled': 'false',
        // As the local node has them: tests remove their indices by pattern, on a machine's shared disk.
        'action.destructive_requires_name': 'false',
        'cluster.routing.allocation.disk.threshold_enabled': 'false',
        ES_JAVA_OPTS: '-Xms1g -Xmx1g',
      })
      .withWaitStrategy(Wait.forLogMessage(STARTED))
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .withReuse();
    if (withReaper) definition.withLabels({ [LABEL_TESTCONTAINERS_SESSION_ID]: session });
    return hostPort
      ? definition
          .withNetworkMode('host')
          .withEnvironment({ 'network.host': '127.0.0.1', 'http.port': hostPort })
      : definition.withExposedPorts(9200);
  };
  // Two files starting at once both find no container; Docker lets one create it. The other is refused (409),
  // and reuses it once it is listed, which is a moment after its name is taken.
  const start = async (attempt: number): Promise<StartedTestContainer> => {
    try {
      return await container().start();
    } catch (error) {
      if (!/Conflict/.test(String(error)) || attempt >= NAME_CONFLICT_ATTEMPTS) throw error;
      await delay(1_000);
      return start(attempt + 1);
    }
  };
  const started = await start(1);
  return hostPort
    ? `http://127.0.0.1:${hostPort}`
    : `http://${started.getHost()}:${started.getMappedPort(9200)}`;
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
