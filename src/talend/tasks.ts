import type { TalendTask, TalendWorkspace, TasksPage } from '../contracts/talend-api.ts';
import type { ApiTransport } from './api-transport.ts';
import { paginate } from './paginate.ts';

export interface TaskFilter {
  environmentId?: string;
  workspaceId?: string;
  name?: string;
}

/** `GET /orchestration/workspaces`: a plain array, each workspace with its environment. */
export async function listWorkspaces(
  transport: ApiTransport,
  signal?: AbortSignal,
): Promise<TalendWorkspace[]> {
  const { body } = await transport.json<TalendWorkspace[]>(
    { operation: 'listWorkspaces', method: 'GET', path: '/orchestration/workspaces' },
    signal,
  );
  return body;
}

/** `GET /orchestration/executables/tasks`, page by page. */
export function listTasks(
  transport: ApiTransport,
  filter: TaskFilter,
  signal?: AbortSignal,
): AsyncGenerator<TalendTask> {
  return paginate<TalendTask>('listTasks', async (offset, limit) => {
    const { body } = await transport.json<TasksPage>(
      {
        operation: 'listTasks',
        method: 'GET',
        path: '/orchestration/executables/tasks',
        query: {
          environmentId: filter.environmentId,
          workspaceId: filter.workspaceId,
          name: filter.name,
          offset,
          limit,
        },
      },
      signal,
    );
    return body;
  });
}
