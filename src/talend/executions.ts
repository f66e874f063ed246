import type { ExecutionsPage, TalendExecution, TalendExecutionDetail } from '../contracts/talend-api.ts';
import type { ApiTransport, QueryValue } from './api-transport.ts';
import { paginate } from './paginate.ts';

/** The processing API refuses windows longer than 60 days. */
const MAX_WINDOW_MS = 60 * 24 * 60 * 60 * 1000;

export interface ExecutionWindow {
  /** Epoch ms. */
  from: number;
  to: number;
  status?: string;
}

export interface ExecutionFilter extends ExecutionWindow {
  environmentId?: string;
  workspaceId?: string;
}

/** Consecutive windows of at most `MAX_WINDOW_MS` covering [from, to]; neighbours share their edge. */
function* splitWindows(from: number, to: number): Generator<{ from: number; to: number }> {
  let start = from;
  do {
    const end = Math.min(to, start + MAX_WINDOW_MS);
    yield { from: start, to: end };
    start = end;
  } while (start < to);
}

/** `GET /processing/executables/tasks/{taskId}/executions` over any range. */
export function listTaskExecutions(
  transport: ApiTransport,
  taskId: string,
  window: ExecutionWindow,
  signal?: AbortSignal,
): AsyncGenerator<TalendExecution> {
  const path = `/processing/executables/tasks/${encodeURIComponent(taskId)}/executions`;
  return listInWindows(transport, { operation: 'listTaskExecutions', path, taskId }, window, {}, signal);
}

/** What one listing request asks for: `lastDays`, or a `from`/`to` window (epoch ms), and a page. */
export interface ExecutionsPageQuery {
  lastDays?: number;
  from?: number;
  to?: number;
  offset?: number;
  limit?: number;
}

/**
 * One page of a task's executions exactly as Talend answers it, `total` or its absence included:
 * for `talend-logs probe`, which reports the order and fields the service really uses.
 */
export async function taskExecutionsPage(
  transport: ApiTransport,
  taskId: string,
  query: ExecutionsPageQuery,
  signal?: AbortSignal,
): Promise<Partial<ExecutionsPage>> {
  const path = `/processing/executables/tasks/${encodeURIComponent(taskId)}/executions`;
  return requestPage(transport, { operation: 'listTaskExecutions', path, taskId }, { ...query }, signal);
}

async function requestPage(
  transport: ApiTransport,
  target: { operation: string; path: string; taskId?: string },
  query: Record<string, QueryValue>,
  signal?: AbortSignal,
): Promise<Partial<ExecutionsPage>> {
  const { body } = await transport.json<Partial<ExecutionsPage>>({ ...target, method: 'GET', query }, signal);
  return body;
}

/** `GET /processing/executables/tasks/executions` (every task, by environment and/or workspace). */
export function listExecutions(
  transport: ApiTransport,
  filter: ExecutionFilter,
  signal?: AbortSignal,
): AsyncGenerator<TalendExecution> {
  const { environmentId, workspaceId } = filter;
  const target = { operation: 'listExecutions', path: '/processing/executables/tasks/executions' };
  return listInWindows(transport, target, filter, { environmentId, workspaceId }, signal);
}

export async function getExecution(
  transport: ApiTransport,
  executionId: string,
  signal?: AbortSignal,
): Promise<TalendExecutionDetail> {
  const { body } = await transport.json<TalendExecutionDetail>(
    {
      operation: 'getExecution',
      method: 'GET',
      path: `/processing/executions/${encodeURIComponent(executionId)}`,
      executionId,
    },
    signal,
  );
  return body;
}

/**
 * Offsets past this are not asked for: whether Talend serves deep offsets is not documented (a
 * production integration stops at 1,000), so a window holding more runs is split in two instead.
 */
export const MAX_LISTING_OFFSET = 1000;

/**
 * A run that overlaps two windows is listed by both, and a newest-first listing repeats a run on
 * two pages when new runs arrive meanwhile: each is yielded once. Only the ids of the previous and
 * current window are remembered, since a run listed by windows k and k+2 is listed by k+1 too;
 * memory stays bounded on long ranges.
 */
async function* listInWindows(
  transport: ApiTransport,
  target: { operation: string; path: string; taskId?: string },
  window: ExecutionWindow,
  filter: Record<string, QueryValue>,
  signal?: AbortSignal,
): AsyncGenerator<TalendExecution> {
  let previous = new Set<string>();
  for (const { from, to } of splitWindows(window.from, window.to)) {
    const current = new Set<string>();
    const listWindow = async function* (
      start: number,
      end: number,
    ): AsyncGenerator<TalendExecution, void, undefined> {
      const pages = paginate<TalendExecution>(
        target.operation,
        (offset, limit) =>
          requestPage(
            transport,
            target,
            { ...filter, from: start, to: end, status: window.status, offset, limit },
            signal,
          ),
        MAX_LISTING_OFFSET,
      );
      let next = await pages.next();
      for (; !next.done; next = await pages.next()) {
        const execution = next.value;
        const seen = previous.has(execution.executionId) || current.has(execution.executionId);
        current.add(execution.executionId);
        if (!seen) yield execution;
      }
      if (next.value === 'complete' || end - start <= 1) return;
      // Halves share their edge, so a run at the midpoint is listed by both and kept once.
      const middle = Math.floor((start + end) / 2);
      yield* listWindow(start, middle);
      yield* listWindow(middle, end);
    };
    yield* listWindow(from, to);
    previous = current;
  }
}
