import { randomBytes } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { ConfigError } from '../../common/errors.ts';
import { loadConfig, type FlagValues } from '../../config/load.ts';
import type { ExecutionDocument } from '../../contracts/documents.ts';
import { runSync } from '../../job/sync.ts';
import { createLogger } from '../../observability/logger.ts';
import { RunStats } from '../../observability/run-stats.ts';
import { summaryTable } from '../../observability/summary-output.ts';
import { demoTenant, startSimulator } from '../../simulator/index.ts';
import { executionsIndex } from '../../store/index-names.ts';
import { createTalendClient, resolveBaseUrl } from '../../talend/index.ts';
import { EXIT, exitCodeFor } from '../exit-codes.ts';
import { createElasticsearchClient } from '../elasticsearch-client.ts';
import { abortOnSignals } from '../signals.ts';

const DEMO_PREFIX = 'talend-demo';

/**
 * `demo`: the whole product on an embedded default. A simulated Talend tenant (a run big enough for
 * the 206 walk, one still running, a few failures), Elasticsearch from --es-url, ES_URL or a local node,
 * then setup and sync exactly as scheduled runs do, and a few answers read back.
 */
export async function demoCommand(flags: FlagValues): Promise<number> {
  const esUrl = (flags['es-url'] as string[] | undefined)?.[0] ?? process.env.ES_URL;
  const logger = createLogger({
    level: process.env.LOG_LEVEL ?? 'warn',
    pretty: process.stderr.isTTY === true,
  });
  const token = `demo-${randomBytes(12).toString('hex')}`;
  const simulator = await startSimulator({ tenant: demoTenant(), auth: { personalAccessTokens: [token] } });
  console.log(`Simulated Talend tenant at ${simulator.apiUrl}`);
  try {
    const elasticsearchUrl = esUrl ?? (await startLocalElasticsearch());
    console.log(`Elasticsearch at ${elasticsearchUrl}`);
    const config = loadConfig({
      flags: {
        'index-prefix': DEMO_PREFIX,
        'settle-delay': '5s',
        ...flags,
        'talend-url': simulator.apiUrl,
        'es-url': [elasticsearchUrl],
      },
      env: {
        ...process.env,
        TALEND_TOKEN: token,
        TALEND_CLIENT_ID: '',
        TALEND_CLIENT_SECRET: '',
        TALEND_API_URL: '',
      },
      needs: { talend: true, elasticsearch: true },
    });
    const talend = createTalendClient({
      baseUrl: resolveBaseUrl({ baseUrl: simulator.apiUrl }),
      auth: config.talend.auth!,
      logger,
    });
    const elasticsearch = createElasticsearchClient(config.elasticsearch);
    const stats = new RunStats();
    const signals = abortOnSignals(logger);
    try {
      console.log('Syncing the demo tenant (setup, then sync: the same code a schedule runs)…');
      const outcome = await runSync(config, {
        talend,
        elasticsearch,
        logger,
        stats,
        runId: token,
        signal: signals.signal,
      });
      console.log(summaryTable(stats.summary(), outcome.kind));
      if (outcome.kind === 'fatal') return exitCodeFor(outcome.error);
      await printAnswers(elasticsearch, config.indexPrefix);
      await printRunAnswers(elasticsearch, config.indexPrefix);
      console.log(
        `\nExplore: curl '${elasticsearchUrl}/${config.indexPrefix}-logs/_search?q=log.level:error&size=3&pretty'` +
          (esUrl === undefined
            ? '\nThe local Elasticsearch keeps running: stop it with "npm run es:stop".'
            : ''),
      );
      return outcome.kind === 'ok' ? EXIT.ok : EXIT.partial;
    } finally {
      signals.dispose();
      await talend.close();
      await elasticsearch.close();
    }
  } finally {
    await simulator.close();
  }
}

