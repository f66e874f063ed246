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
import { createElasticsearchStore, type ElasticsearchStore } from '../store/elasticsearch-store.ts';

export interface Runtime {
  config: Config;
  logger: Logger;
  runId: string;
}

/** Configuration and logger for one command, with the loud warnings insecure settings deserve. */
export function startRuntime(flags: FlagValues, needs: LoadOptions['needs']): Runtime {
  const isTty = process.stderr.isTTY === true;
  const config = loadConfig({ flags, needs, isTty });
  const logger = createLogger({ level: config.log.level, pretty: config.log.pretty });
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

/** Everything the command says to Elasticsearch goes through this one store. */
export function elasticsearchStoreFor(runtime: Runtime): ElasticsearchStore {
  const { config, logger } = runtime;
  return createElasticsearchStore(
    config.elasticsearch,
    config.services.elasticsearch,
    config.indexPrefix,
    logger,
  );
}
