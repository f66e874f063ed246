import type { FlagValues } from '../../config/setting-source.ts';
import { runSync, type SyncOutcome } from '../../job/sync.ts';
import { startProgress } from '../../observability/progress.ts';
import { RunStats } from '../../observability/run-stats.ts';
import { summaryJson, summaryTable } from '../../observability/summary-output.ts';
import { EXIT, exitCodeFor } from '../exit-codes.ts';
import { failureMessage } from '../failure-message.ts';
import { connectElasticsearch, startRuntime, talendClientFor, type Runtime } from '../runtime.ts';
import { abortOnSignals } from '../signals.ts';

/** `sync` and `backfill`: one run, its summary on stdout, and an exit code that says how it went. */
export async function syncCommand(flags: FlagValues): Promise<number> {
  const runtime = startRuntime(flags, { talend: true, elasticsearch: true });
  const { config, logger } = runtime;
  const stats = new RunStats();
  const outcome = await attempt(runtime, stats);
  let exitCode: number;
  if (outcome.kind === 'fatal') {
    logger.fatal({ err: outcome.error }, failureMessage(outcome.error));
    exitCode = exitCodeFor(outcome.error);
  } else {
    exitCode = { ok: EXIT.ok, partial: EXIT.partial, interrupted: EXIT.interrupted }[outcome.kind];
  }
  // A dry run's output is its plan, one line per execution; a failed dry run still says how it ended.
  if (config.sync.dryRun && outcome.kind !== 'fatal') return exitCode;
  const summary = stats.summary();
  if (process.stdout.isTTY) console.log(summaryTable(summary, outcome.kind, exitCode));
  else console.log(summaryJson(summary, outcome.kind, exitCode));
  return exitCode;
}

/** The run itself: whatever stops it, from the first call to Elasticsearch on, is its outcome. */
async function attempt(runtime: Runtime, stats: RunStats): Promise<SyncOutcome> {
  const { config, logger } = runtime;
  const signals = abortOnSignals(logger);
  const stopProgress =
    config.log.progress && !config.sync.dryRun ? startProgress(stats, logger) : () => undefined;
  try {
    const store = await connectElasticsearch(runtime);
    const talend = talendClientFor(runtime);
    stats.countRetriesOf({ talend: () => talend.stats().retries, elasticsearch: () => store.retries });
    try {
      return await runSync(config, {
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
    } finally {
      await talend.close();
      await store.close();
    }
  } catch (error) {
    return signals.signal.aborted ? { kind: 'interrupted' } : { kind: 'fatal', error };
  } finally {
    stopProgress();
    signals.dispose();
  }
}
