import type { ExecutionDocument } from '../documents/shapes.ts';
import type { ElasticsearchStore } from './elasticsearch-store.ts';

/** One run whose log is indexed whole, as `status` lists it. */
export interface RunDone {
  executionId: string;
  triggeredAt?: string;
  /** What Talend says of the run: `success` or `failure`. */
  outcome?: string;
  status?: string;
  lines?: number;
  deadLetters?: number;
}

/**
 * The latest runs (by trigger time) of each task whose log is indexed whole, read from the executions
 * index: the checkpoint forgets a done run as soon as no listing can show it as new, its document
 * stays. A cluster without the index yet has none.
 */
export async function latestRunsDone(
  store: ElasticsearchStore,
  taskIds: readonly string[],
  perTask: number,
): Promise<Map<string, RunDone[]>> {
  const runs = new Map<string, RunDone[]>();
  if (taskIds.length === 0) return runs;
  const { client } = store;
  const index = store.names.executions;
  // Right after a sync its documents may not be searchable yet (the index refreshes every 5 s); a
  // user without `maintenance` on the index sees them a few seconds later.
  await store.request('refresh of the executions index', () =>
    client.indices.refresh({ index }, { ignore: [403, 404] }),
  );
  const response = await store.request('the latest runs done', () =>
    client.search<ExecutionDocument>({
      index,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 0,
      query: {
        bool: {
          filter: [{ terms: { 'talend.task.id': [...taskIds] } }, { term: { 'talend.sync.state': 'done' } }],
        },
      },
      aggs: {
        tasks: {
          terms: { field: 'talend.task.id', size: taskIds.length },
          aggs: { latest: { top_hits: { size: perTask, sort: [{ '@timestamp': 'desc' }] } } },
        },
      },
    }),
  );
  const tasks = response.aggregations?.tasks as
    { buckets: { key: string; latest: { hits: { hits: { _source?: ExecutionDocument }[] } } }[] } | undefined;
  for (const bucket of tasks?.buckets ?? []) {
    runs.set(
      bucket.key,
      bucket.latest.hits.hits.flatMap(({ _source: run }) =>
        run === undefined
          ? []
          : [
              {
                executionId: run.talend.execution.id,
                triggeredAt: run['@timestamp'],
                outcome: run.event?.outcome,
                status: run.talend.execution.status,
                lines: run.talend.lines?.total,
                deadLetters: run.talend.lines?.dead_letters,
              },
            ],
      ),
    );
  }
  return runs;
}
