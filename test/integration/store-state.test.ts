import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@elastic/elasticsearch';
import { CheckpointConflictError, CheckpointStore } from '../../src/store/checkpoints.ts';
import { LeaseManager, currentOwner } from '../../src/store/leases.ts';
import { ensureStateIndex } from '../../src/store/state-index.ts';
import { removePrefix, testClient, uniquePrefix } from '../support/elasticsearch.ts';

describe('checkpoints and leases in Elasticsearch', () => {
  let client: Client;
  const prefix = uniquePrefix('state');

  before(async () => {
    client = await testClient();
    await ensureStateIndex(client, prefix);
    await ensureStateIndex(client, prefix);
  });
  after(async () => {
    await removePrefix(client, prefix);
    await client.close();
  });

  it('stores a checkpoint and reads it back, scoped apart from backfills', async () => {
    const store = new CheckpointStore(client, prefix, 'sync');
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
      (await new CheckpointStore(client, prefix, 'backfill:x').load('task-a')).checkpoint.watermark,
      undefined,
    );
    await client.indices.refresh({ index: `${prefix}-state` });
    assert.deepEqual(
      (await store.list()).map((checkpoint) => checkpoint.taskId),
      ['task-a'],
    );
  });

  it('refuses to overwrite a checkpoint another run changed since it was read', async () => {
    const store = new CheckpointStore(client, prefix, 'sync');
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

  it('gives a task lease to exactly one of two racing runs, and frees it on release', async () => {
    const first = new LeaseManager(client, prefix, { runId: 'run-1', host: 'host-a', pid: 1 }, 60_000);
    const second = new LeaseManager(client, prefix, { runId: 'run-2', host: 'host-b', pid: 2 }, 60_000);
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
    const dead = new LeaseManager(
      client,
      prefix,
      { ...currentOwner('dead-run'), pid: 2 ** 22 + 12345 },
      60_000,
    );
    const held = await dead.acquire('sync', 'task-d');
    assert.ok(held);
    const next = new LeaseManager(client, prefix, currentOwner('next-run'), 60_000);
    const taken = await next.acquire('sync', 'task-d');
    assert.ok(taken, 'a lease of a process that no longer exists on this host is free');
    await taken.release();

    const remote = new LeaseManager(
      client,
      prefix,
      { runId: 'remote', host: 'elsewhere', pid: 1 },
      1_000,
      undefined,
      () => clock,
    );
    assert.ok(await remote.acquire('sync', 'task-e'));
    const local = new LeaseManager(client, prefix, currentOwner('local'), 60_000, undefined, () => clock);
    assert.equal(await local.acquire('sync', 'task-e'), undefined);
    clock += 2_000;
    const afterExpiry = await local.acquire('sync', 'task-e');
    assert.ok(afterExpiry);
    await afterExpiry.release();
  });
});
