import type { TalendExecution, TalendExecutionDetail } from '../contracts/talend-api.ts';
import type { Logger } from '../observability/logger.ts';
import type { RunStats } from '../observability/run-stats.ts';
import type { CheckpointStore, TaskCheckpointHandle } from '../store/checkpoints.ts';
import type { ExecutionsIndex } from '../store/executions-index.ts';
import type { LeaseManager } from '../store/leases.ts';
import { executionFromDetail, type TalendClient } from '../talend/index.ts';
import type { LimitFunction } from 'p-limit';
import { recordTalendState, reportExecutions, type ExecutionsReportDeps } from './executions-report.ts';
import { outcomeOf } from '../documents/execution-document.ts';
import { classifyFailure } from './failure-kind.ts';
import { planTask, type PlanMode, type TaskPlan, type WorkItem } from './plan.ts';
import { advanceWatermark, listingWindow, recordFailure } from './checkpoint-rules.ts';
import { runExecution, type ExecutionDeps } from './run-execution.ts';
import type { RunOutcome } from './run-outcome.ts';
import type { SelectedTask } from './select-tasks.ts';

/** What one task's sync needs: settings of the run and the parts it shares with other tasks. */
export interface TaskSyncContext {
  mode: PlanMode;
  /** Checkpoint and lease scope: `sync`, or `backfill` (one backfill checkpoint per task). */
  scope: string;
  dryRun: boolean;
  lookbackMs: number;
  listingOverlapMs: number;
  settleDelayMs: number;
  maxExecutionAttempts: number;
  backfill?: { from: number; to: number };
  talend: TalendClient;
  checkpoints: CheckpointStore;
  /** The latest state of every run: see executions-report.ts. */
  executions: ExecutionsIndex;
  leases: LeaseManager;
  /** Executions under way at once, across tasks. */
  executionSlots: LimitFunction;
  execution: ExecutionDeps;
  outcome: RunOutcome;
  stats: RunStats;
  logger: Logger;
  now: () => number;
  onPlan?: (task: SelectedTask, plan: TaskPlan) => void;
}

/**
 * One task of a run, under its lease: list, plan, track every new run and move the watermark in one
 * checkpoint write, then walk the planned executions. A failure is the task's own unless fatal.
 */
export async function syncTask(selected: SelectedTask, context: TaskSyncContext): Promise<void> {
  const { outcome, stats } = context;
  if (outcome.signal.aborted) return;
  const lease = context.dryRun ? undefined : await context.leases.acquire(context.scope, selected.taskId);
  if (!context.dryRun && lease === undefined) {
    stats.tasksSkippedLeased += 1;
    return;
  }
  const signal = outcome.taskSignal(lease?.lost);
  try {
    const checkpoint = await context.checkpoints.load(selected.taskId);
    const state = checkpoint.checkpoint;
    const window = listingWindow(state, {
      now: context.now(),
      lookbackMs: context.lookbackMs,
      overlapMs: context.listingOverlapMs,
      backfill: context.backfill,
    });
    const { executions, details, gone } = await discoverExecutions(
      context.talend,
      selected.taskId,
      window,
      state.executions,
      signal,
    );
    const plan = planTask({
      mode: context.mode,
      checkpoint: state,
      window,
      executions,
      now: context.now(),
      settleDelayMs: context.settleDelayMs,
    });
    stats.executionsPlanned += plan.items.length;
    stats.executionsFailedAtTalend += plan.items.filter(
      (item) => outcomeOf(item.execution) === 'failure',
    ).length;
    if (context.dryRun) {
      context.onPlan?.(selected, plan);
      return;
    }
    // Another run holds the task now: its checkpoint is no longer ours to write.
    if (signal.aborted) return;
    await checkpoint.update((draft) =>
      advanceWatermark(draft, {
        newRuns: plan.newRuns,
        watermark: plan.watermark,
        rangeStart: window.rangeStart,
        overlapMs: context.listingOverlapMs,
      }),
    );
    const report: ExecutionsReportDeps = {
      talend: context.talend,
      executions: context.executions,
      logger: context.logger,
      now: context.now,
      slots: context.executionSlots,
    };
    await recordTalendState(plan.unfinished, selected.task, report);
    for (const { executionId, error } of gone) {
      await recordExecutionFailure(
        error,
        { taskId: selected.taskId, executionId },
        checkpoint,
        signal,
        context,
      );
    }
    await Promise.all(
      plan.items.map((item) =>
        context.executionSlots(() => syncExecution(item, selected, checkpoint, signal, context)),
      ),
    );
    if (signal.aborted) return;
    await reportExecutions(
      {
        taskId: selected.taskId,
        task: selected.task,
        checkpoint,
        known: new Map(executions.map((execution) => [execution.executionId, execution])),
        details,
        worked: plan.items.map((item) => item.execution.executionId),
        listingOverlapMs: context.listingOverlapMs,
      },
      report,
      signal,
    );
  } catch (error) {
    outcome.report(error, signal, { taskId: selected.taskId });
  } finally {
    await lease
      ?.release()
      .catch((error: unknown) => context.logger.warn({ err: error }, 'could not release a task lease'));
  }
}

