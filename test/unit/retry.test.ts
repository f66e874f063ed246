import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { errors } from '@elastic/elasticsearch';
import { parseRetryAfter } from '../../src/common/backoff.ts';
import { retry, type RetryEvent, type RetryPolicy } from '../../src/common/retry.ts';
import { isTransient, serverDelayOf } from '../../src/common/transient.ts';
import { TalendApiError, TalendNetworkError } from '../../src/talend/errors.ts';

function withCode(code: string, message = 'boom'): Error {
  return Object.assign(new Error(message), { code });
}

/** An Elasticsearch client error as its transport makes them from an HTTP answer. */
function elasticsearchAnswer(statusCode: number, headers: Record<string, string> = {}) {
  return new errors.ResponseError({
    body: { error: { type: 'x' }, status: statusCode },
    statusCode,
    headers,
    warnings: null,
    meta: {} as never,
  });
}

/** Fails `failures` times with `error` (a function of the attempt), then answers the attempt. */
function failing(failures: number, error: (attempt: number) => unknown = () => withCode('ECONNRESET')) {
  const calls: number[] = [];
  const fn = (attempt: number) => {
    calls.push(performance.now());
    return attempt <= failures ? Promise.reject(error(attempt)) : Promise.resolve(attempt);
  };
  return { fn, calls };
}

const FAST: RetryPolicy = { maxAttempts: 10, baseMs: 4, maxMs: 16, budgetMs: 10_000 };

describe('retry', () => {
  it('waits a full-jitter delay: random in [0, min(max, base * 2^(attempt - 1)))', async () => {
    const delays: RetryEvent[] = [];
    for (let round = 0; round < 30; round++) {
      const { fn } = failing(6);
      assert.equal(await retry(fn, FAST, undefined, (event) => delays.push(event)), 7);
    }
    assert.equal(delays.length, 30 * 6);
    for (const { attempt, delayMs } of delays) {
      const ceiling = Math.min(FAST.maxMs, FAST.baseMs * 2 ** (attempt - 1));
      assert.ok(delayMs >= 0 && delayMs <= ceiling, `attempt ${attempt} waited ${delayMs} ms`);
    }
    const capped = delays.filter((event) => event.attempt >= 3).map((event) => event.delayMs);
    assert.ok(new Set(capped).size > 5, `the waits are spread, not fixed: ${capped.join(',')}`);
  });

  it('stops after maxAttempts, throwing the last error', async () => {
    const { fn, calls } = failing(100, (attempt) => withCode('ECONNRESET', `attempt ${attempt}`));
    await assert.rejects(retry(fn, { ...FAST, maxAttempts: 4 }), /attempt 4/);
    assert.equal(calls.length, 4);
  });

  it('rides out failures up to the budget, the last attempt at its end, and no further', async () => {
    const policy: RetryPolicy = { maxAttempts: 1000, baseMs: 40, maxMs: 80, budgetMs: 400 };
    const { fn, calls } = failing(1000);
    const started = performance.now();
    await assert.rejects(retry(fn, policy), { code: 'ECONNRESET' });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 400 && elapsed < 550, `gave up after ${elapsed} ms`);
    assert.ok(calls.at(-1)! - started >= 390, 'the last attempt came at the end of the budget');
    assert.ok(calls.length >= 6, `${calls.length} attempts`);
  });

  it('does not start over with an error a retry inside it gave up on', async () => {
    const inner = failing(100);
    const outer: number[] = [];
    const nested = (attempt: number) => {
      outer.push(attempt);
      return retry(inner.fn, { ...FAST, maxAttempts: 3 });
    };
    await assert.rejects(retry(nested, FAST), { code: 'ECONNRESET' });
    assert.deepEqual(outer, [1]);
    assert.equal(inner.calls.length, 3);
  });

  it('does not retry what is not transient', async () => {
    const { fn, calls } = failing(5, () => new TypeError('x is not a function'));
    await assert.rejects(retry(fn, FAST), TypeError);
    assert.equal(calls.length, 1);
  });

  it('honours a Retry-After the error carries, and gives up when it is longer than the budget left', async () => {
    const throttled = (retryAfterMs: number) =>
      new TalendApiError('slow down', { operation: 'listTasks', status: 429, retryAfterMs });
    const events: RetryEvent[] = [];
    const { fn, calls } = failing(1, () => throttled(150));
    assert.equal(await retry(fn, FAST, undefined, (event) => events.push(event)), 2);
    assert.equal(events[0]!.delayMs, 150);
    assert.equal(events[0]!.retryAfterMs, 150);
    assert.ok(calls[1]! - calls[0]! >= 145, 'waited what the server asked');

    const far = failing(1, () => throttled(60_000));
    await assert.rejects(retry(far.fn, FAST), /slow down/);
    assert.equal(far.calls.length, 1, 'a wait past the budget is not started');
  });

  it('ends a wait when the signal aborts, with its reason', async () => {
    const controller = new AbortController();
    const { fn, calls } = failing(100);
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('stop now')), 50);
    await assert.rejects(
      retry(fn, { ...FAST, baseMs: 60_000, maxMs: 60_000, budgetMs: 600_000 }, controller.signal),
      /stop now/,
    );
    assert.ok(performance.now() - started < 1000);
    assert.ok(calls.length <= 2);
  });

  it('makes no attempt after an abort, even if the failure was transient', async () => {
    const controller = new AbortController();
    const fn = (attempt: number) => {
      controller.abort(new Error('aborted during the attempt'));
      return Promise.reject(withCode('ECONNRESET', `attempt ${attempt}`));
    };
    await assert.rejects(retry(fn, FAST, controller.signal), /attempt 1/);
  });
});

