/**
 * The sync against what the real Talend service does where its documentation is silent or wrong:
 * listings filtered on trigger time (the simulator's default) or on overlap, runs that end without
 * a finishTimestamp and have no log, and dead letters as a signal.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { ExecutionSpec, TenantSpec, Variants } from '../../src/simulator/index.ts';
import { assertIndexExact } from '../support/fault-harness.ts';
import { startJobHarness, summaryOf, type JobHarness } from '../support/job-harness.ts';

const MINUTE = 60_000;
const TASK = '44444444-4444-4444-8444-444444444444';
const WORKSPACE = '55555555-5555-4555-8555-555555555555';
const ENVIRONMENT = '66666666-6666-4666-8666-666666666666';
const LISTING_RULES: Variants['listingFilter'][] = ['trigger', 'overlap'];

function uuid(n: number): string {
  return `bbbbbbbb-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function tenantWith(executions: ExecutionSpec[]): TenantSpec {
  return {
    seed: 11,
    environments: [{ id: ENVIRONMENT, name: 'Production' }],
    workspaces: [{ id: WORKSPACE, name: 'Ops', environmentId: ENVIRONMENT }],
    tasks: [{ id: TASK, name: 'Invoices_Hourly', workspaceId: WORKSPACE, executions }],
  };
}

const executionIds = (harness: JobHarness) => harness.simulator.tenant.tasks[0]!.executions.map((e) => e.id);

interface StatusLine {
  taskId: string;
  inProgress: { executionId: string }[];
  givenUp: { executionId: string }[];
  done: { executionId: string }[];
  withDeadLetters: { executionId: string; deadLetters: number }[];
}

async function statusOf(harness: JobHarness): Promise<{ code: number | null; line: StatusLine }> {
  const result = await harness.runCli(['status', '--json']);
  return { code: result.code, line: JSON.parse(result.stdout.trim().split('\n')[0]!) as StatusLine };
}

describe('sync under trigger-time listing (what Talend was seen to do)', () => {
  let harness: JobHarness;
  const now = Date.now();
  before(async () => {
    harness = await startJobHarness('listing-trigger', {
      tenant: tenantWith([
        {
          id: uuid(1),
          status: 'execution_successful',
          startTime: now - 30 * MINUTE,
          finishTime: now - 25 * MINUTE,
          entryCount: 700,
        },
      ]),
      maxEntriesPerFile: 400,
      variants: { listingFilter: 'trigger' },
    });
  });
  after(() => harness.close());

  // No overlap: a run is listed by trigger time once, and never again after the watermark passes it.
  // A short outage budget: the failing download below is given up on in seconds, not minutes.
  const env = { SYNC_SETTLE_DELAY: '4s', SYNC_LISTING_OVERLAP: '0s', OUTAGE_BUDGET: '3s' };

  it('indexes a run that was settling at one sync, triggered before the watermark, at the next', async () => {
    // It ran longer than the settle delay and has just finished: the sync lists it while it settles,
    // and moves the watermark past its trigger time, so the next one lists from after it.
    const settle = { SYNC_SETTLE_DELAY: '20s', SYNC_LISTING_OVERLAP: '0s' };
    const settling = uuid(2);
    const finished = Date.now();
    harness.simulator.addExecution(TASK, {
      id: settling,
      status: 'execution_successful',
      startTime: finished - 30_000,
      finishTime: finished,
      entryCount: 900,
    });
    const during = await harness.runCli(['sync'], settle);
    assert.equal(during.code, 0, during.stderr);
    assert.equal(summaryOf(during).documents, 700, 'only the run that ended long ago is indexed');
    const { line } = await statusOf(harness);
    assert.ok(
      line.inProgress.some((run) => run.executionId === settling),
      'the settling run is tracked by id',
    );

    await delay(finished + 20_500 - Date.now());
    const listedBefore = harness.simulator.stats().getExecution;
    const next = await harness.runCli(['sync'], settle);
    assert.equal(next.code, 0, next.stderr);
    assert.equal(summaryOf(next).documents, 900);
    assert.ok(harness.simulator.stats().getExecution > listedBefore, 'the settling run was fetched by id');
    await assertIndexExact(harness, executionIds(harness));
  });

  it('indexes a run that failed at one sync and recovers at the next', async () => {
    const flaky = uuid(3);
    const started = Date.now();
    harness.simulator.addExecution(TASK, {
      id: flaky,
      status: 'execution_failed',
      startTime: started,
      finishTime: started + 1_000,
      entryCount: 300,
    });
    await delay(5_500);
    harness.simulator.setFaults([{ kind: 'download', fault: 'http500', executionId: flaky }]);
    const failing = await harness.runCli(['sync'], env);
    assert.equal(failing.code, 3, failing.stderr);
    assert.equal(summaryOf(failing).executions.syncFailed, 1);

    harness.simulator.setFaults([]);
    const byId = harness.simulator.stats().getExecution;
    const recovered = await harness.runCli(['sync'], env);
    assert.equal(recovered.code, 0, recovered.stderr);
    await assertIndexExact(harness, executionIds(harness));
    assert.ok(harness.simulator.stats().getExecution > byId, 'the failed run was fetched by id');
  });
});

describe('a rejected run without finishTimestamp, whose log answers 404', () => {
  let harness: JobHarness;
  const now = Date.now();
  const rejected = uuid(20);
  before(async () => {
    harness = await startJobHarness('listing-rejected', {
      tenant: tenantWith([
        {
          id: uuid(21),
          status: 'execution_successful',
          startTime: now - 50 * MINUTE,
          finishTime: now - 40 * MINUTE,
          entryCount: 300,
        },
        {
          id: rejected,
          status: 'execution_rejected',
          startTime: now - 30 * MINUTE,
          finishTime: now - 30 * MINUTE,
          entryCount: 0,
        },
      ]),
    });
  });
  after(() => harness.close());

  it('is done with no line: exit 0, and `status` lists it as done', async () => {
    const result = await harness.runCli(['sync']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(summaryOf(result).executions.done, 2);
    assert.ok(harness.simulator.stats().generateLog >= 2, 'its log was asked for');
    await assertIndexExact(harness, executionIds(harness));

    const status = await statusOf(harness);
    assert.equal(status.code, 0);
    assert.ok(
      status.line.done.some((run) => run.executionId === rejected),
      JSON.stringify(status.line),
    );

    const again = await harness.runCli(['sync']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(summaryOf(again).executions.planned, 0, 'it is never fetched again');
  });
});

describe('a 404 while a run is still going, or from the object store', () => {
  let harness: JobHarness;
  const now = Date.now();
  const running = uuid(50);
  const finished = uuid(51);
  before(async () => {
    harness = await startJobHarness('listing-404', {
      tenant: tenantWith([
        { id: running, status: 'executing', startTime: now - 5 * MINUTE, entryCount: 0, entriesPerSecond: 4 },
        {
          id: finished,
          status: 'execution_successful',
          startTime: now - 50 * MINUTE,
          finishTime: now - 40 * MINUTE,
          entryCount: 1_500,
        },
      ]),
      maxEntriesPerFile: 1_000,
    });
  });
  after(() => harness.close());

  it('asks again next run for a running one, downloads a missing file again, and gives up on neither', async () => {
    harness.simulator.setFaults([
      { kind: 'generateLog', fault: 'http404', executionId: running },
      { kind: 'download', fault: 'http404', executionId: finished, times: 1 },
    ]);
    const first = await harness.runCli(['sync']);
    assert.equal(first.code, 0, first.stderr);
    const summary = summaryOf(first);
    assert.equal(summary.executions.syncFailed + summary.executions.givenUp, 0);
    const { line } = await statusOf(harness);
    assert.ok(
      line.inProgress.some((run) => run.executionId === running),
      'still tracked',
    );
    assert.deepEqual(line.givenUp, []);
    await assertIndexExact(harness, [finished]);

    harness.simulator.setFaults([]);
    harness.simulator.finishExecution(running, Date.now() - 3_000, 'execution_successful');
    const next = await harness.runCli(['sync']);
    assert.equal(next.code, 0, next.stderr);
    await assertIndexExact(harness, [running, finished]);
  });
});

describe('dead letters are a signal', () => {
  let harness: JobHarness;
  const now = Date.now();
  const broken = uuid(30);
  before(async () => {
    harness = await startJobHarness('listing-dead-letters', {
      tenant: tenantWith([
        {
          id: broken,
          status: 'execution_successful',
          startTime: now - 50 * MINUTE,
          finishTime: now - 40 * MINUTE,
          entryCount: 2_000,
        },
        {
          id: uuid(31),
          status: 'execution_successful',
          startTime: now - 30 * MINUTE,
          finishTime: now - 20 * MINUTE,
          entryCount: 500,
        },
      ]),
      variants: { jsonShape: 'jsonl' },
      faults: [{ kind: 'download', fault: 'malformedLines', executionId: broken, rate: 1 }],
    });
  });
  after(() => harness.close());

  it('a sync that wrote dead letters exits 3, names the run in its summary, and `status` shows them', async () => {
    const result = await harness.runCli(['sync']);
    assert.equal(result.code, 3, result.stderr);
    const summary = summaryOf(result) as ReturnType<typeof summaryOf> & {
      deadLetterRuns: { executionId: string; deadLetters: number }[];
    };
    const expectedDeadLetters = harness.simulator.malformedEntryIndexes(broken).length;
    assert.ok(expectedDeadLetters > 0);
    assert.equal(summary.deadLetters, expectedDeadLetters);
    assert.deepEqual(
      summary.deadLetterRuns.map((run) => [run.executionId, run.deadLetters]),
      [[broken, expectedDeadLetters]],
    );
    const status = await statusOf(harness);
    assert.equal(status.code, 3);
    assert.deepEqual(status.line.withDeadLetters, [
      { executionId: broken, deadLetters: expectedDeadLetters },
    ]);
  });
});

/**
 * The same schedule of syncs under each listing rule, while runs start, log, finish and settle
 * between them: both end with the same index, and it is the truth.
 */