async function syncExecution(
  item: WorkItem,
  selected: SelectedTask,
  checkpoint: TaskCheckpointHandle,
  signal: AbortSignal,
  context: TaskSyncContext,
): Promise<void> {
  if (signal.aborted) return;
  const { stats } = context;
  const executionId = item.execution.executionId;
  try {
    const { deadLettered } = await runExecution(item, selected.task, checkpoint, context.execution, signal);
    if (deadLettered > 0) {
      stats.executionsWithDeadLetters += 1;
      stats.deadLetterRuns.push({ taskId: selected.taskId, executionId, deadLetters: deadLettered });
    }
    if (item.running) stats.executionsStillRunning += 1;
    else stats.executionsDone += 1;
  } catch (error) {
    await recordExecutionFailure(
      error,
      { taskId: selected.taskId, executionId },
      checkpoint,
      signal,
      context,
    );
  }
}

/** Counts a failed attempt at a run in its checkpoint: retried by the next run, or given up. */
async function recordExecutionFailure(
  error: unknown,
  where: { taskId: string; executionId: string },
  checkpoint: TaskCheckpointHandle,
  signal: AbortSignal,
  context: TaskSyncContext,
): Promise<void> {
  const failure = context.outcome.report(error, signal, where);
  if (failure === undefined) return;
  await checkpoint
    .update((state) => {
      const progress = (state.executions[where.executionId] ??= {});
      const result = recordFailure(progress, {
        message: failure.message,
        gone: failure.kind === 'gone',
        maxAttempts: context.maxExecutionAttempts,
      });
      if (result === 'abandoned') context.stats.executionsGivenUp += 1;
      else context.stats.executionsSyncFailed += 1;
    })
    .catch((checkpointError: unknown) => context.outcome.stop(checkpointError));
}

interface Discovered {
  executions: TalendExecution[];
  /** The answers of the runs fetched by id, which also carry Talend's row counts. */
  details: Map<string, TalendExecutionDetail>;
  /** Tracked runs Talend no longer knows (deleted between two syncs), with the 404 it answered. */
  gone: { executionId: string; error: unknown }[];
}

/**
 * What the listing returns for the window, plus the runs the checkpoint still tracks that it no
 * longer shows (fetched by id): under trigger-time listing, a run triggered before the window is
 * never listed again however long it runs.
 */
async function discoverExecutions(
  talend: TalendClient,
  taskId: string,
  window: { from: number; to: number },
  tracked: Record<string, { done?: boolean; abandoned?: boolean }>,
  signal: AbortSignal,
): Promise<Discovered> {
  const found = new Map<string, TalendExecution>();
  const details: Discovered['details'] = new Map();
  const gone: Discovered['gone'] = [];
  for await (const execution of talend.listTaskExecutions(taskId, window, signal)) {
    found.set(execution.executionId, execution);
  }
  for (const [executionId, progress] of Object.entries(tracked)) {
    if (found.has(executionId) || progress.done || progress.abandoned) continue;
    try {
      const detail = await talend.getExecution(executionId, signal);
      details.set(executionId, detail);
      found.set(executionId, executionFromDetail(detail, taskId));
    } catch (error) {
      if (classifyFailure(error, signal) !== 'gone') throw error;
      gone.push({ executionId, error });
    }
  }
  return { executions: [...found.values()], details, gone };
}
