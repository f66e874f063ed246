import { createHash } from 'node:crypto';
import type { Selection, Shard } from '../config/config.ts';
import type { TalendTask } from '../contracts/talend-api.ts';
import { closestName } from '../common/closest-name.ts';
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
  if (visible.size === 0 && (filter.environmentId !== undefined || filter.workspaceId !== undefined)) {
    logger.warn(filter, await emptyFilterMessage(talend, filter, signal));
  }

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

/**
 * Why an environment or workspace filter selects no task: most often a name given for an id, or a
 * typo. Names the workspaces or environments meant, when one is close to what was given.
 */
async function emptyFilterMessage(
  talend: TalendClient,
  filter: { environmentId?: string; workspaceId?: string },
  signal?: AbortSignal,
): Promise<string> {
  const workspaces = await talend.listWorkspaces(signal);
  const environments = new Map<string, TalendPlace>();
  for (const workspace of workspaces) {
    if (workspace.environment) environments.set(workspace.environment.id, workspace.environment);
  }
  const unknown = [
    filter.workspaceId === undefined ? undefined : unknownPlace('workspace', filter.workspaceId, workspaces),
    filter.environmentId === undefined
      ? undefined
      : unknownPlace('environment', filter.environmentId, [...environments.values()]),
  ].filter((text) => text !== undefined);
  const given = [
    filter.environmentId === undefined ? undefined : `--environment "${filter.environmentId}"`,
    filter.workspaceId === undefined ? undefined : `--workspace "${filter.workspaceId}"`,
  ].filter((text) => text !== undefined);
  return (
    `${given.join(' with ')} selects no task: ` +
    (unknown.length > 0 ? unknown.join('; ') : 'the credentials can list no task there') +
    '. Nothing is synced.'
  );
}

interface TalendPlace {
  id: string;
  name?: string;
}

/** Undefined when the id is one the credentials can see. */
function unknownPlace(kind: string, given: string, places: TalendPlace[]): string | undefined {
  if (places.some((place) => place.id === given)) return undefined;
  const byName = places.find((place) => place.name?.toLowerCase() === given.toLowerCase());
  const closeId = closestName(
    given,
    places.map((place) => place.id),
  );
  const closeName = closestName(
    given,
    places.flatMap((place) => place.name ?? []),
  );
  const meant =
    byName ??
    places.find((place) => place.id === closeId) ??
    places.find((place) => closeName !== undefined && place.name === closeName);
  const suggestion =
    meant === undefined ? '' : `: did you mean ${meant.id}${meant.name ? ` (${meant.name})` : ''}?`;
  return `no ${kind} these credentials can see has the id "${given}"${suggestion}`;
}

/** Stable across runs, hosts and Node versions, so a task always lands on the same worker. */
function shardOf(taskId: string, count: number): number {
  return createHash('sha1').update(taskId).digest().readUInt32BE(0) % count;
}
