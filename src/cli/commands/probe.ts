import { ConfigError } from '../../common/errors.ts';
import { safeUrl, scrubSecrets } from '../../common/secrets.ts';
import type { FlagValues } from '../../config/setting-source.ts';
import { renderText } from '../../probe/render-text.ts';
import { runProbe } from '../../probe/run-probe.ts';
import { resolveBaseUrl } from '../../talend/index.ts';
import { EXIT } from '../exit-codes.ts';
import { startRuntime, talendApiClientFor } from '../runtime.ts';
import { abortOnSignals } from '../signals.ts';
import { packageVersion } from '../../common/package-files.ts';

/** Talend refuses any other execution id with a 400: better said before a call is made. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `probe [--task ID] [--execution ID] [--json]`: what the tenant's API does on each point Talend
 * leaves open, with read-only calls. Exit 0 whenever it ran, whatever it could settle.
 */
export async function probeCommand(flags: FlagValues): Promise<number> {
  const executionId = typeof flags.execution === 'string' ? flags.execution : undefined;
  if (executionId !== undefined && !UUID.test(executionId)) {
    throw new ConfigError(`probe: --execution must be an execution id (a UUID), not "${executionId}".`);
  }
  const runtime = startRuntime(flags, { talend: true, elasticsearch: false });
  const { config, logger } = runtime;
  const talend = talendApiClientFor(runtime);
  const signals = abortOnSignals(logger);
  try {
    const report = await runProbe({
      talend,
      selection: config.selection,
      executionId,
      apiUrl: safeUrl(resolveBaseUrl({ region: config.talend.region, baseUrl: config.talend.baseUrl })),
      version: packageVersion(),
      logger,
      signal: signals.signal,
    });
    const json = flags.json === true || !process.stdout.isTTY;
    // Every value in the report is chosen to be harmless; scrubbing is the net under that choice.
    console.log(scrubSecrets(json ? JSON.stringify(report, null, 2) : renderText(report)));
    return EXIT.ok;
  } catch (error) {
    if (!signals.signal.aborted) throw error;
    logger.warn('probe interrupted: no report');
    return EXIT.interrupted;
  } finally {
    signals.dispose();
    await talend.close();
  }
}
