import type { FlagValues } from '../../config/setting-source.ts';
import { runSync } from '../../job/sync.ts';
import { startProgress } from '../../observability/progress.ts';
import { RunStats } from '../../observability/run-stats.ts';
import { summaryJson, summaryTable } from '../../observability/summary-output.ts';
import { EXIT, exitCodeFor } from '../exit-codes.ts';
import { elasticsearchStoreFor, startRuntime, talendClientFor } from '../runtime.ts';
import { abortOnSignals } from '../signals.ts';

/** `sync` and `backfill`: one run, its summary on stdout, and an exit code that says how it went. */
export async function syncCommand(flags: FlagValues): Promise<number> {
  const runtime = startRuntime(flags, { talend: true, elasticsearch: true });
  const { config, logger } = runtime;
  const talend = talendClientFor(runtime);
  const store = elasticsearchStoreFor(runtime);
  const stats = new RunStats({
    talend: () => talend.stats().retries,
    elasticsearch: () => store.retries,
  });
  const signals = abortOnSignals(logger);
  const stopProgress = config.log.progress && !config.sync.dryRun ? startProgress(stats) : () => undefined;
  let exitCode: number;
  let outcome: string;
  try {
    const result = await runSync(config, {
      talend,
      store,
      logger,
      stats,
      runId: runtime.runId,
      signal: signals.signal,
      onPlan: (task, plan) => {
        for (const item of plan.items) {
          console.log(
            JSON.stringify({
              taskId: task.taskId,
              taskName: task.task?.name,
              executionId: item.execution.executionId,
              status: item.execution.status,
              ranges: item.ranges.map((range) => ({
                from: range.startMs === undefined ? 'run start' : new Date(range.startMs).toISOString(),
                to: range.endMs === undefined ? 'end of log' : new Date(range.endMs).toISOString(),
                resumeAt:
                  range.resumeEndMs === undefined ? undefined : new Date(range.resumeEndMs).toISOString(),
              })),
            }),
          );
        }
      },
    });
    outcome = result.kind;
    if (result.kind === 'fatal') {
      logger.error({ err: result.error }, 'run stopped');
      exitCode = exitCodeFor(result.error);
    } else {
      exitCode = { ok: EXIT.ok, partial: EXIT.partial, interrupted: EXIT.interrupted }[result.kind];
    }
  } finally {
    stopProgress();
    signals.dispose();
    await talend.close();
    await store.close();
  }
  const summary = stats.summary();
  if (config.sync.dryRun) return exitCode;
  if (process.stdout.isTTY) console.log(summaryTable(summary, outcome));
  else console.log(summaryJson(summary, outcome));
  return exitCode;
}
