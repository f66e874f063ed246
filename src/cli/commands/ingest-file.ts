import { existsSync } from 'node:fs';
import { ConfigError } from '../../common/errors.ts';
import type { FlagValues } from '../../config/setting-source.ts';
import { ingestFile } from '../../job/ingest-file.ts';
import { COMMANDS } from '../command-table.ts';
import { EXIT } from '../exit-codes.ts';
import { connectElasticsearch, startRuntime } from '../runtime.ts';
import { abortOnSignals } from '../signals.ts';

/**
 * `ingest-file FILE --task ID --execution ID`: a log downloaded by hand from the Talend console,
 * through the same parse, enrich and index stages as `sync`, with the same document ids.
 */
export async function ingestFileCommand(flags: FlagValues, positionals: string[]): Promise<number> {
  const runtime = startRuntime(
    flags,
    { talend: false, elasticsearch: true },
    COMMANDS['ingest-file'].defaults,
  );
  const { config, logger } = runtime;
  const [path] = positionals;
  const taskIds = config.selection.taskIds;
  const executionId = typeof flags.execution === 'string' ? flags.execution : undefined;
  const problems = [
    path === undefined && 'name the log file: talend-logs ingest-file FILE --task ID --execution ID',
    path !== undefined && !existsSync(path) && `no such file: ${path}`,
    taskIds.length !== 1 && '--task ID: the id of the task the log belongs to (exactly one)',
    executionId === undefined && '--execution ID: the id of the execution the log belongs to',
  ].filter((problem): problem is string => typeof problem === 'string');
  if (problems.length > 0) throw new ConfigError(`ingest-file: ${problems.join('; ')}.`);

  const store = await connectElasticsearch(runtime);
  const signals = abortOnSignals(logger);
  try {
    const result = await ingestFile(path!, {
      taskId: taskIds[0]!,
      executionId: executionId!,
      taskName: typeof flags['task-name'] === 'string' ? flags['task-name'] : undefined,
      fileFormat: config.sync.fileFormat,
      store,
      bulk: config.bulk,
      signal: signals.signal,
    });
    const exitCode = result.deadLettered > 0 ? EXIT.partial : EXIT.ok;
    if (result.deadLettered > 0) {
      logger.warn(
        { deadLettered: result.deadLettered, index: store.names.deadLetters },
        'some lines could not be indexed and were dead-lettered',
      );
    }
    console.log(
      JSON.stringify({
        msg: 'ingest-file summary',
        outcome: exitCode === EXIT.ok ? 'ok' : 'partial',
        exitCode,
        file: path,
        ...result,
      }),
    );
    return exitCode;
  } finally {
    signals.dispose();
    await store.close();
  }
}
