import { performance } from 'node:perf_hooks';
import { sleep } from '../common/backoff.ts';
import { abortable } from './abortable.ts';

/** Monotonic time and waiting, injectable so tests can drive a limiter through hours instantly. */
export interface LimiterClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const monotonicClock: LimiterClock = { now: () => performance.now(), sleep };

const MINUTE = 60_000;

/**
 * At most `limit` grants in ANY sliding window of `windowMs`: a grant at t is allowed only when the
 * grant `limit` places back happened at least `windowMs` before t. Talend counts per fixed or
 * sliding minute (undocumented); a sliding log satisfies both. Callers are served one at a time in
 * arrival order, so concurrent callers share the quota fairly and never race past it.
 * A limit of 0 means no quota, but a pause after a 429 still applies.
 */
export class SlidingWindowLimiter {
  /** The last `limit` grant times, oldest first. */
  private readonly grants: number[] = [];
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number = MINUTE,
    private readonly clock: LimiterClock = monotonicClock,
  ) {
    if (!Number.isInteger(limit) || limit < 0)
      throw new RangeError(`rate limit must be an integer >= 0, got ${limit}`);
  }

  /** Resolves once the caller may send one request (now counted); returns how long it waited. */
  async acquire(signal?: AbortSignal): Promise<number> {
    const queuedAt = this.clock.now();
    const turn = this.queue.then(() => this.waitForSlot(signal));
    this.queue = turn.catch(() => undefined);
    const grantedAt = await abortable(turn, signal);
    return grantedAt - queuedAt;
  }

  /** After a 429 every caller of the group holds off, not only the one that was told. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
  }

  /** Resolves with the grant time. */
  private async waitForSlot(signal: AbortSignal | undefined): Promise<number> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      const wait = this.waitAt(now);
      if (wait <= 0) {
        if (this.limit > 0) this.grants.push(now);
        if (this.grants.length > this.limit) this.grants.shift();
        return now;
      }
      await this.clock.sleep(wait, signal);
    }
  }

  private waitAt(now: number): number {
    const oldest = this.limit > 0 && this.grants.length >= this.limit ? this.grants[0] : undefined;
    const windowWait = oldest === undefined ? 0 : oldest + this.windowMs - now;
    return Math.max(this.pausedUntil - now, windowWait);
  }
}

export type RateLimitGroup = 'monitoring' | 'processing' | 'orchestration';

/** Talend's quotas are per API family; `/security` (token requests) has none. */
export function rateLimitGroup(path: string): RateLimitGroup | undefined {
  const family = /^\/(monitoring|processing|orchestration)(\/|$)/.exec(path)?.[1];
  return family as RateLimitGroup | undefined;
}

/** One limiter per API family; a quota of 0 means unlimited. */
export class RateLimiters {
  private readonly limiters = new Map<RateLimitGroup, SlidingWindowLimiter>();

  constructor(perMinute: Record<RateLimitGroup, number>, clock: LimiterClock = monotonicClock) {
    for (const [group, limit] of Object.entries(perMinute) as [RateLimitGroup, number][]) {
      this.limiters.set(group, new SlidingWindowLimiter(limit, MINUTE, clock));
    }
  }

  acquire(group: RateLimitGroup | undefined, signal?: AbortSignal): Promise<number> {
    const limiter = group === undefined ? undefined : this.limiters.get(group);
    return limiter ? limiter.acquire(signal) : Promise.resolve(0);
  }

  pause(group: RateLimitGroup | undefined, ms: number): void {
    if (group !== undefined) this.limiters.get(group)?.pause(ms);
  }
}
