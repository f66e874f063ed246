import type { FlagValues } from '../../config/load.ts';
import { ensureStateIndex } from '../../store/state-index.ts';
import { installTemplates } from '../../store/templates.ts';
import { EXIT } from '../exit-codes.ts';
import { createElasticsearchClient, startRuntime } from '../runtime.ts';

/** `setup`: index templates, lifecycle policy where supported, and our state index. Idempotent. */
export async function setupCommand(flags: FlagValues): Promise<number> {
  const { config, logger } = startRuntime(flags, { talend: false, elasticsearch: true });
  const elasticsearch = createElasticsearchClient(config.elasticsearch);
  try {
    await installTemplates(elasticsearch, { prefix: config.indexPrefix, ilm: config.ilm, logger });
    await ensureStateIndex(elasticsearch, config.indexPrefix);
    logger.info({ prefix: config.indexPrefix }, 'Elasticsearch templates installed');
    return EXIT.ok;
  } finally {
    await elasticsearch.close();
  }
}
