import { fullJitterDelay, sleep } from '../common/backoff.ts';
import { ElasticsearchUnavailableError, isRetryableRequestFailure } from './elasticsearch-errors.ts';

export interface RequestRetryOptions {
  maxElapsedMs?: number;
  baseMs?: number;
  maxMs?: number;
  signal?: AbortSignal;
}

/**
 * Retries one small Elasticsearch request (a checkpoint, a lease) through restarts, overload and
 * shards that are still starting, with full-jitter backoff; then fails with a typed error. `attempt`
 * lets a write tell a first try from a retry whose predecessor may have succeeded unseen.
 */
export async function retryElasticsearch<T>(
  what: string,
  request: (attempt: number) => Promise<T>,
  options: RequestRetryOptions = {},
): Promise<T> {
  const started = Date.now();
  const maxElapsedMs = options.maxElapsedMs ?? 120_000;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await request(attempt);
    } catch (error) {
      if (!isRetryableRequestFailure(error)) throw error;
      const wait = fullJitterDelay(attempt, {
        baseMs: options.baseMs ?? 250,
        maxMs: options.maxMs ?? 10_000,
      });
      if (Date.now() - started + wait > maxElapsedMs) {
        throw new ElasticsearchUnavailableError(
          `Elasticsearch did not answer ${what} for ${Math.round((Date.now() - started) / 1000)} s (${attempt} attempts): ` +
            `${(error as Error).message}. Check that the cluster is up and reachable from this host.`,
          { operation: what, attempts: attempt },
          error,
        );
      }
      await sleep(wait, options.signal);
    }
  }
}
