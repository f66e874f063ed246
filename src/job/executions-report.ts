/**
 * Keeps `<prefix>-executions` up to date from a task's sync: Talend's state of every run the sync
 * lists, then, at the end, what the indices hold of every run it worked on.
 *
 * The counts are exact without being added up. Line counts (total, per level, errors, first error)
 * are recomputed from the log index by one aggregation per task's sync, after a refresh; the
 * checkpoint's counters (dead letters, chunks, bytes) move in the same write that commits the lines
 * they count (see `addTally`). Either way a write carries whole values, so a sync that stops after
 * writing a document and redoes the range writes the same numbers again instead of adding them
 * twice. A running run's counts are those of the sync that last wrote them.
 *
 * A run whose log is done (or given up) keeps its checkpoint entry until its document says so
 * (`reported`): a sync that stops in between leaves the entry, and the next one writes the document.
 * That final write is also the one time the run's detail (`GET /processing/executions/{id}`, with
 * Talend's row counts) is asked for, unless the sync fetched it by id already.
 */
import type { ExecutionDocument } from '../documents/shapes.ts';
import type { TalendExecution, TalendExecutionDetail, TalendTask } from '../contracts/talend-api.ts';
import type { Logger } from '../observability/logger.ts';
import type { TaskCheckpointHandle } from '../store/checkpoints.ts';
import type { ExecutionsIndex } from '../store/executions-index.ts';
import { executionFromDetail, type TalendClient } from '../talend/index.ts';
import type { LimitFunction } from 'p-limit';
import { executionDocument } from '../documents/execution-document.ts';
import { classifyFailure } from './failure-kind.ts';
import { isFinal, markReported, runsToReport } from './checkpoint-rules.ts';

export interface ExecutionsReportDeps {
  talend: TalendClient;
  executions: ExecutionsIndex;
  logger: Logger;
  now: () => number;
  /**
   * Talend requests under way at once: the run details are asked for in parallel, since one after
   * the other a task of many runs would wait a round trip for each.
   */
  slots: LimitFunction;
}

/** Talend's latest state of the listed runs whose log is not fully indexed. */
export async function recordTalendState(
  executions: readonly TalendExecution[],
  task: TalendTask | undefined,
  deps: ExecutionsReportDeps,
): Promise<void> {
  const syncedAt = new Date(deps.now()).toISOString();
  await deps.executions.upsert(
    executions.map((execution) => ({
      id: execution.executionId,
      document: executionDocument({
        taskId: execution.taskId,
        executionId: execution.executionId,
        execution,
        task,
        syncedAt,
      }),
    })),
  );
}

export interface TaskReport {
  taskId: string;
  task: TalendTask | undefined;
  checkpoint: TaskCheckpointHandle;
  /** What the sync's listing (and fetches by id) returned, by execution id. */
  known: ReadonlyMap<string, TalendExecution>;
  /** The details of the runs the sync fetched by id. */
  details: ReadonlyMap<string, TalendExecutionDetail>;
  /** The runs the sync walked. */
  worked: readonly string[];
  /** For pruning what is reported: see `pruneIndexed`. */
  listingOverlapMs: number;
}

/** The counts of the runs a task's sync worked on, and of those whose document is not final yet. */
export async function reportExecutions(
  report: TaskReport,
  deps: ExecutionsReportDeps,
  signal: AbortSignal,
): Promise<void> {
  const state = report.checkpoint.checkpoint;
  const ids = runsToReport(state, report.worked);
  if (ids.length === 0) return;
  const lines = await deps.executions.indexedLines(ids);
  const syncedAt = new Date(deps.now()).toISOString();
  const documents = await Promise.all(
    ids.map((executionId) =>
      deps.slots(async (): Promise<{ id: string; document: ExecutionDocument }> => {
        signal.throwIfAborted();
        const progress = state.executions[executionId];
        const detail = isFinal(progress)
          ? (report.details.get(executionId) ?? (await detailOf(executionId, deps, signal)))
          : undefined;
        const execution =
          report.known.get(executionId) ?? (detail && executionFromDetail(detail, report.taskId));
        return {
          id: executionId,
          document: executionDocument({
            taskId: report.taskId,
            executionId,
            execution,
            detail,
            task: report.task,
            indexed: { lines: lines.get(executionId)!, progress },
            syncedAt,
          }),
        };
      }),
    ),
  );
  await deps.executions.upsert(documents);
  signal.throwIfAborted();
  await report.checkpoint.update((draft) => markReported(draft, ids, report.listingOverlapMs));
}

/**
 * The run's detail, for Talend's row counts. Without it the document still holds the listing's
 * state and the counts: a run Talend has deleted, or an answer that failed after the client's
 * retries, costs only the row counts.
 */
async function detailOf(
  executionId: string,
  deps: ExecutionsReportDeps,
  signal: AbortSignal,
): Promise<TalendExecutionDetail | undefined> {
  try {
    return await deps.talend.getExecution(executionId, signal);
  } catch (error) {
    const kind = classifyFailure(error, signal);
    if (kind === 'fatal' || kind === 'interrupted') throw error;
    deps.logger.warn(
      { executionId, err: error },
      'could not read the execution detail; its executions document goes without row counts',
    );
    return undefined;
  }
}
