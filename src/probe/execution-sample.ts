/**
 * The runs the probe looks at: the first listing page of each selected task over the last days,
 * kept as Talend answered it (item order, `total` or not), plus the execution named by --execution.
 */
import type { Selection } from '../config/config.ts';
import type { TalendExecution } from '../contracts/talend-api.ts';
import { describeError } from '../common/errors.ts';
import { selectTasks } from '../job/select-tasks.ts';
import type { Logger } from '../observability/logger.ts';
import { TalendApiError, TalendNetworkError, type TalendApiClient } from '../talend/index.ts';
import { PAGE_LIMIT } from '../talend/paginate.ts';

/** Recent enough that Talend still keeps the runs' logs, long enough to hold runs of a weekly task. */
export const SAMPLE_DAYS = 14;
/** Listing every task of a large tenant would take minutes of the rate limit for no new fact. */
export const MAX_SAMPLED_TASKS = 50;

export interface ListedPage {
  taskId: string;
  items: TalendExecution[];
  hasTotal: boolean;
}

export interface ExecutionSample {
  tasksSelected: number;
  pages: ListedPage[];
  /** Tasks whose listing failed, with why. */
  failedTasks: { taskId: string; error: string }[];
  /** Every run listed or named, once. */
  executions: TalendExecution[];
  /** The run named by --execution, as its listing shows it. */
  chosen?: TalendExecution;
}

export async function sampleExecutions(
  talend: TalendApiClient,
  selection: Selection,
  executionId: string | undefined,
  logger: Logger,
  now: number,
  signal?: AbortSignal,
): Promise<ExecutionSample> {
  const chosen = executionId === undefined ? undefined : await namedRun(talend, executionId, now, signal);
  const named = selection.taskIds.length === 0 && chosen !== undefined;
  const taskIds = named
    ? [chosen.taskId]
    : (await selectTasks(talend, selection, undefined, logger, signal)).map((task) => task.taskId);
  const pages: ListedPage[] = [];
  const failedTasks: ExecutionSample['failedTasks'] = [];
  for (const taskId of taskIds.slice(0, MAX_SAMPLED_TASKS)) {
    try {
      const page = await talend.taskExecutionsPage(
        taskId,
        { lastDays: SAMPLE_DAYS, offset: 0, limit: PAGE_LIMIT },
        signal,
      );
      pages.push({ taskId, items: page.items ?? [], hasTotal: typeof page.total === 'number' });
    } catch (error) {
      if (signal?.aborted || unusable(error)) throw error;
      failedTasks.push({ taskId, error: describeError(error) });
    }
  }
  const byId = new Map<string, TalendExecution>();
  for (const execution of [...(chosen ? [chosen] : []), ...pages.flatMap((page) => page.items)]) {
    if (!byId.has(execution.executionId)) byId.set(execution.executionId, execution);
  }
  return { tasksSelected: taskIds.length, pages, failedTasks, executions: [...byId.values()], chosen };
}

/** Refused credentials or no answer at all: no other check can get further. */
function unusable(error: unknown): boolean {
  return error instanceof TalendNetworkError || (error instanceof TalendApiError && error.status === 401);
}

/**
 * The listing item of the run named by --execution: its detail declares neither its task nor its
 * engine, so the run is looked up in its workspace's listing, over a window from its trigger time
 * that holds it whether the listing filters on trigger time or on overlap.
 */
async function namedRun(
  talend: TalendApiClient,
  executionId: string,
  now: number,
  signal?: AbortSignal,
): Promise<TalendExecution> {
  const detail = await talend.getExecution(executionId, signal);
  const from = Date.parse(detail.triggerTimestamp ?? detail.startTimestamp ?? '');
  if (Number.isFinite(from)) {
    const end = Date.parse(detail.finishTimestamp ?? '');
    const to = Math.max(Number.isFinite(end) ? end : now, from + 1000);
    const filter = { workspaceId: detail.workspaceId, from, to };
    for await (const item of talend.listExecutions(filter, signal)) {
      if (item.executionId === executionId) return item;
    }
  }
  throw new TalendApiError(
    `Execution ${executionId} is not in the execution listing of its workspace ${String(detail.workspaceId)} around its trigger time: its task cannot be told.`,
    { operation: 'listExecutions', executionId },
  );
}
