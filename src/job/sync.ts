import { setMaxListeners } from 'node:events';
import type { Client } from '@elastic/elasticsearch';
import pLimit from 'p-limit';
import { describeError } from '../common/errors.ts';
import type { Config } from '../config/config.ts';
import type { TalendExecution } from '../contracts/talend-api.ts';
import type { Logger } from '../observability/logger.ts';
import type { RunStats } from '../observability/run-stats.ts';
import { CheckpointStore, type TaskCheckpointHandle } from '../store/checkpoints.ts';
import { createIndexWriter } from '../store/index-writer.ts';
import { LeaseManager, currentOwner } from '../store/leases.ts';
import { ensureStateIndex } from '../store/state-index.ts';
import { ensureTemplates } from '../store/templates.ts';
import type { TalendClient } from '../talend/index.ts';
import { classifyFailure, type FailureKind } from './failure-kind.ts';
import { planTask, type TaskPlan, type WorkItem } from './plan.ts';
import { advanceWatermark, listingWindow, recordFailure } from './progress.ts';
import { runExecution, type ExecutionDeps } from './run-execution.ts';
import { selectTasks, type SelectedTask } from './select-tasks.ts';

export interface SyncDeps {
  talend: TalendClient;
  elasticsearch: Client;
  logger: Logger;
  stats: RunStats;
  runId: string;
  /** Aborted on SIGINT/SIGTERM: take no new work, abandon what is in flight, commit what is acknowledged. */
  signal: AbortSignal;
  now?: () => number;
  /** Dry run: receives each task's plan instead of executing it. */
  onPlan?: (task: SelectedTask, plan: TaskPlan) => void;
}

/**
 * Executions under way per download slot. Those not downloading wait for Talend to prepare a file
 * (a round trip per request, and seconds of generation) or for Elasticsearch to acknowledge one:
 * neither costs memory beyond the bulk indexer's bound, and both overlap the downloads.
 */
export const PREPARED_AHEAD = 3;

export type SyncOutcome =
  { kind: 'ok' } | { kind: 'partial' } | { kind: 'interrupted' } | { kind: 'fatal'; error: unknown };

/**
 * One scheduled run (or one backfill): every selected task under its lease, executions in parallel
 * under one concurrency limit, chunks of one execution in order, checkpoints after acknowledgement.
 */
