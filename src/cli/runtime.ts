import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.ts';
import { loadConfig, type LoadOptions } from '../config/load.ts';
import type { FlagValues } from '../config/setting-source.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import {
  createTalendClient,
  resolveBaseUrl,
  resolveOAuthAudience,
  type TalendClient,
} from '../talend/index.ts';
import { createElasticsearchClient } from './elasticsearch-client.ts';

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

export function talendClientFor(runtime: Runtime): TalendClient {
  const { talend } = runtime.config;
  if (talend.auth === undefined) throw new Error('Talend credentials were not validated');
  const baseUrl = resolveBaseUrl({ region: talend.region, baseUrl: talend.baseUrl });
  return createTalendClient({
    baseUrl,
    oauthAudience: resolveOAuthAudience({ region: talend.region, baseUrl, audience: talend.oauthAudience }),
    auth: talend.auth,
    logger: runtime.logger,
    ...talend.client,
    tls: { ca: talend.caCert, rejectUnauthorized: !talend.insecure },
  });
}

export { createElasticsearchClient };
