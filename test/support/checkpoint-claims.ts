/**
 * Reads every checkpoint a run left in Elasticsearch and checks each of its claims against the index:
 * a checkpoint may be behind the index, never ahead of it. Claims, and the entries each vouches for:
 * - an execution `done`: its whole log;
 * - `indexedUpTo`: the execution's entries before that instant;
 * - `walk.resumeEndTime`: the entries of the interrupted walk in [resumeEndTime, walk.end);
 * - the task's `watermark`: the whole log of every execution triggered in [rangeStart, watermark)
 *   that the checkpoint does not track (the invariant of src/job/checkpoint-rules.ts).
 * Counts are compared per execution and time range (the truth's count from the simulator, the index's
 * from a count query), which is exact enough here: a final id-by-id comparison catches the rest.
 */
import type { Client } from '@elastic/elasticsearch';
import type { TaskCheckpoint } from '../../src/documents/shapes.ts';
import type { RunningSimulator } from '../../src/simulator/index.ts';

export type ClaimKind = 'done' | 'indexedUpTo' | 'walk' | 'watermark';

export interface ClaimViolation {
  taskId: string;
  executionId: string;
  claim: string;
  truth: number;
  indexed: number;
}

export interface ClaimCheck {
  /** Claims the index does not back: empty when every checkpoint is behind the index or level with it. */
  violations: ClaimViolation[];
  /** How many claims of each kind were checked, so a test can tell it checked something. */
  checked: Record<ClaimKind, number>;
}

/** A checkpoint as stored in the state index. */
type CheckpointSource = TaskCheckpoint & { kind: 'checkpoint'; scope: string };

export interface ClaimCheckOptions {
  client: Client;
  prefix: string;
  simulator: RunningSimulator;
  scope: 'sync' | 'backfill';
}

/** Checks every claim of every checkpoint of the scope against the index. */
export async function checkCheckpointClaims(options: ClaimCheckOptions): Promise<ClaimCheck> {
  const { client, prefix, simulator } = options;
  // Searches see refreshed writes only: the run's last checkpoint write and its last lines alike.
  await client.indices.refresh({
    index: `${prefix}-logs-*,${prefix}-state`,
    ignore_unavailable: true,
    allow_no_indices: true,
  });
  const checkpoints = await client.search<CheckpointSource>(
    {
      index: `${prefix}-state`,
      size: 1000,
      query: { bool: { filter: [{ term: { kind: 'checkpoint' } }, { term: { scope: options.scope } }] } },
    },
    { ignore: [404] },
  );
  const violations: ClaimViolation[] = [];
  const checked: Record<ClaimKind, number> = { done: 0, indexedUpTo: 0, walk: 0, watermark: 0 };
  const check = async (
    taskId: string,
    executionId: string,
    [kind, claim]: [ClaimKind, string],
    from?: number,
    to?: number,
  ) => {
    checked[kind] += 1;
    const truth = simulator.entryCount(executionId, {
      startTime: from,
      endTime: to === undefined ? undefined : to - 1,
    });
    const indexed = await countIndexed(client, prefix, executionId, from, to);
    if (indexed < truth) violations.push({ taskId, executionId, claim, truth, indexed });
  };

  for (const hit of checkpoints.hits?.hits ?? []) {
    const checkpoint = hit._source;
    if (!checkpoint) continue;
    const { taskId } = checkpoint;
    const tracked = checkpoint.executions ?? {};
    for (const [executionId, progress] of Object.entries(tracked)) {
      if (progress.done) await check(taskId, executionId, ['done', 'done']);
      if (progress.indexedUpTo !== undefined) {
        const upTo = Date.parse(progress.indexedUpTo);
        await check(
          taskId,
          executionId,
          ['indexedUpTo', `indexedUpTo ${progress.indexedUpTo}`],
          undefined,
          upTo,
        );
      }
      if (progress.walk) {
        const { resumeEndTime, end } = progress.walk;
        const claim: [ClaimKind, string] = ['walk', `walk resumed at ${resumeEndTime}`];
        await check(
          taskId,
          executionId,
          claim,
          Date.parse(resumeEndTime),
          end === undefined ? undefined : Date.parse(end),
        );
      }
    }
    if (checkpoint.watermark === undefined) continue;
    const watermark = Date.parse(checkpoint.watermark);
    const since =
      checkpoint.rangeStart === undefined ? Number.NEGATIVE_INFINITY : Date.parse(checkpoint.rangeStart);
    const task = simulator.tenant.tasks.find((candidate) => candidate.id === taskId);
    for (const execution of task?.executions ?? []) {
      const triggered = execution.triggerTime ?? execution.startTime;
      if (triggered >= watermark || triggered < since) continue;
      // An execution the checkpoint tracks answers for itself (done, or its own progress above).
      if (tracked[execution.id] !== undefined) continue;
      await check(taskId, execution.id, ['watermark', `watermark ${checkpoint.watermark}`]);
    }
  }
  return { violations, checked };
}

async function countIndexed(
  client: Client,
  prefix: string,
  executionId: string,
  from: number | undefined,
  to: number | undefined,
): Promise<number> {
  const range =
    from === undefined && to === undefined
      ? []
      : [{ range: { '@timestamp': { gte: from, lt: to, format: 'epoch_millis' } } }];
  const { count } = await client.count({
    index: `${prefix}-logs-*`,
    ignore_unavailable: true,
    allow_no_indices: true,
    query: { bool: { filter: [{ term: { 'talend.execution.id': executionId } }, ...range] } },
  });
  return count;
}