export async function runSync(config: Config, deps: SyncDeps): Promise<SyncOutcome> {
  const now = deps.now ?? Date.now;
  const { logger, stats } = deps;
  const prefix = config.indexPrefix;
  const backfill = config.sync.backfill;
  // One backfill checkpoint per task: re-running a backfill (or a later-starting one) resumes it.
  const scope = backfill ? 'backfill' : 'sync';
  const dryRun = config.sync.dryRun;

  // A fatal failure in one execution (Elasticsearch down, credentials refused) stops all of them.
  const fatal = new AbortController();
  const signal = AbortSignal.any([deps.signal, fatal.signal]);
  // Every execution under way listens to its task's signal (and so to this one) a few times over:
  // many listeners here are the design, not a leak.
  const listeners = Math.max(10, config.sync.concurrency * PREPARED_AHEAD * 8);
  setMaxListeners(listeners, signal);
  let fatalError: unknown;
  const stopRun = (error: unknown) => {
    if (fatalError === undefined) fatalError = error;
    fatal.abort(error);
  };

  if (!dryRun) {
    await ensureTemplates(deps.elasticsearch, { prefix, ilm: config.ilm, logger });
    await ensureStateIndex(deps.elasticsearch, prefix);
  }
  const tasks = await selectTasks(deps.talend, config.selection, config.sync.shard, logger, signal);
  stats.tasks = tasks.length;
  logger.info({ tasks: tasks.length, scope, dryRun }, 'tasks selected');

  const checkpoints = new CheckpointStore(deps.elasticsearch, prefix, scope);
  const leases = new LeaseManager(
    deps.elasticsearch,
    prefix,
    currentOwner(deps.runId),
    config.sync.leaseTtlMs,
    logger,
  );
  const { indexer, deadLetters } = createIndexWriter(deps.elasticsearch, config, logger);
  const executionDeps: ExecutionDeps = {
    transfers: pLimit(config.sync.concurrency),
    talend: deps.talend,
    indexer,
    deadLetters,
    indexPrefix: prefix,
    fileFormat: config.sync.fileFormat,
    stats,
    logger,
  };
  const executionSlots = pLimit(config.sync.concurrency * PREPARED_AHEAD);
  const taskSlots = pLimit(config.sync.concurrency);
  let failedExecutions = 0;

  /**
   * Interruptions end quietly and fatal failures stop the run; anything else is this execution's
   * (or task's) own failure: counted, reported, and retried by the next run.
   */
  const reportFailure = (
    error: unknown,
    taskSignal: AbortSignal,
    where: { taskId: string; executionId?: string },
  ): { kind: FailureKind; message: string } | undefined => {
    const kind = classifyFailure(error, taskSignal);
    if (kind === 'interrupted') return undefined;
    if (kind === 'fatal') {
      stopRun(error);
      return undefined;
    }
    failedExecutions += 1;
    const message = describeError(error);
    stats.failures.push({ ...where, error: message });
    const what = where.executionId === undefined ? 'task' : 'execution';
    logger.error({ ...where, err: error }, `${what} failed; the next run retries it`);
    return { kind, message };
  };

  const processItem = async (
    item: WorkItem,
    selected: SelectedTask,
    checkpoint: TaskCheckpointHandle,
    taskSignal: AbortSignal,
  ) => {
    if (taskSignal.aborted) return;
    const executionId = item.execution.executionId;
    try {
      const { deadLettered } = await runExecution(item, selected.task, checkpoint, executionDeps, taskSignal);
      if (deadLettered > 0) {
        stats.executionsPartial += 1;
        stats.deadLetterRuns.push({ taskId: selected.taskId, executionId, deadLetters: deadLettered });
      } else {
        stats.executionsCompleted += 1;
      }
    } catch (error) {
      await recordExecutionFailure(error, selected.taskId, executionId, checkpoint, taskSignal);
    }
  };

  /** Counts a failed attempt at a run in its checkpoint: retried by the next run, or given up. */
  const recordExecutionFailure = async (
    error: unknown,
    taskId: string,
    executionId: string,
    checkpoint: TaskCheckpointHandle,
    taskSignal: AbortSignal,
  ) => {
    const failure = reportFailure(error, taskSignal, { taskId, executionId });
    if (failure === undefined) return;
    await checkpoint
      .update((state) => {
        const progress = (state.executions[executionId] ??= {});
        const outcome = recordFailure(progress, {
          message: failure.message,
          gone: failure.kind === 'gone',
          maxAttempts: config.sync.maxExecutionAttempts,
        });
        if (outcome === 'abandoned') stats.executionsAbandoned += 1;
        else stats.executionsFailed += 1;
      })
      .catch((checkpointError: unknown) => stopRun(checkpointError));
  };

  const processTask = async (selected: SelectedTask) => {
    if (signal.aborted) return;
    const lease = dryRun ? undefined : await leases.acquire(scope, selected.taskId);
    if (!dryRun && lease === undefined) {
      stats.tasksSkippedLeased += 1;
      return;
    }
    const taskSignal = lease ? AbortSignal.any([signal, lease.lost]) : signal;
    setMaxListeners(listeners, taskSignal);
    try {
      const checkpoint = await checkpoints.load(selected.taskId);
      const state = checkpoint.checkpoint;
      const window = listingWindow(state, {
        now: now(),
        lookbackMs: config.sync.lookbackMs,
        overlapMs: config.sync.listingOverlapMs,
        backfill,
      });
      const { executions, gone } = await discoverExecutions(
        deps.talend,
        selected.taskId,
        window,
        state.executions,
        taskSignal,
      );
      const plan = planTask({
        mode: backfill ? 'backfill' : 'sync',
        checkpoint: state,
        window,
        executions,
        now: now(),
        settleDelayMs: config.sync.settleDelayMs,
      });
      stats.executionsPlanned += plan.items.length;
      if (dryRun) {
        deps.onPlan?.(selected, plan);
        return;
      }
      // Another run holds the task now: its checkpoint is no longer ours to write.
      if (taskSignal.aborted) return;
      await checkpoint.update((draft) =>
        advanceWatermark(draft, {
          newRuns: plan.newRuns,
          watermark: plan.watermark,
          rangeStart: window.rangeStart,
          overlapMs: config.sync.listingOverlapMs,
        }),
      );
      for (const { executionId, error } of gone) {
        await recordExecutionFailure(error, selected.taskId, executionId, checkpoint, taskSignal);
      }
      await Promise.all(
        plan.items.map((item) => executionSlots(() => processItem(item, selected, checkpoint, taskSignal))),
      );
    } catch (error) {
      reportFailure(error, taskSignal, { taskId: selected.taskId });
    } finally {
      await lease
        ?.release()
        .catch((error: unknown) => logger.warn({ err: error }, 'could not release a task lease'));
    }
  };

  try {
    await Promise.all(tasks.map((task) => taskSlots(() => processTask(task))));
  } finally {
    await indexer.close();
  }

  if (fatalError !== undefined) return { kind: 'fatal', error: fatalError };
  if (deps.signal.aborted) return { kind: 'interrupted' };
  return failedExecutions > 0 || stats.deadLetterRuns.length > 0 ? { kind: 'partial' } : { kind: 'ok' };
}

interface Discovered {
  executions: TalendExecution[];
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
  const gone: Discovered['gone'] = [];
  for await (const execution of talend.listTaskExecutions(taskId, window, signal)) {
    found.set(execution.executionId, execution);
  }
  for (const [executionId, progress] of Object.entries(tracked)) {
    if (found.has(executionId) || progress.done || progress.abandoned) continue;
    try {
      found.set(executionId, await talend.getExecution(executionId, signal));
    } catch (error) {
      if (classifyFailure(error, signal) !== 'gone') throw error;
      gone.push({ executionId, error });
    }
  }
  return { executions: [...found.values()], gone };
}