describe('isTransient', () => {
  it('is true for dropped, refused and timed-out connections, also when wrapped', () => {
    for (const code of [
      'ECONNRESET',
      'ECONNREFUSED',
      'UND_ERR_HEADERS_TIMEOUT',
      'UND_ERR_SOCKET',
      'Z_BUF_ERROR',
    ])
      assert.ok(isTransient(withCode(code)), code);
    assert.ok(isTransient(new Error('socket hang up')));
    assert.ok(isTransient(new TypeError('fetch failed', { cause: withCode('ECONNRESET') })));
    assert.ok(isTransient(new TalendNetworkError('no answer', { operation: 'x' }, withCode('ECONNREFUSED'))));
  });

  it("is true for the Elasticsearch client's connection, timeout and no-living-node errors", () => {
    assert.ok(isTransient(new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200')));
    assert.ok(isTransient(new errors.TimeoutError('Request timed out')));
    assert.ok(isTransient(new errors.NoLivingConnectionsError('none', {} as never)));
  });

  it('is true for 429 and 5xx answers, from Talend or Elasticsearch, and false for other statuses', () => {
    for (const status of [429, 500, 502, 503, 504]) {
      assert.ok(isTransient(new TalendApiError('x', { operation: 'x', status })), `Talend ${status}`);
      assert.ok(isTransient(elasticsearchAnswer(status)), `Elasticsearch ${status}`);
    }
    for (const status of [400, 401, 403, 404, 409]) {
      assert.ok(!isTransient(new TalendApiError('x', { operation: 'x', status })), `Talend ${status}`);
      assert.ok(!isTransient(elasticsearchAnswer(status)), `Elasticsearch ${status}`);
    }
  });

  it('is true for our errors marked retryable', () => {
    assert.ok(isTransient(new TalendApiError('cut', { operation: 'x', status: 200, retryable: true })));
  });

  it('is false for certificate failures, programming errors and non-errors', () => {
    assert.ok(!isTransient(withCode('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate')));
    assert.ok(!isTransient(new errors.ConnectionError('self-signed certificate in certificate chain')));
    assert.ok(!isTransient(new TypeError('x is not a function')));
    assert.ok(!isTransient('ECONNRESET'));
    assert.ok(!isTransient(undefined));
  });
});

describe('serverDelayOf', () => {
  it("reads our errors' retryAfterMs and an Elasticsearch answer's Retry-After header", () => {
    assert.equal(
      serverDelayOf(new TalendApiError('x', { operation: 'x', status: 429, retryAfterMs: 2000 })),
      2000,
    );
    assert.equal(serverDelayOf(elasticsearchAnswer(429, { 'retry-after': '3' })), 3000);
    assert.equal(serverDelayOf(elasticsearchAnswer(429)), undefined);
    assert.equal(serverDelayOf(withCode('ECONNRESET')), undefined);
  });
});

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