async function startLocalElasticsearch(): Promise<string> {
  // The runner lives with the tests: it needs this source checkout, Java 17 and Maven.
  const runner = new URL('../../../test/elasticsearch/local-es.ts', import.meta.url);
  let start: () => Promise<{ url: string }>;
  try {
    ({ startLocalElasticsearch: start } = (await import(runner.href)) as {
      startLocalElasticsearch: () => Promise<{ url: string }>;
    });
  } catch {
    throw new ConfigError(
      'No ES_URL, and the local Elasticsearch runner is not available here (it needs the source checkout run ' +
        'with "npm run demo", Java 17 and Maven). Set ES_URL to an Elasticsearch 8.x or 9.x.',
    );
  }
  console.log('Starting the local Elasticsearch (the first time builds it from Maven Central)…');
  return (await start()).url;
}

interface Bucket {
  key: string;
  doc_count: number;
  executions?: { value: number };
}

async function printAnswers(client: Client, prefix: string): Promise<void> {
  await client.indices.refresh({ index: `${prefix}-logs` });
  const errorLevels = { terms: { 'log.level': ['error', 'fatal'] } };
  const response = await client.search({
    index: `${prefix}-logs`,
    size: 0,
    aggs: {
      errorsByTask: {
        filter: errorLevels,
        aggs: { tasks: { terms: { field: 'talend.task.name', size: 10 } } },
      },
      topError: { terms: { field: 'talend.error.message', size: 1 } },
      failed: {
        filter: {
          terms: { 'talend.execution.status': ['execution_failed', 'execution_rejected', 'deploy_failed'] },
        },
        aggs: {
          tasks: {
            terms: { field: 'talend.task.name', size: 10 },
            aggs: { executions: { cardinality: { field: 'talend.execution.id' } } },
          },
        },
      },
    },
  });
  const aggregations = response.aggregations as Record<
    string,
    { tasks?: { buckets: Bucket[] }; buckets?: Bucket[] }
  >;
  console.log('\nError and fatal lines per task:');
  for (const bucket of aggregations.errorsByTask?.tasks?.buckets ?? []) {
    console.log(`  ${bucket.key.padEnd(28)} ${bucket.doc_count}`);
  }
  console.log('Failed or rejected executions per task:');
  for (const bucket of aggregations.failed?.tasks?.buckets ?? []) {
    console.log(`  ${bucket.key.padEnd(28)} ${bucket.executions?.value ?? 0}`);
  }
  const top = aggregations.topError?.buckets?.[0];
  if (top) console.log(`Top error message (${top.doc_count} lines): ${top.key}`);
}

/** Answers from the executions index: one document per run, with its outcome, duration and counts. */
async function printRunAnswers(client: Client, prefix: string): Promise<void> {
  const index = executionsIndex(prefix);
  await client.indices.refresh({ index });
  const response = await client.search<ExecutionDocument>({
    index,
    size: 3,
    // Hits are the finished runs (they have a duration); the aggregations count every run.
    post_filter: { exists: { field: 'talend.execution.duration_ms' } },
    sort: [{ 'talend.execution.duration_ms': 'desc' }],
    _source: ['talend.task.name', 'talend.execution.id', 'talend.execution.duration_ms'],
    aggs: {
      tasks: {
        terms: { field: 'talend.task.name', size: 10 },
        aggs: { failed: { filter: { term: { 'event.outcome': 'failure' } } } },
      },
      silent: {
        filter: {
          bool: {
            filter: [{ term: { 'talend.lines.total': 0 } }, { term: { 'talend.sync.state': 'done' } }],
          },
        },
      },
    },
  });
  const aggregations = response.aggregations as {
    tasks: { buckets: (Bucket & { failed: { doc_count: number } })[] };
    silent: { doc_count: number };
  };
  console.log('Failure rate per task (from the executions index):');
  for (const bucket of aggregations.tasks.buckets) {
    const rate = ((100 * bucket.failed.doc_count) / bucket.doc_count).toFixed(0);
    console.log(
      `  ${bucket.key.padEnd(28)} ${bucket.failed.doc_count}/${bucket.doc_count} runs failed (${rate}%)`,
    );
  }
  console.log('Slowest runs:');
  for (const hit of response.hits.hits) {
    const run = hit._source!.talend;
    const seconds = Math.round((run.execution.duration_ms ?? 0) / 1000);
    console.log(`  ${(run.task.name ?? run.task.id).padEnd(28)} ${run.execution.id} ${seconds} s`);
  }
  console.log(`Runs that logged nothing: ${aggregations.silent.doc_count}`);
}
