import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRetryAfter } from '../../src/common/backoff.ts';
import { RetryBudget, isRetryableNetworkError } from '../../src/talend/retry-budget.ts';

describe('Retry-After parsing', () => {
  const now = Date.UTC(2024, 0, 1, 12, 0, 0);

  it('reads delta-seconds', () => {
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('1.5', now), 1500);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    assert.equal(parseRetryAfter('Mon, 01 Jan 2024 12:00:10 GMT', now), 10_000);
    assert.equal(parseRetryAfter('Mon, 01 Jan 2024 11:00:00 GMT', now), 0);
  });

  it('ignores absent or unreadable values', () => {
    for (const value of [undefined, null, '', 'soon']) assert.equal(parseRetryAfter(value, now), undefined);
  });
});

describe('RetryBudget', () => {
  const settings = { maxAttempts: 4, baseMs: 100, maxMs: 1000, maxElapsedMs: 60_000 };

  it('allows maxAttempts attempts in all, with full-jitter waits that grow', () => {
    const budget = new RetryBudget(
      settings,
      () => 0,
      () => 0.999,
    );
    const delays: (number | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      budget.begin();
      delays.push(budget.nextDelay());
    }
    assert.deepEqual(delays, [99, 199, 399, undefined]);
    assert.equal(budget.attempts, 4);
  });

  it('honours a Retry-After but caps it at maxMs', () => {
    const budget = new RetryBudget(
      settings,
      () => 0,
      () => 0.5,
    );
    budget.begin();
    assert.equal(budget.nextDelay(300), 300);
    assert.equal(budget.nextDelay(120_000), 1000);
  });

  it('stops when the next wait would pass maxElapsedMs', () => {
    let time = 0;
    const budget = new RetryBudget(
      { ...settings, maxElapsedMs: 5000 },
      () => time,
      () => 0.5,
    );
    budget.begin();
    assert.equal(budget.nextDelay(900), 900);
    time = 4500;
    assert.equal(budget.nextDelay(900), undefined);
  });
});

describe('isRetryableNetworkError', () => {
  function withCode(code: string, message = 'boom'): Error {
    return Object.assign(new Error(message), { code });
  }

  it('retries resets, refusals, hang-ups and timeouts, also when wrapped', () => {
    assert.ok(isRetryableNetworkError(withCode('ECONNRESET')));
    assert.ok(isRetryableNetworkError(withCode('ECONNREFUSED')));
    assert.ok(isRetryableNetworkError(withCode('UND_ERR_HEADERS_TIMEOUT')));
    assert.ok(isRetryableNetworkError(new Error('socket hang up')));
    assert.ok(isRetryableNetworkError(new TypeError('fetch failed', { cause: withCode('ECONNRESET') })));
  });

  it('does not retry programming or TLS errors', () => {
    assert.ok(!isRetryableNetworkError(new TypeError('x is not a function')));
    assert.ok(!isRetryableNetworkError(withCode('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate')));
    assert.ok(!isRetryableNetworkError('ECONNRESET'));
  });
});
