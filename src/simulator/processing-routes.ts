import type { ExecutionsPage } from '../contracts/talend-api.ts';
import type { ApiReply, ApiRequest, Route, SimulatorContext } from './api-types.ts';
import { executionDetailView, executionView } from './api-views.ts';
import { requireExecutionId, SimulatedHttpError } from './http-util.ts';
import { paginate } from './pagination.ts';
import { intParam } from './query-params.ts';
import type { ExecutionFilter } from './tenant-state.ts';

const DAY_MS = 86_400_000;
const MAX_WINDOW_DAYS = 60;

/**
 * The time window of a listing: `lastDays`, or `from`/`to` (epoch ms; `to` defaults to now, `from`
 * to 60 days before `to`). Longer than 60 days is refused, as Talend does.
 */
function window(query: URLSearchParams, now: number): { from: number; to: number } {
  const lastDays = intParam(query, 'lastDays', { min: 1, max: MAX_WINDOW_DAYS });
  const from = intParam(query, 'from', { min: 0 });
  const to = intParam(query, 'to', { min: 0 });
  if (lastDays !== undefined) {
    if (from !== undefined || to !== undefined) {
      throw new SimulatedHttpError(400, 'Use either lastDays or from/to, not both');
    }
    return { from: now - lastDays * DAY_MS, to: now };
  }
  const end = to ?? now;
  const start = from ?? end - MAX_WINDOW_DAYS * DAY_MS;
  if (start > end) throw new SimulatedHttpError(400, '"from" must not be after "to"');
  if (end - start > MAX_WINDOW_DAYS * DAY_MS) {
    throw new SimulatedHttpError(400, `The time window must not exceed ${MAX_WINDOW_DAYS} days`);
  }
  return { from: start, to: end };
}

function list(context: SimulatorContext, request: ApiRequest, scope: Partial<ExecutionFilter>): ApiReply {
  const query = request.url.searchParams;
  const status = query.get('status')?.toLowerCase() || undefined;
  const { variants } = context;
  const found = context.state.findExecutions(
    {
      ...scope,
      ...window(query, request.now),
      status,
      rule: variants.listingFilter,
      order: variants.listingOrder,
    },
    request.now,
  );
  const page = paginate(query, found, (record) => executionView(record, variants));
  if (variants.listingTotal) return { status: 200, body: page satisfies ExecutionsPage };
  const { total: _total, ...withoutTotal } = page;
  return { status: 200, body: withoutTotal };
}

function listForTask(context: SimulatorContext, request: ApiRequest): ApiReply {
  const taskId = request.params.taskId ?? '';
  if (!context.state.task(taskId)) throw new SimulatedHttpError(404, 'Task not found');
  return list(context, request, { taskId });
}

function listAcrossTasks(context: SimulatorContext, request: ApiRequest): ApiReply {
  const query = request.url.searchParams;
  return list(context, request, {
    environmentId: query.get('environmentId') ?? undefined,
    workspaceId: query.get('workspaceId') ?? undefined,
  });
}

function detail(context: SimulatorContext, request: ApiRequest): ApiReply {
  const record = context.state.execution(requireExecutionId(request.params.id ?? ''));
  if (!record) throw new SimulatedHttpError(404, 'Execution not found');
  return { status: 200, body: executionDetailView(record, request.now, context.variants) };
}

export function processingRoutes(context: SimulatorContext): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/processing\/executables\/tasks\/executions$/,
      kind: 'listExecutions',
      handle: (r) => listAcrossTasks(context, r),
    },
    {
      method: 'GET',
      path: /^\/processing\/executables\/tasks\/(?<taskId>[^/]+)\/executions$/,
      kind: 'listExecutions',
      handle: (r) => listForTask(context, r),
    },
    {
      method: 'GET',
      path: /^\/processing\/executions\/(?<id>[^/]+)$/,
      kind: 'getExecution',
      handle: (r) => detail(context, r),
    },
  ];
}
