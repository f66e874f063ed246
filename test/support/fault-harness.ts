/**
 * What the reliability suite adds to the job harness: proxies slipped between the CLI and either
 * side, the comparison of the index with the truth, and reads of the dead letters.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { ExecutionProgress, TaskCheckpoint } from '../../src/documents/shapes.ts';
import type { DeadLetter } from '../../src/documents/dead-letter.ts';
import { indexNames } from '../../src/config/index-names.ts';
import {
  startElasticsearchProxy,
  type ElasticsearchProxy,
  type ElasticsearchProxyOptions,
} from './elasticsearch-proxy.ts';
import { checkCheckpointClaims, type ClaimCheck } from './checkpoint-claims.ts';
import { elasticsearchUrl } from './elasticsearch.ts';
import { compareIds, type CliResult, type JobHarness } from './job-harness.ts';

/** The reliability tests take it from here, with the rest of their harness. */
export { executionIdsOf } from './job-harness.ts';
import { startTalendRecorder, type TalendRecorder } from './talend-recorder.ts';

/** A dead letter as the CLI stores it. */
export type StoredDeadLetter = DeadLetter;

/** The index holds exactly `expected` (by default every entry of the executions): no more, no less. */
export async function assertIndexExact(
  harness: JobHarness,
  executionIds: string[],
  expected: Set<string> = harness.expectedIds(executionIds),
): Promise<void> {
  assert.deepEqual(compareIds(await harness.indexedIds(), expected), {
    missing: 0,
    unexpected: 0,
    duplicates: 0,
  });
}

/** The run succeeded and the index holds exactly the truth of the executions. */
export async function assertRunExact(
  result: CliResult,
  harness: JobHarness,
  executionIds: string[],
): Promise<void> {
  assert.equal(result.code, 0, result.stderr);
  await assertIndexExact(harness, executionIds);
}

/**
 * No checkpoint of the scope claims more than the index holds (see checkpoint-claims.ts); returns
 * how many claims of each kind were checked.
 */
export async function assertNoClaimAhead(
  harness: JobHarness,
  scope: 'sync' | 'backfill' = 'sync',
  context?: string,
): Promise<ClaimCheck['checked']> {
  const { violations, checked } = await checkCheckpointClaims({ ...harness, scope });
  assert.deepEqual(violations, [], context);
  return checked;
}

export async function deadLettersOf(harness: JobHarness): Promise<StoredDeadLetter[]> {
  const index = `${harness.prefix}-deadletter`;
  await harness.client.indices.refresh({ index, ignore_unavailable: true });
  const found = await harness.client.search<StoredDeadLetter>(
    { index, size: 10_000, query: { match_all: {} } },
    { ignore: [404] },
  );
  return (found.hits?.hits ?? []).map((hit) => hit._source!);
}

/** The monthly log indices the executions' entries land in. */
export function logIndicesOf(harness: JobHarness, executionIds: string[]): string[] {
  const names = new Set<string>();
  const { logsIndex } = indexNames(harness.prefix);
  for (const executionId of executionIds) {
    for (const entry of harness.simulator.entries(executionId)) {
      names.add(logsIndex(entry.logTimestamp as number));
    }
  }
  return [...names];
}

/** Puts a fault proxy between the harness's CLI runs and Elasticsearch, until the harness closes. */
export async function proxyElasticsearch(
  harness: JobHarness,
  options: Omit<ElasticsearchProxyOptions, 'target'> = {},
): Promise<ElasticsearchProxy> {
  const proxy = await startElasticsearchProxy({ target: await elasticsearchUrl(), ...options });
  harness.env.ES_URL = proxy.url;
  closeWith(harness, proxy);
  return proxy;
}

/** Puts a recorder of issued secrets between the harness's CLI runs and the simulator's API. */
export async function recordTalendSecrets(
  harness: JobHarness,
  tls?: { key: string; cert: string },
): Promise<TalendRecorder> {
  const recorder = await startTalendRecorder({ target: harness.simulator.apiUrl, tls });
  harness.env.TALEND_API_URL = recorder.url;
  closeWith(harness, recorder);
  return recorder;
}

/** Closes `resource` when the harness closes (after its CLI runs are gone). */
function closeWith(harness: JobHarness, resource: { close(): Promise<void> }): void {
  const closeHarness = harness.close.bind(harness);
  harness.close = async () => {
    await closeHarness();
    await resource.close();
  };
}

/** What the sync checkpoint of the execution's task says about the execution. */
export async function storedProgress(harness: JobHarness, executionId: string): Promise<ExecutionProgress> {
  const taskId = harness.simulator.tenant.tasks.find((task) =>
    task.executions.some((execution) => execution.id === executionId),
  )?.id;
  const stored = await harness.client.get<TaskCheckpoint>({
    index: `${harness.prefix}-state`,
    id: `checkpoint:sync:${taskId}`,
  });
  const progress = stored._source?.executions[executionId];
  assert.ok(progress, `the checkpoint tracks execution ${executionId}`);
  return progress;
}

/** The run's stored state (checkpoints with their errors, dead letters) as text, for the secret check. */
export async function storedStateText(harness: JobHarness): Promise<string> {
  await harness.client.indices.refresh({
    index: `${harness.prefix}-state,${harness.prefix}-deadletter`,
    ignore_unavailable: true,
  });
  const found = await harness.client.search(
    { index: `${harness.prefix}-state,${harness.prefix}-deadletter`, size: 10_000, ignore_unavailable: true },
    { ignore: [404] },
  );
  return JSON.stringify(found.hits?.hits ?? []);
}

/** Chunks the checkpoints of the run's prefix count as committed (each execution's `chunks` tally). */
async function committedChunks(harness: JobHarness): Promise<number> {
  const index = `${harness.prefix}-state`;
  await harness.client.indices.refresh({ index, ignore_unavailable: true });
  const found = await harness.client.search<{ executions?: Record<string, ExecutionProgress> }>(
    { index, size: 1000, query: { term: { kind: 'checkpoint' } }, ignore_unavailable: true },
    // 503: the state index was just created and its shard has not started (seen on Elasticsearch 9).
    { ignore: [404, 503] },
  );
  let chunks = 0;
  for (const hit of found.hits?.hits ?? []) {
    for (const progress of Object.values(hit._source?.executions ?? {})) chunks += progress.chunks ?? 0;
  }
  return chunks;
}

/**
 * Resolves once a run has committed `chunks` more chunks than its checkpoints held when this was
 * called, or has ended: read from the checkpoints themselves, whatever the run reads ahead.
 */
export async function untilChunksCommitted(
  harness: JobHarness,
  run: { chunks: number; ended: () => boolean },
): Promise<void> {
  const target = (await committedChunks(harness)) + run.chunks;
  while (!run.ended() && (await committedChunks(harness)) < target) await delay(50);
}
