import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import type { RetryPolicy } from '../../src/common/retry.ts';
import { indexNames } from '../../src/config/index-names.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { CheckpointConflictError, CheckpointStore } from '../../src/store/checkpoints.ts';
import { ElasticsearchStore } from '../../src/store/elasticsearch-store.ts';
import { LeaseManager, currentOwner } from '../../src/store/leases.ts';
import { ensureStateIndex } from '../../src/store/state-index.ts';
import {
  elasticsearchUrl,
  removePrefix,
  testClient,
  testStore,
  uniquePrefix,
} from '../support/elasticsearch.ts';
import { startElasticsearchProxy, type ElasticsearchProxy } from '../support/elasticsearch-proxy.ts';

describe('checkpoints and leases in Elasticsearch', () => {
  let client: Client;
  let es: ElasticsearchStore;
  const prefix = uniquePrefix('state');

  before(async () => {
    client = await testClient();
    es = await testStore(prefix);
    await ensureStateIndex(es);
    await ensureStateIndex(es);
  });
  after(async () => {
    await removePrefix(client, prefix);
    await es.close();
    await client.close();
  });

  it('stores a checkpoint and reads it back, scoped apart from backfills', async () => {
    const store = new CheckpointStore(es, 'sync');
    const handle = await store.load('task-a');
    assert.equal(handle.checkpoint.watermark, undefined);
    await Promise.all([
      handle.update((state) => {
        state.executions.e1 = { indexedUpTo: '2026-11-22T10:00:00.000Z' };
      }),
      handle.update((state) => {
        state.executions.e2 = { done: true, finishedAt: '2026-11-22T09:00:00.000Z' };
      }),
    ]);
    await handle.update((state) => {
      state.watermark = '2026-11-22T09:30:00.000Z';
    });
    const reloaded = (await store.load('task-a')).checkpoint;
    assert.equal(reloaded.watermark, '2026-11-22T09:30:00.000Z');
    assert.deepEqual(Object.keys(reloaded.executions).sort(), ['e1', 'e2']);
    assert.equal(
      (await new CheckpointStore(es, 'backfill:x').load('task-a')).checkpoint.watermark,
      undefined,
    );
    await client.indices.refresh({ index: `${prefix}-state` });
    assert.deepEqual(
      (await store.list()).map((checkpoint) => checkpoint.taskId),
      ['task-a'],
    );
  });

  it('refuses to overwrite a checkpoint another run changed since it was read', async () => {
    const store = new CheckpointStore(es, 'sync');
    const mine = await store.load('task-b');
    const theirs = await store.load('task-b');
    await theirs.update((state) => {
      state.watermark = '2026-11-22T10:00:00.000Z';
    });
    await assert.rejects(
      mine.update((state) => {
        state.watermark = '2026-11-22T11:00:00.000Z';
      }),
      CheckpointConflictError,
    );
    assert.equal((await store.load('task-b')).checkpoint.watermark, '2026-11-22T10:00:00.000Z');
  });

  it('writes the updates that arrive during a write together in the next one, in order', async () => {
    const store = new CheckpointStore(es, 'sync');
    const handle = await store.load('task-f');
    const seqNo = async () =>
      (await client.get({ index: `${prefix}-state`, id: store.documentId('task-f') }))._seq_no!;
    await handle.update((state) => {
      state.watermark = '2026-11-22T08:00:00.000Z';
    });
    const before = await seqNo();
    const updates = Array.from({ length: 30 }, (_, i) =>
      handle.update((state) => {
        state.executions[`e${i}`] = { indexedUpTo: `2026-11-22T08:${String(i).padStart(2, '0')}:00.000Z` };
        // Applied in the order asked: each update sees the ones before it.
        assert.equal(Object.keys(state.executions).length, i + 1);
      }),
    );
    await Promise.all(updates);
    const writes = (await seqNo()) - before;
    assert.ok(writes >= 1 && writes <= 2, `30 updates asked at once took ${writes} writes`);
    const stored = (await store.load('task-f')).checkpoint;
    assert.equal(Object.keys(stored.executions).length, 30);
    assert.equal(stored.watermark, '2026-11-22T08:00:00.000Z');
  });

  it('fails the updates of a batch whose change throws, and stores the ones after it', async () => {
    const store = new CheckpointStore(es, 'sync');
    const handle = await store.load('task-g');
    const first = handle.update((state) => {
      state.watermark = '2026-11-22T08:00:00.000Z';
    });
    const failing = handle.update(() => {
      throw new Error('a bug in a change');
    });
    const sameBatch = handle.update((state) => {
      state.executions.lost = { done: true };
    });
    await first;
    await assert.rejects(failing, /a bug in a change/);
    await assert.rejects(sameBatch, /a bug in a change/);
    await handle.update((state) => {
      state.executions.kept = { done: true };
    });
    const stored = (await store.load('task-g')).checkpoint;
    assert.deepEqual(Object.keys(stored.executions), ['kept']);
    assert.equal(stored.watermark, '2026-11-22T08:00:00.000Z');
  });

  it('gives a task lease to exactly one of two racing runs, and frees it on release', async () => {
    const first = new LeaseManager(es, { runId: 'run-1', host: 'host-a', pid: 1 }, 60_000);
    const second = new LeaseManager(es, { runId: 'run-2', host: 'host-b', pid: 2 }, 60_000);
    const [a, b] = await Promise.all([first.acquire('sync', 'task-c'), second.acquire('sync', 'task-c')]);
    assert.equal([a, b].filter(Boolean).length, 1);
    const winner = (a ?? b)!;
    assert.equal(await (a ? second : first).acquire('sync', 'task-c'), undefined);
    await winner.release();
    const again = await (a ? second : first).acquire('sync', 'task-c');
    assert.ok(again);
    await again.release();
  });

  it('takes over a lease that expired or whose holder on this host is gone', async () => {
    let clock = Date.now();
    const dead = new LeaseManager(es, { ...currentOwner('dead-run'), pid: 2 ** 22 + 12345 }, 60_000);
    const held = await dead.acquire('sync', 'task-d');
    assert.ok(held);
    const next = new LeaseManager(es, currentOwner('next-run'), 60_000);
    const taken = await next.acquire('sync', 'task-d');
    assert.ok(taken, 'a lease of a process that no longer exists on this host is free');
    await taken.release();

    const remote = new LeaseManager(es, { runId: 'remote', host: 'elsewhere', pid: 1 }, 1_000, () => clock);
    const remoteLease = await remote.acquire('sync', 'task-e');
    assert.ok(remoteLease);
    const local = new LeaseManager(es, currentOwner('local'), 60_000, () => clock);
    assert.equal(await local.acquire('sync', 'task-e'), undefined);
    clock += 2_000;
    const afterExpiry = await local.acquire('sync', 'task-e');
    assert.ok(afterExpiry);
    await afterExpiry.release();
    // The superseded leases stop renewing: a renewal after the client closed would retry for minutes.
    await held.release();
    await remoteLease.release();
  });
});

