import { performance } from 'node:perf_hooks';
import { fullJitterDelay, sleep } from '../common/backoff.ts';
import { chainMatches } from '../common/error-chain.ts';
import type { Logger } from '../observability/logger.ts';
import type { StatsRecorder } from './stats.ts';

export interface RetrySettings {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  /** No retry starts once this much time has gone by since the first attempt. */
  maxElapsedMs: number;
}

export const DEFAULT_RETRY: RetrySettings = {
  maxAttempts: 6,
  baseMs: 500,
  maxMs: 30_000,
  maxElapsedMs: 180_000,
};

/** Answers that say "try again later"; every Talend call we make is safe to repeat. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Connection-level failures worth another attempt; undici wraps some of them in a `cause`. */
export function isRetryableNetworkError(error: unknown): boolean {
  return chainMatches(error, RETRYABLE_CODES, /socket hang up|other side closed/i);
}

/** Counts attempts and elapsed time of one logical call, and says how long to wait before the next. */
export class RetryBudget {
  private attemptsMade = 0;
  private readonly startedAt: number;

  constructor(
    private readonly settings: RetrySettings,
    private readonly clock: () => number = () => performance.now(),
    private readonly random: () => number = Math.random,
  ) {
    this.startedAt = clock();
  }

  get attempts(): number {
    return this.attemptsMade;
  }

  /** Marks the start of an attempt. */
  begin(): void {
    this.attemptsMade++;
  }

  /** After an HTTP answer: the wait before another attempt, or undefined (final status, or budget spent). */
  afterStatus(status: number, retryAfterMs?: number): number | undefined {
    return RETRYABLE_STATUSES.has(status) ? this.nextDelay(retryAfterMs) : undefined;
  }

  /** After a request that got no answer: the wait before another attempt, or undefined. */
  afterError(error: unknown): number | undefined {
    return isRetryableNetworkError(error) ? this.nextDelay() : undefined;
  }

  /**
   * The wait before another attempt, or undefined when the budget is spent. A server's Retry-After
   * wins over our backoff but is capped at `maxMs`, so a hostile or confused header cannot park us.
   */
  nextDelay(retryAfterMs?: number): number | undefined {
    if (this.attemptsMade >= this.settings.maxAttempts) return undefined;
    const delay =
      retryAfterMs === undefined
        ? fullJitterDelay(this.attemptsMade - 1, this.settings, this.random)
        : Math.min(retryAfterMs, this.settings.maxMs);
    if (this.clock() - this.startedAt + delay > this.settings.maxElapsedMs) return undefined;
    return delay;
  }
}

/** Counts and logs a retry (fields must be secret-free: URLs through `safeUrl`), then waits. */
export async function pauseBeforeRetry(
  deps: { stats: StatsRecorder; logger: Logger },
  fields: Record<string, unknown>,
  delayMs: number,
  signal?: AbortSignal,
): Promise<void> {
  deps.stats.retry();
  deps.logger.warn({ ...fields, delayMs }, 'Talend call failed, retrying');
  await sleep(delayMs, signal);
}
