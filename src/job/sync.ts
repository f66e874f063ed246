import pLimit from 'p-limit';
import type { Config } from '../config/config.ts';
import type { Logger } from '../observability/logger.ts';
import type { RunStats } from '../observability/run-stats.ts';
import { CheckpointStore } from '../store/checkpoints.ts';
import type { ElasticsearchStore } from '../store/elasticsearch-store.ts';
import { createIndexWriter } from '../store/index-writer.ts';
import { ExecutionsIndex } from '../store/executions-index.ts';
import { LeaseManager, currentOwner } from '../store/leases.ts';
import { ensureStateIndex } from '../store/state-index.ts';
import { ensureTemplates } from '../store/templates.ts';
import type { TalendClient } from '../talend/index.ts';
import type { TaskPlan } from './plan.ts';
import { RunOutcome, type SyncOutcome } from './run-outcome.ts';
import { selectTasks, type SelectedTask } from './select-tasks.ts';
import { syncTask, type TaskSyncContext } from './sync-task.ts';

export type { SyncOutcome };

export interface SyncDeps {
  talend: TalendClient;
  store: ElasticsearchStore;
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
const PREPARED_AHEAD = 3;

/**
 * One scheduled run (or one backfill): every selected task under its lease, executions in parallel
 * under one concurrency limit, chunks of one execution in order, checkpoints after acknowledgement.
 */
export async function runSync(config: Config, deps: SyncDeps): Promise<SyncOutcome> {
  const { logger, stats } = deps;
  const { store } = deps;
  const backfill = config.sync.backfill;
  const scope = backfill ? 'backfill' : 'sync';
  const dryRun = config.sync.dryRun;
  const outcome = new RunOutcome(
    deps.signal,
    stats,
    logger,
    Math.max(10, config.sync.concurrency * PREPARED_AHEAD * 8),
  );

  if (!dryRun) {
    await ensureTemplates(store, { ilm: config.ilm });
    await ensureStateIndex(store);
  }
  const tasks = await selectTasks(deps.talend, config.selection, config.sync.shard, logger, outcome.signal);
  stats.tasks = tasks.length;
  logger.info({ tasks: tasks.length, scope, dryRun }, 'tasks selected');

  const { indexer, deadLetters } = createIndexWriter(store, config.bulk);
  const context: TaskSyncContext = {
    mode: backfill ? 'backfill' : 'sync',
    scope,
    dryRun,
    lookbackMs: config.sync.lookbackMs,
    listingOverlapMs: config.sync.listingOverlapMs,
    settleDelayMs: config.sync.settleDelayMs,
    maxExecutionAttempts: config.sync.maxExecutionAttempts,
    backfill,
    talend: deps.talend,
    checkpoints: new CheckpointStore(store, scope),
    executions: new ExecutionsIndex(store),
    leases: new LeaseManager(store, currentOwner(deps.runId), config.sync.leaseTtlMs),
    executionSlots: pLimit(config.sync.concurrency * PREPARED_AHEAD),
    execution: {
      transfers: pLimit(config.sync.concurrency),
      talend: deps.talend,
      indexer,
      deadLetters,
      names: store.names,
      fileFormat: config.sync.fileFormat,
      chunkAttempts: config.services.talend.chunkAttempts,
      stats,
      logger,
    },
    outcome,
    stats,
    logger,
    now: deps.now ?? Date.now,
    onPlan: deps.onPlan,
  };
  const taskSlots = pLimit(config.sync.concurrency);
  try {
    await Promise.all(tasks.map((task) => taskSlots(() => syncTask(task, context))));
  } finally {
    await indexer.close();
  }
  return outcome.result();
}