describe('state writes whose answer is lost', () => {
  let client: Client;
  let proxy: ElasticsearchProxy;
  const prefix = uniquePrefix('state-lost');
  const owner = { runId: 'run-lost', host: 'host-a', pid: 1 };
  /** A write of a state document (index API, create or conditional): not its reads. */
  const stateWrite = ({ method, url }: { method: string; url: string }) =>
    method === 'PUT' && url.startsWith(`/${prefix}-state/_doc/`);

  before(async () => {
    client = await testClient();
    const es = await testStore(prefix);
    await ensureStateIndex(es);
    await es.close();
    proxy = await startElasticsearchProxy({ target: await elasticsearchUrl() });
  });
  /** Loses the answer of the next state write; returns how many answers were lost since. */
  const dropNextWriteAnswer = () => {
    const before = proxy.counters.answersDropped;
    proxy.dropAnswers(stateWrite);
    return () => proxy.counters.answersDropped - before;
  };
  after(async () => {
    await proxy.close();
    await removePrefix(client, prefix);
    await client.close();
  });

  const fastRetry = (policy: Partial<RetryPolicy> = {}): RetryPolicy => ({
    maxAttempts: 5,
    baseMs: 10,
    maxMs: 50,
    budgetMs: 5_000,
    ...policy,
  });
  /** The connector's own store, through the proxy: one attempt per call, the store retrying. */
  const connectorStore = (policy: Partial<RetryPolicy> = {}) =>
    testStore(prefix, { node: proxy.url, service: { retry: fastRetry(policy) } });

  /** Whether a lease is taken through `through` while its write's answer is lost; closes the store. */
  async function leaseTakenLosingAnswer(through: ElasticsearchStore, taskId: string): Promise<boolean> {
    try {
      const dropped = dropNextWriteAnswer();
      const lease = await new LeaseManager(through, owner, 60_000).acquire('sync', taskId);
      assert.equal(dropped(), 1);
      await lease?.release();
      return lease !== undefined;
    } finally {
      await through.close();
    }
  }

  it('takes a lease whose first write went through unanswered', async () => {
    assert.ok(
      await leaseTakenLosingAnswer(await connectorStore(), 'task-a'),
      'the lease written by the lost attempt is recognised as ours',
    );
  });

  it('commits a checkpoint whose first write went through unanswered', async () => {
    const connector = await connectorStore();
    try {
      const store = new CheckpointStore(connector, 'sync');
      const handle = await store.load('task-b');
      const dropped = dropNextWriteAnswer();
      await handle.update((state) => {
        state.watermark = '2026-11-22T10:00:00.000Z';
      });
      assert.equal(dropped(), 1);
      assert.equal((await store.load('task-b')).checkpoint.watermark, '2026-11-22T10:00:00.000Z');
    } finally {
      await connector.close();
    }
  });

  it('keeps a lease whose renewals ride out an outage longer than their interval', async () => {
    const connector = await connectorStore({ maxAttempts: 100, maxMs: 200 });
    try {
      // A TTL of 3 s renews every second: an outage of 2.5 s spans two renewal ticks.
      const lease = await new LeaseManager(connector, owner, 3_000).acquire('sync', 'task-d');
      assert.ok(lease);
      await delay(500);
      proxy.refuseConnections(true);
      await delay(2_500);
      proxy.refuseConnections(false);
      await delay(1_500);
      assert.equal(lease.lost.aborted, false, String(lease.lost.reason));
      await lease.release();
    } finally {
      await connector.close();
    }
  });

  it('recognises its own write on the first attempt, when a client that retries by itself sent it again', async () => {
    // The Elasticsearch client's defaults: three retries of its own, hidden from the store.
    const retrying = new Client({ node: proxy.url });
    assert.ok(
      await leaseTakenLosingAnswer(
        new ElasticsearchStore(
          retrying,
          indexNames(prefix),
          { retry: fastRetry(), itemRetries: 0 },
          silentLogger,
        ),
        'task-c',
      ),
      'the conflict with the resent write is not taken for another run',
    );
  });
});
