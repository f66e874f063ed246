import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../config/load.ts';
import type { FlagValues } from '../../config/setting-source.ts';
import type { ExecutionDocument } from '../../documents/shapes.ts';
import { runSync } from '../../job/sync.ts';
import { createLogger } from '../../observability/logger.ts';
import { RunStats } from '../../observability/run-stats.ts';
import { summaryTable } from '../../observability/summary-output.ts';
import { demoTenant, startSimulator } from '../../simulator/index.ts';
import { COMMANDS } from '../command-table.ts';
import { EXIT, exitCodeFor } from '../exit-codes.ts';
import { reportFailuresTo } from '../failure-report.ts';
import type { ElasticsearchStore } from '../../store/elasticsearch-store.ts';
import { connectElasticsearch, talendClientFor } from '../runtime.ts';
import { abortOnSignals } from '../signals.ts';

/**
 * `demo`: the whole product against a simulated Talend tenant (a run big enough for the 206 walk, one
 * still running, a few failures) and the configured Elasticsearch: setup and sync exactly as scheduled
 * runs do, then a few answers read back. `npm run demo` starts a local Elasticsearch first when ES_URL
 * is unset.
 */
export async function demoCommand(flags: FlagValues): Promise<number> {
  const token = `demo-${randomBytes(12).toString('hex')}`;
  const simulator = await startSimulator({ tenant: demoTenant(), auth: { personalAccessTokens: [token] } });
  console.log(`Simulated Talend tenant at ${simulator.apiUrl}`);
  try {
    // The simulated tenant stands in for Talend, whatever Talend settings the environment holds.
    // It reads back what it wrote: a dry run, from the environment or a file, has no place in it.
    const warnings: string[] = [];
    const config = loadConfig({
      flags: { ...flags, 'talend-url': simulator.apiUrl, 'dry-run': false },
      env: { ...process.env, TALEND_TOKEN: token, TALEND_CLIENT_ID: '', TALEND_CLIENT_SECRET: '' },
      needs: { talend: true, elasticsearch: true },
      defaults: COMMANDS.demo.defaults,
      isTty: process.stderr.isTTY === true,
      warnings,
    });
    const logger = createLogger({ level: config.log.level, pretty: config.log.pretty });
    reportFailuresTo(logger);
    for (const warning of warnings) logger.warn(warning);
    const runtime = { config, logger, runId: token };
    const store = await connectElasticsearch(runtime);
    const talend = talendClientFor(runtime);
    console.log(`Elasticsearch at ${config.elasticsearch.cloudId ?? config.elasticsearch.nodes.join(', ')}`);
    const stats = new RunStats();
    stats.countRetriesOf({ talend: () => talend.stats().retries, elasticsearch: () => store.retries });
    const signals = abortOnSignals(logger);
    try {
      console.log('Syncing the demo tenant (setup, then sync: the same code a schedule runs)…');
      const outcome = await runSync(config, {
        talend,
        store,
        logger,
        stats,
        runId: runtime.runId,
        signal: signals.signal,
      });
      const exitCode =
        outcome.kind === 'fatal'
          ? exitCodeFor(outcome.error)
          : outcome.kind === 'ok'
            ? EXIT.ok
            : EXIT.partial;
      console.log(summaryTable(stats.summary(), outcome.kind, exitCode));
      if (outcome.kind === 'fatal') throw outcome.error;
      await printAnswers(store);
      await printRunAnswers(store);
      const node = config.elasticsearch.nodes[0];
      if (node !== undefined) {
        console.log(
          `\nExplore: curl '${node}/${store.names.logsAlias}/_search?q=log.level:error&size=3&pretty'`,
        );
      }
      return exitCode;
    } finally {
      signals.dispose();
      await talend.close();
      await store.close();
    }
  } finally {
    await simulator.close();
  }
}

interface Bucket {
  key: string;
  doc_count: number;
}

async function printAnswers(store: ElasticsearchStore): Promise<void> {
  const { client, names } = store;
  await store.request('a refresh of the log indices', () =>
    client.indices.refresh({ index: names.logsAlias }),
  );
  const errorLevels = { terms: { 'log.level': ['error', 'fatal'] } };
  const response = await store.request("the demo's questions to the log indices", () =>
    client.search({
      index: names.logsAlias,
      size: 0,
      aggs: {
        errorsByTask: {
          filter: errorLevels,
          aggs: { tasks: { terms: { field: 'talend.task.name', size: 10 } } },
        },
        topError: { terms: { field: 'talend.error.message', size: 1 } },
      },
    }),
  );
  const aggregations = response.aggregations as Record<
    string,
    { tasks?: { buckets: Bucket[] }; buckets?: Bucket[] }
  >;
  console.log('\nError and fatal lines per task:');
  for (const bucket of aggregations.errorsByTask?.tasks?.buckets ?? []) {
    console.log(`  ${bucket.key.padEnd(28)} ${bucket.doc_count}`);
  }
  const top = aggregations.topError?.buckets?.[0];
  if (top) console.log(`Top error message (${top.doc_count} lines): ${top.key}`);
}

/**
 * Answers from the executions index: one document per run, with its outcome, duration and counts,
 * rejected runs that logged nothing included.
 */
async function printRunAnswers(store: ElasticsearchStore): Promise<void> {
  const { client } = store;
  const index = store.names.executions;
  await store.request('a refresh of the executions index', () => client.indices.refresh({ index }));
  const response = await store.request("the demo's questions to the executions index", () =>
    client.search<ExecutionDocument>({
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
    }),
  );
  const aggregations = response.aggregations as {
    tasks: { buckets: (Bucket & { failed: { doc_count: number } })[] };
    silent: { doc_count: number };
  };
  // Both answers read the same buckets: a run rejected before it logged a line counts in each.
  console.log('Runs that failed at Talend (failed, rejected or terminated) per task:');
  for (const bucket of aggregations.tasks.buckets) {
    if (bucket.failed.doc_count > 0) console.log(`  ${bucket.key.padEnd(28)} ${bucket.failed.doc_count}`);
  }
  console.log('Failure rate per task:');
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
