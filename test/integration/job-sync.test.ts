import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { generateTenant, type TenantSpec } from '../../src/simulator/index.ts';
import { assertIndexExact } from '../support/fault-harness.ts';
import { startProxy, type RunningProxy } from '../support/http-proxy.ts';
import {
  compareIds,
  executionIdsOf,
  startJobHarness,
  summaryOf,
  type JobHarness,
} from '../support/job-harness.ts';

const HOUR = 3_600_000;
const TASK = '11111111-1111-4111-8111-111111111111';
const WORKSPACE = '22222222-2222-4222-8222-222222222222';
const ENVIRONMENT = '33333333-3333-4333-8333-333333333333';

function uuid(n: number): string {
  return `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function oneTaskTenant(now: number): TenantSpec {
  return {
    seed: 7,
    environments: [{ id: ENVIRONMENT, name: 'Production' }],
    workspaces: [{ id: WORKSPACE, name: 'Finance', environmentId: ENVIRONMENT }],
    tasks: [
      {
        id: TASK,
        name: 'Orders_Daily_Load',
        workspaceId: WORKSPACE,
        executions: [
          {
            id: uuid(1),
            status: 'execution_successful',
            startTime: now - 5 * HOUR,
            finishTime: now - 4 * HOUR,
            entryCount: 3_000,
          },
          {
            id: uuid(2),
            status: 'execution_failed',
            startTime: now - 3 * HOUR,
            finishTime: now - 2 * HOUR,
            entryCount: 1_500,
          },
        ],
      },
    ],
  };
}

/** Every scenario runs under both readings of what the execution listing's `from`/`to` filter on. */
for (const listingFilter of ['trigger', 'overlap'] as const) {
  describe(`talend-logs sync, ${listingFilter}-time listing (child processes, simulator, Elasticsearch)`, () => {
    describe('incremental runs', () => {
      let harness: JobHarness;
      const now = Date.now();
      before(async () => {
        harness = await startJobHarness(`sync-incremental-${listingFilter}`, {
          variants: { listingFilter },
          tenant: oneTaskTenant(now),
          maxEntriesPerFile: 1_000,
        });
      });
      after(() => harness.close());

      it('indexes everything on the first run, then only what is new', async () => {
        const first = await harness.runCli(['sync']);
        assert.equal(first.code, 0, first.stderr);
        assert.equal(summaryOf(first).documents, 4_500);
        assert.deepEqual(compareIds(await harness.indexedIds(), harness.expectedIds([uuid(1), uuid(2)])), {
          missing: 0,
          unexpected: 0,
          duplicates: 0,
        });

        const idle = await harness.runCli(['sync']);
        assert.equal(idle.code, 0, idle.stderr);
        assert.equal(summaryOf(idle).documents, 0, 'a run with nothing new indexes nothing');

        // A run that starts after the first sync and has finished (and settled) by the next one.
        const started = Date.now();
        harness.simulator.addExecution(TASK, {
          id: uuid(3),
          status: 'execution_successful',
          startTime: started,
          finishTime: started + 3_000,
          entryCount: 2_200,
        });
        await delay(started + 3_000 + 1_500 - Date.now());
        const second = await harness.runCli(['sync']);
        assert.equal(second.code, 0, second.stderr);
        assert.equal(summaryOf(second).documents, 2_200, 'the second run indexes only the new execution');
        assert.deepEqual(
          compareIds(await harness.indexedIds(), harness.expectedIds([uuid(1), uuid(2), uuid(3)])),
          {
            missing: 0,
            unexpected: 0,
            duplicates: 0,
          },
        );
      });

      it('shows the checkpoint with `status`', async () => {
        const status = await harness.runCli(['status', '--json']);
        assert.equal(status.code, 0, status.stderr);
        const line = JSON.parse(status.stdout.trim().split('\n')[0]!) as {
          taskId: string;
          watermark: string;
        };
        assert.equal(line.taskId, TASK);
        assert.ok(Date.parse(line.watermark) > Date.now() - 60_000);
      });
    });

    describe('a running execution', () => {
      let harness: JobHarness;
      const now = Date.now();
      const running = uuid(10);
      before(async () => {
        const tenant = oneTaskTenant(now);
        tenant.tasks[0]!.executions.push({
          id: running,
          status: 'executing',
          startTime: now - 2 * 60_000,
          entryCount: 0,
          entriesPerSecond: 50,
        });
        harness = await startJobHarness(`sync-running-${listingFilter}`, {
          variants: { listingFilter },
          tenant,
          maxEntriesPerFile: 2_000,
        });
      });
      after(() => harness.close());

      it('is indexed up to the settled horizon, then completed by a later run with no gap and no duplicate', async () => {
        const first = await harness.runCli(['sync']);
        assert.equal(first.code, 0, first.stderr);
        const partial = compareIds(
          await harness.indexedIds(),
          harness.expectedIds([uuid(1), uuid(2), running]),
        );
        assert.equal(partial.unexpected, 0);
        assert.equal(partial.duplicates, 0);
        assert.ok(partial.missing > 0, 'the entries logged after the horizon wait for the next run');

        await delay(1_500);
        const middle = await harness.runCli(['sync']);
        assert.equal(middle.code, 0, middle.stderr);

        harness.simulator.finishExecution(running, Date.now(), 'execution_successful');
        await delay(1_500);
        const last = await harness.runCli(['sync']);
        assert.equal(last.code, 0, last.stderr);
        assert.deepEqual(
          compareIds(await harness.indexedIds(), harness.expectedIds([uuid(1), uuid(2), running])),
          {
            missing: 0,
            unexpected: 0,
            duplicates: 0,
          },
        );
      });
    });

    describe('backfill', () => {
      let harness: JobHarness;
      let tenant: TenantSpec;
      before(async () => {
        tenant = generateTenant({
          seed: 90,
          tasks: 3,
          executionsPerTask: 6,
          entriesPerExecution: [200, 1_500],
          spreadDays: 90,
        });
        harness = await startJobHarness(`backfill-${listingFilter}`, {
          variants: { listingFilter },
          tenant,
          maxEntriesPerFile: 500,
        });
      });
      after(() => harness.close());

      it('walks 90 days of several tasks exactly, and leaves the live checkpoint alone', async () => {
        const live = await harness.runCli(['sync']);
        assert.equal(live.code, 0, live.stderr);
        const checkpointIds = (
          await harness.client.search({
            index: `${harness.prefix}-state`,
            size: 100,
            query: { term: { scope: 'sync' } },
          })
        ).hits.hits;
        const before = new Map(checkpointIds.map((hit) => [hit._id!, JSON.stringify(hit._source)]));

        const backfill = await harness.runCli(['backfill', '--from', 'now-91d', '--concurrency', '3']);
        assert.equal(backfill.code, 0, backfill.stderr);
        const allExecutions = executionIdsOf(tenant);
        assert.deepEqual(compareIds(await harness.indexedIds(), harness.expectedIds(allExecutions)), {
          missing: 0,
          unexpected: 0,
          duplicates: 0,
        });

        for (const [id, source] of before) {
          const now = await harness.client.get({ index: `${harness.prefix}-state`, id });
          assert.equal(JSON.stringify(now._source), source, `live checkpoint ${id} changed`);
        }
        const again = await harness.runCli(['backfill', '--from', 'now-91d']);
        assert.equal(summaryOf(again).documents, 0, 'a finished backfill resumes to nothing');
      });
    });

    describe('two runs started together', () => {
      let harness: JobHarness;
      let tenant: TenantSpec;
      before(async () => {
        tenant = generateTenant({
          seed: 2,
          tasks: 6,
          executionsPerTask: 3,
          entriesPerExecution: [500, 3_000],
          spreadDays: 0.5,
        });
        harness = await startJobHarness(`sync-race-${listingFilter}`, {
          variants: { listingFilter },
          tenant,
          maxEntriesPerFile: 1_000,
        });
      });
      after(() => harness.close());

      it('split the tasks between them: no duplicate work, no duplicate documents', async () => {
        const [a, b] = await Promise.all([harness.runCli(['sync']), harness.runCli(['sync'])]);
        assert.equal(a.code, 0, a.stderr);
        assert.equal(b.code, 0, b.stderr);
        const all = executionIdsOf(tenant);
        const expected = harness.expectedIds(all);
        assert.equal(
          summaryOf(a).documents + summaryOf(b).documents,
          expected.size,
          'each line indexed by exactly one run',
        );
        assert.deepEqual(compareIds(await harness.indexedIds(), expected), {
          missing: 0,
          unexpected: 0,
          duplicates: 0,
        });
      });
    });
    describe('many executions of one task under way at once', () => {
      let harness: JobHarness;
      let tenant: TenantSpec;
      before(async () => {
        tenant = generateTenant({
          seed: 6,
          tasks: 1,
          executionsPerTask: 16,
          entriesPerExecution: 300,
          spreadDays: 0.5,
        });
        harness = await startJobHarness(`sync-many-${listingFilter}`, {
          variants: { listingFilter },
          tenant,
          maxEntriesPerFile: 1_000,
        });
      });
      after(() => harness.close());

      it('indexes them all, and node warns of no listener leak', async () => {
        const result = await harness.runCli(['sync']);
        assert.equal(result.code, 0, result.stderr);
        assert.doesNotMatch(result.stderr, /Warning/);
        await assertIndexExact(harness, executionIdsOf(tenant));
      });
    });

    describe('waiting for Talend', () => {
      let harness: JobHarness;
      let tenant: TenantSpec;
      before(async () => {
        tenant = generateTenant({
          seed: 5,
          tasks: 1,
          executionsPerTask: 4,
          entriesPerExecution: 800,
          spreadDays: 0.5,
        });
        harness = await startJobHarness(`sync-prepare-${listingFilter}`, {
          variants: { listingFilter },
          tenant,
          maxEntriesPerFile: 1_000,
        });
      });
      after(() => harness.close());

      it('has Talend prepare other executions while one transfers, even at --concurrency 1', async () => {
        harness.simulator.setFaults([{ kind: 'download', fault: 'slow', delayMs: 3_000, times: 1 }]);
        const child = harness.spawnCli(['sync', '--concurrency', '1']);
        while (harness.simulator.stats().download === 0) await delay(20);
        await delay(500);
        const during = harness.simulator.stats();
        assert.equal(during.download, 1, 'the first download is still held');
        assert.ok(during.generateLog >= 3, `files generated meanwhile: ${during.generateLog}`);

        const result = await child.result;
        assert.equal(result.code, 0, result.stderr);
        await assertIndexExact(harness, executionIdsOf(tenant));
      });
    });
  });
}

describe('talend-logs sync, one execution of several chunks', () => {
  let harness: JobHarness;
  let proxy: RunningProxy;
  let downloadsWhileHeld: number | undefined;
  const tenant = oneTaskTenant(Date.now());
  tenant.tasks[0]!.executions = tenant.tasks[0]!.executions.slice(0, 1);

  before(async () => {
    harness = await startJobHarness('sync-chunk-overlap', { tenant, maxEntriesPerFile: 1_000 });
    // Holds the first request of log lines until Talend serves the next chunk's file (or 10 s
    // pass): a walk that waits for a chunk's acknowledgements before the next download never gets it.
    proxy = await startProxy({
      target: harness.env.ES_URL!,
      handler: async (exchange) => {
        if (
          downloadsWhileHeld === undefined &&
          /_bulk/.test(exchange.url) &&
          exchange.body.includes('-logs-')
        ) {
          const deadline = Date.now() + 10_000;
          while (harness.simulator.stats().download < 2 && Date.now() < deadline) await delay(20);
          downloadsWhileHeld = harness.simulator.stats().download;
        }
        return exchange.forward();
      },
    });
  });
  after(async () => {
    await proxy.close();
    await harness.close();
  });

  it('downloads the next chunk while Elasticsearch acknowledges the one before', async () => {
    const result = await harness.runCli(['sync'], { ES_URL: proxy.url });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(downloadsWhileHeld, 2, 'the second chunk was downloaded while the first was unanswered');
    await assertIndexExact(harness, executionIdsOf(tenant));
  });
});
