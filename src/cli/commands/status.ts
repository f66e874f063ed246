import type { FlagValues } from '../../config/setting-source.ts';
import type { TaskCheckpoint } from '../../documents/shapes.ts';
import { pendingRuns, type PendingRuns } from '../../job/checkpoint-rules.ts';
import { CheckpointStore } from '../../store/checkpoints.ts';
import { latestRunsDone, type RunDone } from '../../store/latest-runs.ts';
import { EXIT } from '../exit-codes.ts';
import { connectElasticsearch, startRuntime } from '../runtime.ts';

/** Runs done shown per task: the latest, by trigger time. */
const RUNS_DONE_SHOWN = 5;

interface TaskStatus extends PendingRuns {
  taskId: string;
  watermark?: string;
  lagSeconds?: number;
  /** The latest runs whose log is indexed whole, from the executions index. */
  done: RunDone[];
  updatedAt: string;
}

/** `status`: what the checkpoints and the executions index say; needs no Talend credentials. */
export async function statusCommand(flags: FlagValues): Promise<number> {
  const runtime = startRuntime(flags, { talend: false, elasticsearch: true });
  const store = await connectElasticsearch(runtime);
  let statuses: TaskStatus[];
  try {
    const checkpoints = await new CheckpointStore(store, 'sync').list();
    const done = await latestRunsDone(
      store,
      checkpoints.map((checkpoint) => checkpoint.taskId),
      RUNS_DONE_SHOWN,
    );
    const now = Date.now();
    statuses = checkpoints.map((checkpoint) =>
      taskStatus(checkpoint, done.get(checkpoint.taskId) ?? [], now),
    );
  } finally {
    await store.close();
  }
  const needsAttention = statuses.some(
    (status) => status.givenUp.length > 0 || status.withDeadLetters.length > 0,
  );
  const exitCode = needsAttention ? EXIT.partial : EXIT.ok;
  if (flags.json === true || !process.stdout.isTTY) {
    for (const status of statuses) console.log(JSON.stringify(status));
    console.log(
      JSON.stringify({
        msg: 'run summary',
        command: 'status',
        outcome: needsAttention ? 'attention' : 'ok',
        exitCode,
        tasks: statuses.length,
      }),
    );
  } else {
    printTable(statuses);
  }
  return exitCode;
}

function taskStatus(checkpoint: TaskCheckpoint, done: RunDone[], now: number): TaskStatus {
  return {
    taskId: checkpoint.taskId,
    watermark: checkpoint.watermark,
    lagSeconds: checkpoint.watermark
      ? Math.round((now - Date.parse(checkpoint.watermark)) / 1000)
      : undefined,
    ...pendingRuns(checkpoint),
    done,
    updatedAt: checkpoint.updatedAt,
  };
}

function printTable(statuses: TaskStatus[]): void {
  if (statuses.length === 0) {
    console.log('No checkpoints yet: run "talend-logs sync" first.');
    return;
  }
  console.log(`${'task'.padEnd(38)} ${'watermark'.padEnd(26)} ${'lag'.padStart(8)}  in progress  given up`);
  for (const status of statuses) {
    const lag = status.lagSeconds === undefined ? '-' : `${status.lagSeconds}s`;
    console.log(
      `${status.taskId.padEnd(38)} ${(status.watermark ?? '-').padEnd(26)} ${lag.padStart(8)}  ` +
        `${String(status.inProgress.length).padStart(11)}  ${String(status.givenUp.length).padStart(8)}`,
    );
    for (const run of status.inProgress)
      console.log(`    in progress ${run.executionId}${run.lastError ? `: ${run.lastError}` : ''}`);
    for (const gone of status.givenUp)
      console.log(`    given up ${gone.executionId}: ${gone.lastError ?? ''}`);
    for (const run of status.withDeadLetters)
      console.log(`    dead letters ${run.executionId}: ${run.deadLetters} lines`);
    for (const run of status.done)
      console.log(
        `    done ${run.executionId} (triggered ${run.triggeredAt ?? '?'}, Talend: ${run.status ?? '?'}, ` +
          `${run.lines ?? 0} lines)`,
      );
  }
}
