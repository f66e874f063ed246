/**
 * Runs the real `talend-logs` CLI as child processes against a simulator started in the test
 * process and a real Elasticsearch, and compares what got indexed with the simulator's truth.
 */
import { indexNames } from '../../src/config/index-names.ts';
import type { Client } from '@elastic/elasticsearch';
import type { RawLogEntry } from '../../src/contracts/talend-api.ts';
import type { RunSummary } from '../../src/observability/run-stats.ts';
import { ChunkEnricher } from '../../src/pipeline/enrich/chunk-enricher.ts';
import { entryTimestamp } from '../../src/pipeline/enrich/timestamp.ts';
import {
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
  type TenantSpec,
} from '../../src/simulator/index.ts';
import { spawnCli, type CliProcess, type CliResult } from './cli.ts';
import { elasticsearchUrl, removePrefix, testClient, uniquePrefix } from './elasticsearch.ts';

export type { CliResult };
export const TEST_TOKEN = 'job-harness-personal-access-token';

export interface JobHarness {
  simulator: RunningSimulator;
  client: Client;
  prefix: string;
  env: NodeJS.ProcessEnv;
  spawnCli(args: string[], env?: NodeJS.ProcessEnv): CliProcess;
  runCli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** The `_id`s the simulator's entries must have, for the given executions and optional time cut. */
  expectedIds(executionIds: string[], endTimeExclusive?: number, filter?: EntryFilter): Set<string>;
  indexedIds(): Promise<string[]>;
  close(): Promise<void>;
}

/** Narrows `expectedIds` to some of the entries. */
export interface EntryFilter {
  /** Keep only these entries' ids; the others still count as repeats, so the kept ids do not change. */
  only?: (entry: RawLogEntry) => boolean;
  /** Positions in `simulator.entries(id)` of entries a fault broke: they never become documents. */
  broken?: (executionId: string) => ReadonlySet<number>;
  /** What of each entry the downloaded file carries (a TEXT line keeps a few fields); default all. */
  view?: (entry: RawLogEntry) => RawLogEntry;
}

/**
 * An Elasticsearch other than the tests' own (elasticsearch.ts), with the prefix to work under: the
 * caller's client, which the harness uses but does not close.
 */
export interface HarnessElasticsearch {
  url: string;
  client: Client;
  prefix: string;
}

export async function startJobHarness(
  label: string,
  options: SimulatorOptions,
  elasticsearch?: HarnessElasticsearch,
): Promise<JobHarness> {
  const simulator = await startSimulator({ auth: { personalAccessTokens: [TEST_TOKEN] }, ...options });
  const client = elasticsearch?.client ?? (await testClient());
  const prefix = elasticsearch?.prefix ?? uniquePrefix(label);
  const env: NodeJS.ProcessEnv = {
    TALEND_API_URL: simulator.apiUrl,
    TALEND_TOKEN: TEST_TOKEN,
    ES_URL: elasticsearch?.url ?? (await elasticsearchUrl()),
    INDEX_PREFIX: prefix,
    SYNC_SETTLE_DELAY: '1s',
    LOG_LEVEL: 'warn',
    ILM_ENABLED: 'false',
  };
  const children = new Set<CliProcess>();
  const spawnTracked = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const child = spawnCli(args, { ...env, ...extra });
    children.add(child);
    void child.result.then(() => children.delete(child));
    return child;
  };

  return {
    simulator,
    client,
    prefix,
    env,
    spawnCli: spawnTracked,
    runCli: (args, extra) => spawnTracked(args, extra).result,
    expectedIds(executionIds, endTimeExclusive, filter = {}) {
      const ids = new Set<string>();
      for (const executionId of executionIds) {
        const task = simulator.tenant.tasks.find((t) => t.executions.some((e) => e.id === executionId));
        const enricher = new ChunkEnricher({ taskId: task?.id ?? '', executionId }, 0, indexNames(prefix));
        const broken = filter.broken?.(executionId);
        let position = 0;
        let index = -1;
        for (const entry of simulator.entries(executionId)) {
          index += 1;
          if (broken?.has(index)) continue;
          const timestamp = entryTimestamp(entry.logTimestamp);
          if (timestamp === undefined) throw new Error('the simulator produced an entry without a timestamp');
          if (endTimeExclusive !== undefined && timestamp >= endTimeExclusive) continue;
          const outcome = enricher.toDocument(filter.view?.(entry) ?? entry, timestamp, position++);
          if (outcome.kind !== 'document')
            throw new Error(`simulator entry not indexable: ${outcome.reason}`);
          if (filter.only === undefined || filter.only(entry)) ids.add(outcome.id);
        }
      }
      return ids;
    },
    async indexedIds() {
      await client.indices.refresh({
        index: `${prefix}-logs-*`,
        ignore_unavailable: true,
        allow_no_indices: true,
      });
      const ids: string[] = [];
      const pit = await client.openPointInTime({
        index: `${prefix}-logs-*`,
        keep_alive: '1m',
        ignore_unavailable: true,
      });
      try {
        let after: (string | number)[] | undefined;
        for (;;) {
          const page = await client.search({
            pit: { id: pit.id, keep_alive: '1m' },
            size: 10_000,
            _source: false,
            sort: [{ _shard_doc: 'asc' }],
            ...(after ? { search_after: after } : {}),
          });
          const hits = page.hits.hits;
          for (const hit of hits) ids.push(hit._id!);
          if (hits.length < 10_000) break;
          after = hits.at(-1)!.sort as (string | number)[];
        }
      } finally {
        await client.closePointInTime({ id: pit.id });
      }
      return ids;
    },
    async close() {
      for (const child of children) child.kill('SIGKILL');
      await simulator.close();
      await removePrefix(client, prefix);
      if (elasticsearch === undefined) await client.close();
    },
  };
}

/** The run summary a CLI run printed as its last JSON line. */
export function summaryOf(result: CliResult): RunSummary & { outcome: string; exitCode: number } {
  const line = result.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((text) => text.includes('"run summary"'));
  if (line === undefined)
    throw new Error(`no run summary in stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  return JSON.parse(line) as ReturnType<typeof summaryOf>;
}

/** Asserts two id collections are the same set and that the index holds no id twice. */
export function compareIds(
  indexed: string[],
  expected: Set<string>,
): { missing: number; unexpected: number; duplicates: number } {
  const seen = new Set<string>();
  let duplicates = 0;
  let unexpected = 0;
  for (const id of indexed) {
    if (seen.has(id)) duplicates += 1;
    seen.add(id);
    if (!expected.has(id)) unexpected += 1;
  }
  let missing = 0;
  for (const id of expected) if (!seen.has(id)) missing += 1;
  return { missing, unexpected, duplicates };
}

/** Every execution of the tenant, by id. */
export function executionIdsOf(tenant: TenantSpec): string[] {
  return tenant.tasks.flatMap((task) => task.executions.map((execution) => execution.id));
}
