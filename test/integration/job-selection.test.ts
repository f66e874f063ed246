import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateTenant, type TenantSpec } from '../../src/simulator/index.ts';
import { compareIds, startJobHarness, summaryOf, type JobHarness } from '../support/job-harness.ts';

describe('talend-logs sync: choosing the work', () => {
  let harness: JobHarness;
  let tenant: TenantSpec;
  const executionsOf = (taskIds: string[]) =>
    tenant.tasks
      .filter((task) => taskIds.includes(task.id))
      .flatMap((task) => task.executions.map((e) => e.id));

  before(async () => {
    tenant = generateTenant({
      seed: 11,
      tasks: 5,
      executionsPerTask: 2,
      entriesPerExecution: [100, 400],
      spreadDays: 0.5,
    });
    harness = await startJobHarness('selection', { tenant });
  });
  after(() => harness.close());

  it('--dry-run prints the plan and writes nothing', async () => {
    const result = await harness.runCli(['sync', '--dry-run']);
    assert.equal(result.code, 0, result.stderr);
    const plan = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { executionId: string; ranges: { from: string; to: string }[] });
    assert.deepEqual(
      plan.map((item) => item.executionId).sort(),
      executionsOf(tenant.tasks.map((t) => t.id)).sort(),
    );
    assert.deepEqual(plan[0]!.ranges, [{ from: 'run start', to: 'end of log' }]);
    assert.equal(await harness.client.indices.exists({ index: `${harness.prefix}-state` }), false);
  });

  it('--task selects tasks; --shard i/n splits the rest between workers, each task once', async () => {
    const chosen = tenant.tasks[0]!.id;
    const single = await harness.runCli(['sync', '--task', chosen]);
    assert.equal(single.code, 0, single.stderr);
    assert.deepEqual(compareIds(await harness.indexedIds(), harness.expectedIds(executionsOf([chosen]))), {
      missing: 0,
      unexpected: 0,
      duplicates: 0,
    });

    const shards = await Promise.all([
      harness.runCli(['sync', '--shard', '0/2']),
      harness.runCli(['sync', '--shard', '1/2']),
    ]);
    for (const shard of shards) assert.equal(shard.code, 0, shard.stderr);
    const tasksPerShard = shards.map((shard) => summaryOf(shard) as unknown as { tasks: number });
    assert.equal(tasksPerShard[0]!.tasks + tasksPerShard[1]!.tasks, tenant.tasks.length);
    const everything = executionsOf(tenant.tasks.map((t) => t.id));
    assert.deepEqual(compareIds(await harness.indexedIds(), harness.expectedIds(everything)), {
      missing: 0,
      unexpected: 0,
      duplicates: 0,
    });
  });

  it('--workspace limits the run to that workspace', async () => {
    const workspaceId = tenant.workspaces[0]!.id;
    const result = await harness.runCli(['sync', '--workspace', workspaceId, '--dry-run'], {
      INDEX_PREFIX: `${harness.prefix}-ws`,
    });
    assert.equal(result.code, 0, result.stderr);
    const inWorkspace = tenant.tasks
      .filter((task) => task.workspaceId === workspaceId)
      .map((task) => task.id);
    const planned = new Set(
      result.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { taskId: string }).taskId),
    );
    assert.ok(planned.size > 0 && planned.size < tenant.tasks.length);
    for (const taskId of planned) assert.ok(inWorkspace.includes(taskId));
  });
});
