import type { TasksPage } from '../contracts/talend-api.ts';
import type { ApiReply, ApiRequest, Route, SimulatorContext } from './api-types.ts';
import { taskView, workspaceView } from './api-views.ts';
import { paginate } from './pagination.ts';

function workspaces(context: SimulatorContext): ApiReply {
  const { state } = context;
  return { status: 200, body: state.tenant.workspaces.map((w) => workspaceView(state, w)) };
}

function tasks(context: SimulatorContext, request: ApiRequest): ApiReply {
  const { state } = context;
  const query = request.url.searchParams;
  const environmentId = query.get('environmentId');
  const workspaceId = query.get('workspaceId');
  const name = query.get('name')?.toLowerCase();
  const found = state
    .tasks()
    .filter(
      (task) =>
        (workspaceId === null || task.workspaceId === workspaceId) &&
        (environmentId === null || state.workspace(task.workspaceId)?.environmentId === environmentId) &&
        (!name || task.name.toLowerCase().includes(name)),
    );
  const body: TasksPage = paginate(query, found, (task) => taskView(state, task));
  return { status: 200, body };
}

export function orchestrationRoutes(context: SimulatorContext): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/orchestration\/workspaces$/,
      kind: 'workspaces',
      handle: () => workspaces(context),
    },
    {
      method: 'GET',
      path: /^\/orchestration\/executables\/tasks$/,
      kind: 'tasks',
      handle: (r) => tasks(context, r),
    },
  ];
}
