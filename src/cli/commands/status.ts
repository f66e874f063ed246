import type { FlagValues } from '../../config/setting-source.ts';
import type { TaskCheckpoint } from '../../documents/shapes.ts';
import { pendingRuns, type PendingRuns } from '../../job/checkpoint-rules.ts';
import { CheckpointStore } from '../../store/checkpoints.ts';
import { EXIT } from '../exit-codes.ts';
import { elasticsearchStoreFor, startRuntime } from '../runtime.ts';

interface TaskStatus extends PendingRuns {
  taskId: string;
  watermark?: string;
  lagSeconds?: number;
  updatedAt: string;
}

/** `status`: what the checkpoints say, read from Elasticsearch; needs no Talend credentials. */
export async function statusCommand(flags: FlagValues): Promise<number> {
  const runtime = startRuntime(flags, { talend: false, elasticsearch: true });
  const store = elasticsearchStoreFor(runtime);
  try {
    const checkpoints = await new CheckpointStore(store, 'sync').list();
    const now = Date.now();
    const statuses = checkpoints.map((checkpoint) => taskStatus(checkpoint, now));
    if (flags.json === true || !process.stdout.isTTY) {
      for (const status of statuses) console.log(JSON.stringify(status));
    } else {
      printTable(statuses);
    }
    const needsAttention = statuses.some(
      (status) => status.givenUp.length > 0 || status.withDeadLetters.length > 0,
    );
    return needsAttention ? EXIT.partial : EXIT.ok;
  } finally {
    await store.close();
  }
}

function taskStatus(checkpoint: TaskCheckpoint, now: number): TaskStatus {
  return {
    taskId: checkpoint.taskId,
    watermark: checkpoint.watermark,
    lagSeconds: checkpoint.watermark
      ? Math.round((now - Date.parse(checkpoint.watermark)) / 1000)
      : undefined,
    ...pendingRuns(checkpoint),
    updatedAt: checkpoint.updatedAt,
  };
}

function printTable(statuses: TaskStatus[]): void {
  if (statuses.length === 0) {
    console.log('No checkpoints yet: run "talend-logs sync" first.');
    return;
  }
  console.log(
    `${'task'.padEnd(38)} ${'watermark'.padEnd(26)} ${'lag'.padStart(8)}  in progress  given up  done`,
  );
  for (const status of statuses) {
    const lag = status.lagSeconds === undefined ? '-' : `${status.lagSeconds}s`;
    console.log(
      `${status.taskId.padEnd(38)} ${(status.watermark ?? '-').padEnd(26)} ${lag.padStart(8)}  ` +
        `${String(status.inProgress.length).padStart(11)}  ${String(status.givenUp.length).padStart(8)}  ` +
        `${String(status.done.length).padStart(4)}`,
    );
    for (const gone of status.givenUp)
      console.log(`    given up ${gone.executionId}: ${gone.lastError ?? ''}`);
    for (const run of status.withDeadLetters)
      console.log(`    dead letters ${run.executionId}: ${run.deadLetters} lines`);
  }
}
