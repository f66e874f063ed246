import type { Client } from '@elastic/elasticsearch';
import { describeError } from '../common/errors.ts';
import { DEFAULT_RETRY_POLICY, retry, type RetryEvent, type RetryPolicy } from '../common/retry.ts';
import { isTransient } from '../common/transient.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { ElasticsearchUnavailableError } from './elasticsearch-errors.ts';

/** How the calls through one Elasticsearch client ride out failures, and where their waits are told. */
export interface ElasticsearchRetry {
  policy: RetryPolicy;
  logger: Logger;
}

const DEFAULT: ElasticsearchRetry = { policy: DEFAULT_RETRY_POLICY, logger: silentLogger };

/**
 * Each client's retry policy, set where the client is made (see cli/elasticsearch-client.ts): every
 * store object built on the client (checkpoints, leases, bulk indexer, dead letters, templates)
 * then follows the run's policy without each constructor taking it.
 */
const configured = new WeakMap<Client, ElasticsearchRetry>();

export function setElasticsearchRetry(client: Client, settings: ElasticsearchRetry): void {
  configured.set(client, settings);
}

export function elasticsearchRetryOf(client: Client): ElasticsearchRetry {
  return configured.get(client) ?? DEFAULT;
}

/**
 * One Elasticsearch request (a checkpoint, a lease, a template, a bulk request) retried through
 * restarts, overload and shards still starting, under the client's policy, with a warning per wait;
 * then a typed error. A failure that is not transient is thrown as it is. `onRetry` hears each wait
 * too (the bulk indexer counts them).
 */
export async function retryElasticsearch<T>(
  client: Client,
  what: string,
  request: () => Promise<T>,
  onRetry?: (event: RetryEvent) => void,
): Promise<T> {
  const { policy, logger } = elasticsearchRetryOf(client);
  let attempts = 0;
  const started = Date.now();
  try {
    return await retry(
      () => {
        attempts++;
        return request();
      },
      policy,
      undefined,
      (event) => {
        logger.warn(
          {
            operation: what,
            attempt: event.attempt,
            delayMs: event.delayMs,
            elapsedMs: event.elapsedMs,
            budgetMs: policy.budgetMs,
            error: describeError(event.error),
          },
          `Elasticsearch did not take ${what} (${describeError(event.error)}): retrying in ${(event.delayMs / 1000).toFixed(1)} s`,
        );
        onRetry?.(event);
      },
    );
  } catch (error) {
    if (!isTransient(error)) throw error;
    const seconds = Math.round((Date.now() - started) / 1000);
    throw new ElasticsearchUnavailableError(
      `Elasticsearch did not answer ${what} for ${seconds} s (${attempts} attempts): ${describeError(error)}. ` +
        'Check that the cluster is up and reachable from this host; --outage-budget sets how long a run waits for it.',
      { operation: what, attempts },
      error,
    );
  }
}
