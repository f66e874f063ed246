import { createHash } from 'node:crypto';
import type { Selection, Shard } from '../config/config.ts';
import type { TalendTask } from '../contracts/talend-api.ts';
import type { Logger } from '../observability/logger.ts';
import type { TalendClient } from '../talend/index.ts';

export interface SelectedTask {
  taskId: string;
  /** Undefined when the task was named explicitly but the credentials cannot list it. */
  task?: TalendTask;
}

/**
 * The tasks this worker syncs: the ones named, else those of the environment/workspace, else every
 * task the credentials can see; then this worker's shard of them.
 */
export async function selectTasks(
  talend: TalendClient,
  selection: Selection,
  shard: Shard | undefined,
  logger: Logger,
  signal?: AbortSignal,
): Promise<SelectedTask[]> {
  const filter = { environmentId: selection.environmentId, workspaceId: selection.workspaceId };
  const visible = new Map<string, TalendTask>();
  for await (const task of talend.listTasks(filter, signal)) visible.set(task.executable, task);

  let selected: SelectedTask[];
  if (selection.taskIds.length > 0) {
    selected = [...new Set(selection.taskIds)].map((taskId) => {
      const task = visible.get(taskId);
      if (!task) {
        logger.warn(
          { taskId },
          'task not found among the tasks these credentials can list (or outside the environment/workspace filter); ' +
            'its logs are still fetched, without task name or workspace',
        );
      }
      return { taskId, task };
    });
  } else {
    selected = [...visible.values()].map((task) => ({ taskId: task.executable, task }));
  }
  return shard ? selected.filter(({ taskId }) => shardOf(taskId, shard.count) === shard.index) : selected;
}

/** Stable across runs, hosts and Node versions, so a task always lands on the same worker. */
function shardOf(taskId: string, count: number): number {
  return createHash('sha1').update(taskId).digest().readUInt32BE(0) % count;
}
