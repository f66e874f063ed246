import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  RateLimiters,
  SlidingWindowLimiter,
  rateLimitGroup,
  type LimiterClock,
} from '../../src/talend/rate-limiter.ts';

/** Virtual time: sleeping advances the clock at once, so an hour of limiting runs in milliseconds. */
class FakeClock implements LimiterClock {
  time = 0;
  now(): number {
    return this.time;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.time += ms;
    return Promise.resolve();
  }
}

const MINUTE = 60_000;

/** The largest number of grants inside any window [t, t + MINUTE). */
function maxInAnyWindow(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= MINUTE) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

async function grantTimes(
  limiter: SlidingWindowLimiter,
  clock: FakeClock,
  callers: number,
): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: callers }, async () => {
      // The grant time, not the time this callback resumes: other callers' sleeps move the clock.
      const queuedAt = clock.now();
      times.push(queuedAt + (await limiter.acquire()));
    }),
  );
  return times;
}

describe('SlidingWindowLimiter', () => {
  it('never grants more than the quota in any sliding minute, with many concurrent callers', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(100, MINUTE, clock);
    const times = await grantTimes(limiter, clock, 1000);
    assert.equal(times.length, 1000);
    assert.equal(maxInAnyWindow(times), 100);
    // Not over-cautious either: 1000 grants at 100 a minute need 9 full minutes after the first burst.
    assert.equal(Math.max(...times), 9 * MINUTE);
  });

  it('keeps counting across bursts that arrive at odd times', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(7, MINUTE, clock);
    const times: number[] = [];
    for (let burst = 0; burst < 40; burst++) {
      clock.time += (burst * 7919) % 23_000;
      times.push(...(await grantTimes(limiter, clock, (burst % 5) + 1)));
    }
    assert.ok(maxInAnyWindow(times) <= 7, `saw ${maxInAnyWindow(times)} in one minute`);
  });

  it('reports how long a caller waited', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(2, MINUTE, clock);
    assert.equal(await limiter.acquire(), 0);
    clock.time += 1000;
    assert.equal(await limiter.acquire(), 0);
    assert.equal(await limiter.acquire(), MINUTE - 1000);
  });

  it('holds every caller back during a pause, even with no quota', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(0, MINUTE, clock);
    assert.equal(await limiter.acquire(), 0);
    limiter.pause(5000);
    const times = await grantTimes(limiter, clock, 3);
    assert.deepEqual(times, [5000, 5000, 5000]);
  });

  it('lets an aborted caller leave without consuming a slot or blocking the others', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(1, MINUTE, clock);
    await limiter.acquire();
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(limiter.acquire(controller.signal), /stop/);
    const startedAt = clock.now();
    await limiter.acquire();
    assert.equal(clock.now() - startedAt, MINUTE);
  });

  it('refuses a negative or fractional quota', () => {
    assert.throws(() => new SlidingWindowLimiter(-1), RangeError);
    assert.throws(() => new SlidingWindowLimiter(1.5), RangeError);
  });
});

describe('RateLimiters', () => {
  it('keeps one quota per API family and none for /security', async () => {
    const clock = new FakeClock();
    const limiters = new RateLimiters({ monitoring: 1, processing: 2, orchestration: 0 }, clock);
    assert.equal(await limiters.acquire('monitoring'), 0);
    assert.equal(await limiters.acquire('processing'), 0);
    assert.equal(await limiters.acquire('processing'), 0);
    for (let i = 0; i < 50; i++) assert.equal(await limiters.acquire('orchestration'), 0);
    assert.equal(await limiters.acquire(undefined), 0);
    assert.equal(await limiters.acquire('monitoring'), MINUTE);
  });

  it('maps request paths to their family', () => {
    assert.equal(rateLimitGroup('/monitoring/executions/x/logs'), 'monitoring');
    assert.equal(rateLimitGroup('/processing/executables/tasks/executions'), 'processing');
    assert.equal(rateLimitGroup('/orchestration/workspaces'), 'orchestration');
    assert.equal(rateLimitGroup('/security/oauth/token'), undefined);
    assert.equal(rateLimitGroup('/monitoringx'), undefined);
  });
});
