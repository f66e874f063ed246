import type { Client } from '@elastic/elasticsearch';
import { fullJitterDelay } from '../common/backoff.ts';
import { describeError } from '../common/errors.ts';
import { retry, type RetryEvent, type RetryPolicy } from '../common/retry.ts';
import { isTransient } from '../common/transient.ts';
import type { ElasticsearchSettings } from '../config/config.ts';
import type { ElasticsearchService } from '../config/services.ts';
import { indexNames, type IndexNames } from '../config/index-names.ts';
import { validateIndexPrefix } from '../config/index-prefix.ts';
import type { Logger } from '../observability/logger.ts';
import { createElasticsearchClient } from './elasticsearch-client.ts';
import { ElasticsearchUnavailableError } from './elasticsearch-errors.ts';

/**
 * Everything that talks to Elasticsearch, built once per command and passed to every store class
 * and workflow: the client, the names derived from the prefix, the one retry every call goes
 * through, and the logger its waits are told to. It counts every wait, of whole requests and of
 * items alike: the run summary's `retries.elasticsearch`.
 */
export class ElasticsearchStore {
  readonly retryPolicy: RetryPolicy;
  readonly itemRetries: number;
  /**
   * What the cluster was found to support, by probe (see templates.ts): a command probes its cluster
   * once.
   */
  readonly clusterSupports = new Map<string, boolean>();
  private waits = 0;

  constructor(
    readonly client: Client,
    readonly names: IndexNames,
    settings: Pick<ElasticsearchService, 'retry' | 'itemRetries'>,
    readonly logger: Logger,
  ) {
    this.retryPolicy = settings.retry;
    this.itemRetries = settings.itemRetries;
  }

  /** Waits before a retry so far, of whole requests and of items. */
  get retries(): number {
    return this.waits;
  }

  /**
   * One Elasticsearch request (a checkpoint, a lease, a template, a bulk request) retried through
   * restarts, overload and shards still starting, with a warning per wait; then a typed error. A
   * failure that is not transient is thrown as it is. `onRetry` hears each wait too.
   */
  async request<T>(what: string, call: () => Promise<T>, onRetry?: (event: RetryEvent) => void): Promise<T> {
    const policy = this.retryPolicy;
    let attempts = 0;
    const started = Date.now();
    try {
      return await retry(
        () => {
          attempts++;
          return call();
        },
        policy,
        undefined,
        (event) => {
          this.waits++;
          this.logger.warn(
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

  /**
   * The wait before items pushed back are sent again, after `attempt` retries of them (from 0),
   * spaced as the retry policy spaces its waits; counted as a retry.
   */
  itemRetryDelay(attempt: number): number {
    this.waits++;
    return fullJitterDelay(attempt, this.retryPolicy);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** The store of a command: the client from the validated settings, the names of the prefix, the run's retries. */
export function createElasticsearchStore(
  connection: ElasticsearchSettings,
  settings: ElasticsearchService,
  prefix: string,
  logger: Logger,
): ElasticsearchStore {
  return new ElasticsearchStore(
    createElasticsearchClient(connection, settings.requestTimeoutMs),
    indexNames(validateIndexPrefix(prefix)),
    settings,
    logger,
  );
}
