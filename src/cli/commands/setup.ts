import type { FlagValues } from '../../config/setting-source.ts';
import { importSavedObjects } from '../../kibana/import-saved-objects.ts';
import { indexNames } from '../../config/index-names.ts';
import { ensureStateIndex } from '../../store/state-index.ts';
import { installTemplates } from '../../store/templates.ts';
import { EXIT } from '../exit-codes.ts';
import { connectElasticsearch, startRuntime } from '../runtime.ts';

/**
 * `setup`: index templates, lifecycle policy where supported, and our state index; with a Kibana URL
 * (--kibana-url or KIBANA_URL), also the dashboard, its visualizations, saved searches and data view.
 * Idempotent: every run overwrites with the same definitions.
 */
export async function setupCommand(flags: FlagValues): Promise<number> {
  // Kibana's settings are checked with the rest, so that a typo fails the command with nothing half-done.
  const runtime = startRuntime(flags, { talend: false, elasticsearch: true, kibana: true });
  const { config, logger } = runtime;
  const kibana = config.kibana;
  const store = await connectElasticsearch(runtime);
  try {
    await installTemplates(store, { ilm: config.ilm });
    await ensureStateIndex(store);
    logger.info({ prefix: config.indexPrefix }, 'Elasticsearch templates installed');
  } finally {
    await store.close();
  }
  let kibanaObjects: number | undefined;
  if (kibana !== undefined) {
    ({ imported: kibanaObjects } = await importSavedObjects({
      kibanaUrl: kibana.url,
      space: kibana.space,
      auth: kibana.auth,
      ca: kibana.ca,
      rejectUnauthorized: kibana.rejectUnauthorized,
      names: indexNames(config.indexPrefix),
      service: config.services.kibana,
      logger,
    }));
  }
  console.log(
    JSON.stringify({
      msg: 'run summary',
      command: 'setup',
      outcome: 'ok',
      exitCode: EXIT.ok,
      prefix: config.indexPrefix,
      ...(kibanaObjects === undefined ? {} : { kibanaObjects }),
    }),
  );
  return EXIT.ok;
}
