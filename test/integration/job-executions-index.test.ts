/**
 * `<prefix>-executions` after real `talend-logs sync` runs while runs start, log, finish and settle:
 * one document per execution, with Talend's final state and line counts equal to what the log
 * index holds, rejected runs and runs that logged nothing included.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { ExecutionDocument } from '../../src/documents/shapes.ts';
import type { ExecutionSpec, TenantSpec } from '../../src/simulator/index.ts';
import { assertIndexExact } from '../support/fault-harness.ts';
import { startProxy, type RunningProxy } from '../support/http-proxy.ts';
import { startJobHarness, type JobHarness } from '../support/job-harness.ts';

const MINUTE = 60_000;
const TASK = '77777777-7777-4777-8777-777777777777';
const WORKSPACE = '88888888-8888-4888-8888-888888888888';
const ENVIRONMENT = '99999999-9999-4999-8999-999999999999';

function uuid(n: number): string {
  return `cccccccc-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

const SUCCEEDED = uuid(1);
const FAILED = uuid(2);
const REJECTED = uuid(3);
const EMPTY = uuid(4);
const RUNNING = uuid(5);
const LATE = uuid(6);

function tenant(now: number): TenantSpec {
  const executions: ExecutionSpec[] = [
    {
      id: SUCCEEDED,
      status: 'execution_successful',
      startTime: now - 50 * MINUTE,
      finishTime: now - 40 * MINUTE,
      entryCount: 1_200,
      errorRate: 0.05,
    },
    {
      id: FAILED,
      status: 'execution_failed',
      startTime: now - 35 * MINUTE,
      finishTime: now - 34 * MINUTE,
      entryCount: 300,
      errorRate: 0.2,
      errorMessage: 'tDBOutput_1: connection refused',
    },
    {
      id: REJECTED,
      status: 'execution_rejected',
      startTime: now - 30 * MINUTE,
      finishTime: now - 30 * MINUTE,
      entryCount: 0,
    },
    {
      id: EMPTY,
      status: 'execution_successful',
      startTime: now - 20 * MINUTE,
      finishTime: now - 19 * MINUTE,
      entryCount: 0,
    },
    { id: RUNNING, status: 'executing', startTime: now - 2 * MINUTE, entryCount: 0, entriesPerSecond: 20 },
  ];
  return {
    seed: 5,
    environments: [{ id: ENVIRONMENT, name: 'Production' }],
    workspaces: [{ id: WORKSPACE, name: 'Sales', environmentId: ENVIRONMENT }],
    tasks: [{ id: TASK, name: 'Leads_Import', workspaceId: WORKSPACE, executions }],
  };
}

interface Counted {
  total: number;
  byLevel: Record<string, number>;
}

describe('the executions index (real CLI, simulator, Elasticsearch)', () => {
  let harness: JobHarness;
  const now = Date.now();
  const env = { SYNC_SETTLE_DELAY: '2s', SYNC_LISTING_OVERLAP: '0s' };

  before(async () => {
    harness = await startJobHarness('executions-index', { tenant: tenant(now), maxEntriesPerFile: 500 });
  });
  after(() => harness.close());

  async function documents(): Promise<Map<string, ExecutionDocument>> {
    await harness.client.indices.refresh({ index: `${harness.prefix}-executions` });
    const response = await harness.client.search<ExecutionDocument>({
      index: `${harness.prefix}-executions`,
      size: 100,
    });
    return new Map(response.hits.hits.map((hit) => [hit._id!, hit._source!]));
  }

  /** What the log index holds per execution, counted here independently of the connector. */
  async function logCounts(): Promise<Map<string, Counted>> {
    await harness.client.indices.refresh({ index: `${harness.prefix}-logs-*` });
    const response = await harness.client.search({
      index: `${harness.prefix}-logs-*`,
      size: 0,
      aggs: {
        runs: {
          terms: { field: 'talend.execution.id', size: 100 },
          aggs: { levels: { terms: { field: 'log.level', size: 20 } } },
        },
      },
    });
    const runs = (
      response.aggregations!.runs as {
        buckets: {
          key: string;
          doc_count: number;
          levels: { buckets: { key: string; doc_count: number }[] };
        }[];
      }
    ).buckets;
    return new Map(
      runs.map((run) => [
        run.key,
        {
          total: run.doc_count,
          byLevel: Object.fromEntries(run.levels.buckets.map((level) => [level.key, level.doc_count])),
        },
      ]),
    );
  }

  it('shows a running run as it runs, then every run with its final state and exact counts', async () => {
    const first = await harness.runCli(['sync'], env);
    assert.equal(first.code, 0, first.stderr);
    let docs = await documents();
    assert.deepEqual([...docs.keys()].sort(), [SUCCEEDED, FAILED, REJECTED, EMPTY, RUNNING].sort());
    const running = docs.get(RUNNING)!;
    assert.equal(running.event?.outcome, 'unknown');
    assert.deepEqual(running.event?.type, ['start']);
    assert.equal(running.event?.end, undefined);
    assert.equal(running.talend.sync?.state, 'indexing');
    assert.ok((running.talend.lines?.total ?? 0) > 0, 'the lines indexed so far are counted');
    assert.equal(running.talend.lines?.total, (await logCounts()).get(RUNNING)?.total);
    assert.equal(running.talend.execution.processed_rows, undefined, 'no detail is asked for a running run');

    // The running run ends; a new run starts and ends between two syncs.
    const finished = Date.now();
    harness.simulator.finishExecution(RUNNING, finished, 'execution_successful');
    harness.simulator.addExecution(TASK, {
      id: LATE,
      status: 'terminated',
      startTime: finished - 1_000,
      finishTime: finished,
      entryCount: 250,
    });
    await delay(finished + 2_500 - Date.now());
    const detailsBefore = harness.simulator.stats().getExecution;
    const second = await harness.runCli(['sync'], env);
    assert.equal(second.code, 0, second.stderr);
    const all = [SUCCEEDED, FAILED, REJECTED, EMPTY, RUNNING, LATE];
    await assertIndexExact(harness, all);
    // One detail per run that ended since: the running run's, fetched by id as it is no longer listed
    // (and that serves as its detail), and the new run's, asked for once when it is done.
    assert.equal(harness.simulator.stats().getExecution - detailsBefore, 2);

    docs = await documents();
    assert.deepEqual([...docs.keys()].sort(), [...all].sort(), 'one document per execution');
    const counts = await logCounts();
    for (const executionId of all) {
      const doc = docs.get(executionId)!;
      const spec = harness.simulator.tenant.tasks[0]!.executions.find((e) => e.id === executionId)!;
      const counted = counts.get(executionId) ?? { total: 0, byLevel: {} };
      assert.equal(doc.talend.lines?.total, counted.total, executionId);
      assert.deepEqual(doc.talend.lines?.by_level, counted.byLevel, executionId);
      assert.equal(
        doc.talend.lines?.errors,
        (counted.byLevel.error ?? 0) + (counted.byLevel.fatal ?? 0),
        executionId,
      );
      assert.equal(doc.talend.lines?.dead_letters, 0);
      assert.equal(doc.talend.sync?.state, 'done', executionId);
      assert.equal(doc.talend.task.name, 'Leads_Import');
      assert.equal(doc.talend.workspace?.name, 'Sales');
      assert.equal(doc.talend.execution.status, spec.status, executionId);
      assert.equal(doc.event?.dataset, 'talend.executions');
      assert.deepEqual(doc.event?.type, ['end']);
      assert.equal(doc.event?.outcome, spec.status === 'execution_successful' ? 'success' : 'failure');
      assert.equal(
        typeof doc.talend.execution.processed_rows,
        'number',
        `${executionId}: Talend's row counts`,
      );
      if (executionId !== REJECTED) {
        assert.equal(doc.event?.duration, (spec.finishTime! - spec.startTime) * 1_000_000, executionId);
        assert.ok((doc.talend.sync?.chunks ?? 0) >= 1, executionId);
      }
    }
    assert.ok(docs.get(SUCCEEDED)!.talend.lines!.total > 500, 'a log of several chunks');
    assert.ok(docs.get(SUCCEEDED)!.talend.sync!.chunks! >= 3);
    assert.ok(docs.get(SUCCEEDED)!.talend.lines!.first_error);
    assert.equal(docs.get(FAILED)!.talend.execution.error_message, 'tDBOutput_1: connection refused');
    // Rejected before it started: no finish, no log, no duration; still a failed run that wrote nothing.
    const rejected = docs.get(REJECTED)!;
    assert.equal(rejected.talend.lines?.total, 0);
    assert.equal(rejected.event?.end, undefined);
    assert.equal(rejected.event?.duration, undefined);
    assert.equal(docs.get(EMPTY)!.talend.lines?.total, 0);
    assert.equal(docs.get(EMPTY)!.event?.outcome, 'success');

    // Another sync changes nothing and asks for no detail again.
    const detailsAfter = harness.simulator.stats().getExecution;
    const idle = await harness.runCli(['sync'], env);
    assert.equal(idle.code, 0, idle.stderr);
    assert.equal(harness.simulator.stats().getExecution, detailsAfter);
    const again = await documents();
    for (const executionId of all) {
      assert.deepEqual(again.get(executionId)!.talend.lines, docs.get(executionId)!.talend.lines);
    }
  });
});

