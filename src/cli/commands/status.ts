import type { FlagValues } from '../../config/load.ts';
import type { TaskCheckpoint } from '../../contracts/documents.ts';
import { CheckpointStore } from '../../store/checkpoints.ts';
import { EXIT } from '../exit-codes.ts';
import { elasticsearchClientFor, startRuntime } from '../runtime.ts';

interface TaskStatus {
  taskId: string;
  watermark?: string;
  lagSeconds?: number;
  inProgress: {
    executionId: string;
    indexedUpTo?: string;
    resumeAt?: string;
    attempts?: number;
    lastError?: string;
  }[];
  givenUp: { executionId: string; attempts?: number; lastError?: string }[];
  updatedAt: string;
}

/** `status`: what the checkpoints say, read from Elasticsearch; needs no Talend credentials. */
export async function statusCommand(flags: FlagValues): Promise<number> {
  const runtime = startRuntime(flags, { talend: false, elasticsearch: true });
  const { config } = runtime;
  const elasticsearch = elasticsearchClientFor(runtime);
  try {
    const checkpoints = await new CheckpointStore(elasticsearch, config.indexPrefix, 'sync').list();
    const now = Date.now();
    const statuses = checkpoints.map((checkpoint) => taskStatus(checkpoint, now));
    if (flags.json === true || !process.stdout.isTTY) {
      for (const status of statuses) console.log(JSON.stringify(status));
    } else {
      printTable(statuses);
    }
    return statuses.some((status) => status.givenUp.length > 0) ? EXIT.partial : EXIT.ok;
  } finally {
    await elasticsearch.close();
  }
}

function taskStatus(checkpoint: TaskCheckpoint, now: number): TaskStatus {
  const entries = Object.entries(checkpoint.executions);
  return {
    taskId: checkpoint.taskId,
    watermark: checkpoint.watermark,
    lagSeconds: checkpoint.watermark
      ? Math.round((now - Date.parse(checkpoint.watermark)) / 1000)
      : undefined,
    inProgress: entries
      .filter(([, progress]) => !progress.done && !progress.abandoned)
      .map(([executionId, progress]) => ({
        executionId,
        indexedUpTo: progress.indexedUpTo,
        resumeAt: progress.walk?.resumeEndTime,
        attempts: progress.attempts,
        lastError: progress.lastError,
      })),
    givenUp: entries
      .filter(([, progress]) => progress.abandoned)
      .map(([executionId, progress]) => ({
        executionId,
        attempts: progress.attempts,
        lastError: progress.lastError,
      })),
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
    for (const gone of status.givenUp)
      console.log(`    given up ${gone.executionId}: ${gone.lastError ?? ''}`);
  }
}