describe('both listing rules end with the same index', () => {
  const harnesses = new Map<string, JobHarness>();
  const start = Date.now();
  const base: ExecutionSpec[] = [
    {
      id: uuid(40),
      status: 'execution_successful',
      startTime: start - 90 * MINUTE,
      finishTime: start - 80 * MINUTE,
      entryCount: 600,
    },
    // Triggered before the first sync's lookback and still running: out of scope under both rules.
    {
      id: uuid(41),
      status: 'executing',
      startTime: start - 200 * MINUTE,
      entryCount: 0,
      entriesPerSecond: 1,
    },
    { id: uuid(42), status: 'executing', startTime: start - 10 * MINUTE, entryCount: 0, entriesPerSecond: 5 },
    {
      id: uuid(43),
      status: 'execution_rejected',
      startTime: start - 5 * MINUTE,
      finishTime: start - 5 * MINUTE,
      entryCount: 0,
    },
  ];
  before(async () => {
    for (const rule of LISTING_RULES) {
      harnesses.set(
        rule,
        await startJobHarness(`listing-same-${rule}`, {
          tenant: tenantWith(base.map((spec) => ({ ...spec }))),
          maxEntriesPerFile: 500,
          variants: { listingFilter: rule },
        }),
      );
    }
  });
  after(async () => {
    for (const harness of harnesses.values()) await harness.close();
  });

  it('over a schedule of syncs while runs start, finish and settle', async () => {
    const env = { SYNC_SETTLE_DELAY: '2s', SYNC_LISTING_OVERLAP: '0s', SYNC_LOOKBACK: '2h' };
    const everywhere = async (step: (harness: JobHarness) => void) => {
      for (const harness of harnesses.values()) step(harness);
      for (const [rule, harness] of harnesses) {
        const result = await harness.runCli(['sync'], env);
        assert.equal(result.code, 0, `${rule}: ${result.stderr}`);
      }
    };
    await everywhere(() => undefined);
    // Runs appear when they are triggered: each new one after the listings before it.
    const t1 = Date.now();
    await everywhere((harness) => {
      harness.simulator.addExecution(TASK, {
        id: uuid(44),
        status: 'executing',
        startTime: t1,
        entryCount: 0,
        entriesPerSecond: 30,
      });
      harness.simulator.finishExecution(uuid(42), t1, 'execution_successful');
    });
    await delay(2_500);
    const t2 = Date.now();
    await everywhere((harness) => {
      harness.simulator.finishExecution(uuid(44), t2 - 500, 'execution_failed');
      harness.simulator.addExecution(TASK, {
        id: uuid(45),
        status: 'execution_successful',
        startTime: t2 - 1_000,
        finishTime: t2,
        entryCount: 400,
      });
    });
    await delay(2_500);
    await everywhere(() => undefined);

    const [trigger, overlap] = LISTING_RULES.map((rule) => harnesses.get(rule)!);
    const inScope = executionIds(trigger!).filter((id) => id !== uuid(41));
    await assertIndexExact(trigger!, inScope);
    await assertIndexExact(overlap!, inScope);
    assert.deepEqual((await trigger!.indexedIds()).sort(), (await overlap!.indexedIds()).sort());
  });
});