describe('the run details of a task’s sync', () => {
  let harness: JobHarness;
  let proxy: RunningProxy;
  const now = Date.now();
  const runs = Array.from({ length: 6 }, (_, i) => uuid(100 + i));
  let inFlight = 0;
  let maxInFlight = 0;
  const waiting: (() => void)[] = [];

  before(async () => {
    harness = await startJobHarness('execution-details', {
      tenant: {
        ...tenant(now),
        tasks: [
          {
            id: TASK,
            name: 'Leads_Import',
            workspaceId: WORKSPACE,
            executions: runs.map((id, i) => ({
              id,
              status: 'execution_successful',
              startTime: now - (30 - i) * MINUTE,
              finishTime: now - (29 - i) * MINUTE,
              entryCount: 20,
            })),
          },
        ],
      },
    });
    // Holds each detail request until a second one arrives (or 5 s pass): asked one after the
    // other, the details never overlap.
    proxy = await startProxy({
      target: harness.simulator.apiUrl,
      handler: async (exchange) => {
        if (exchange.method !== 'GET' || !/^\/processing\/executions\/[^/?]+$/.test(exchange.url))
          return exchange.forward();
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (inFlight >= 2) for (const release of waiting.splice(0)) release();
        else await Promise.race([new Promise<void>((resolve) => waiting.push(resolve)), delay(5_000)]);
        inFlight--;
        return exchange.forward();
      },
    });
  });
  after(async () => {
    await proxy.close();
    await harness.close();
  });

  it('asks Talend for the details of the runs it reports in parallel', async () => {
    const result = await harness.runCli(['sync'], { TALEND_API_URL: proxy.url, SYNC_LISTING_OVERLAP: '0s' });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(maxInFlight >= 2, `at most ${maxInFlight} detail request in flight at once`);
    await harness.client.indices.refresh({ index: `${harness.prefix}-executions` });
    const response = await harness.client.search<ExecutionDocument>({
      index: `${harness.prefix}-executions`,
      size: 100,
    });
    assert.equal(response.hits.hits.length, runs.length);
    for (const hit of response.hits.hits) {
      assert.equal(typeof hit._source!.talend.execution.processed_rows, 'number', hit._id);
    }
  });
});
