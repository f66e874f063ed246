import { performance } from 'node:perf_hooks';
import { fullJitterDelay, sleep } from './backoff.ts';
import { isTransient, serverDelayOf } from './transient.ts';

/** How one logical call is retried: the same for Talend, the object store and Elasticsearch. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The first wait is at most this long; each next one may be twice as long... */
  baseMs: number;
  /** ... up to this. */
  maxMs: number;
  /**
   * No attempt starts later than this after the first one: the longest outage ridden out before
   * the call fails.
   */
  budgetMs: number;
}

/** What a caller hears before each wait: enough to log what is waited for, and how long. */
export interface RetryEvent {
  error: unknown;
  /** The attempt that failed, counted from 1. */
  attempt: number;
  delayMs: number;
  /** Since the first attempt started. */
  elapsedMs: number;
  /** The wait the server asked for, when it did (and `delayMs` is it). */
  retryAfterMs?: number;
}

/** Errors a retry loop gave up on: a loop around it must not start over (retries at one level only). */
const spent = new WeakSet<object>();

/**
 * Calls `fn` until it succeeds, it fails with an error that is not transient (see `isTransient`), or
 * the policy is spent; then throws the last error. An error that a retry inside `fn` already gave up
 * on is thrown at once. Between attempts it waits a full-jitter delay,
 * or the server's `Retry-After` when the error carries one. A backoff wait is cut to what is left of
 * the budget, so the last attempt comes at its end; a server's wait longer than what is left ends the
 * retries at once, since an earlier attempt would only be refused again. A wait ends early when
 * `signal` aborts, throwing its reason; what an abort does to an attempt in flight is `fn`'s affair.
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
  onRetry?: (event: RetryEvent) => void,
): Promise<T> {
  const startedAt = performance.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (signal?.aborted || !isTransient(error) || isSpent(error)) throw error;
      const elapsedMs = performance.now() - startedAt;
      const left = policy.budgetMs - elapsedMs;
      const retryAfterMs = serverDelayOf(error);
      if (attempt >= policy.maxAttempts || left <= 0 || (retryAfterMs !== undefined && retryAfterMs > left)) {
        if (typeof error === 'object' && error !== null) spent.add(error);
        throw error;
      }
      const delayMs = Math.round(retryAfterMs ?? Math.min(left, fullJitterDelay(attempt - 1, policy)));
      onRetry?.({ error, attempt, delayMs, elapsedMs: Math.round(elapsedMs), retryAfterMs });
      try {
        await sleep(delayMs, signal);
      } catch (abortError) {
        throw signal?.aborted ? signal.reason : abortError;
      }
    }
  }
}

function isSpent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && spent.has(error);
}
