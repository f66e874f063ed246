import { ConfigError } from '../../common/errors.ts';
import type { FlagValues } from '../../config/setting-source.ts';
import { replayDeadLetters } from '../../job/replay-dead-letters.ts';
import { DEAD_LETTER_STAGES, type DeadLetterStage } from '../../documents/dead-letter.ts';
import { EXIT } from '../exit-codes.ts';
import { connectElasticsearch, startRuntime } from '../runtime.ts';
import { abortOnSignals } from '../signals.ts';

/**
 * `replay-dead-letters [--execution ID] [--task ID] [--stage STAGE] [--dry-run]`: indexes again the
 * dead-lettered lines that can now be indexed, deletes their dead letters, and prints, one JSON line
 * per stage and error type, what is left and why. Exits 3 while some are left.
 */
export async function replayDeadLettersCommand(flags: FlagValues): Promise<number> {
  const runtime = startRuntime(flags, { talend: false, elasticsearch: true });
  const { config, logger } = runtime;
  const stage = flags.stage;
  if (stage !== undefined && !DEAD_LETTER_STAGES.includes(stage as DeadLetterStage)) {
    throw new ConfigError(
      `replay-dead-letters: --stage must be one of ${DEAD_LETTER_STAGES.join(', ')} (got "${String(stage)}").`,
    );
  }
  const store = await connectElasticsearch(runtime);
  const signals = abortOnSignals(logger);
  try {
    const report = await replayDeadLetters({
      store,
      executionId: typeof flags.execution === 'string' ? flags.execution : undefined,
      taskIds: config.selection.taskIds,
      stage: stage as DeadLetterStage | undefined,
      dryRun: flags['dry-run'] === true,
      bulk: config.bulk,
      signal: signals.signal,
    });
    for (const group of report.remaining) console.log(JSON.stringify({ msg: 'dead letters left', ...group }));
    const left = report.remaining.reduce((sum, group) => sum + group.count, 0);
    const { remaining: _groups, ...counts } = report;
    const exitCode = left > 0 ? EXIT.partial : EXIT.ok;
    console.log(
      JSON.stringify({
        msg: 'replay summary',
        outcome: left > 0 ? 'partial' : 'ok',
        exitCode,
        dryRun: flags['dry-run'] === true,
        ...counts,
        left,
      }),
    );
    return exitCode;
  } finally {
    signals.dispose();
    await store.close();
  }
}
