import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.ts';
import { loadConfig, type LoadOptions } from '../config/load.ts';
import type { FlagValues } from '../config/setting-source.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import {
  createTalendApiClient,
  createTalendClient,
  resolveBaseUrl,
  resolveOAuthAudience,
  type TalendApiClient,
  type TalendClient,
  type TalendClientOptions,
} from '../talend/index.ts';
import { safeUrl } from '../common/secrets.ts';
import { createElasticsearchStore, type ElasticsearchStore } from '../store/elasticsearch-store.ts';
import { verifyElasticsearch } from '../store/elasticsearch-identity.ts';
import { reportFailuresTo } from './failure-report.ts';

export interface Runtime {
  config: Config;
  logger: Logger;
  runId: string;
}

/**
 * Configuration and logger for one command, with the loud warnings insecure settings deserve.
 * `defaults` are the command's own (cli/command-table.ts).
 */
export function startRuntime(
  flags: FlagValues,
  needs: LoadOptions['needs'],
  defaults?: LoadOptions['defaults'],
): Runtime {
  const isTty = process.stderr.isTTY === true;
  const warnings: string[] = [];
  const config = loadConfig({ flags, needs, isTty, warnings, defaults });
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty });
  reportFailuresTo(logger);
  for (const warning of warnings) logger.warn(warning);
  if (config.talend.insecure) {
    logger.warn(
      'TLS certificate verification towards Talend is DISABLED (--talend-insecure-skip-tls-verify)',
    );
  }
  if (config.elasticsearch.insecure) {
    logger.warn(
      'TLS certificate verification towards Elasticsearch is DISABLED (--es-insecure-skip-tls-verify)',
    );
  }
  return { config, logger, runId: randomUUID() };
}

/** The client `sync` uses: only the calls it makes. */
export function talendClientFor(runtime: Runtime): TalendClient {
  return createTalendClient(talendClientOptions(runtime));
}

/** Every call the client speaks, for the commands that look at Talend step by step (`probe`). */
export function talendApiClientFor(runtime: Runtime): TalendApiClient {
  return createTalendApiClient(talendClientOptions(runtime));
}

function talendClientOptions(runtime: Runtime): TalendClientOptions {
  const { talend, services } = runtime.config;
  if (talend.auth === undefined) throw new Error('Talend credentials were not validated');
  const baseUrl = resolveBaseUrl({ region: talend.region, baseUrl: talend.baseUrl });
  return {
    baseUrl,
    oauthAudience: resolveOAuthAudience({ region: talend.region, baseUrl, audience: talend.oauthAudience }),
    auth: talend.auth,
    logger: runtime.logger,
    ...services.talend.client,
    tls: services.talend.tls,
    retry: services.talend.retry,
  };
}

/**
 * The store of every command that uses Elasticsearch, once its first answer says it is
 * Elasticsearch: everything the command says to Elasticsearch goes through it.
 */
export async function connectElasticsearch(runtime: Runtime): Promise<ElasticsearchStore> {
  const { config, logger } = runtime;
  const store = createElasticsearchStore(
    config.elasticsearch,
    config.services.elasticsearch,
    config.indexPrefix,
    logger,
  );
  const { cloudId, nodes } = config.elasticsearch;
  const where = cloudId === undefined ? nodes.map((node) => safeUrl(node)).join(', ') : 'ES_CLOUD_ID';
  try {
    await verifyElasticsearch(store, where);
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}
