import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { generateTenant, type TenantSpec } from '../../src/simulator/index.ts';
import { seededRandom } from '../../src/simulator/random.ts';
import {
  compareIds,
  executionIdsOf,
  startJobHarness,
  summaryOf,
  type JobHarness,
} from '../support/job-harness.ts';

describe('talend-logs sync killed and interrupted', () => {
  let harness: JobHarness;
  let tenant: TenantSpec;
  let executionIds: string[];

  before(async () => {
    tenant = generateTenant({
      seed: 31,
      tasks: 2,
      executionsPerTask: 2,
      entriesPerExecution: 80_000,
      spreadDays: 1,
    });
    executionIds = executionIdsOf(tenant);
    harness = await startJobHarness('crash', {
      tenant,
      maxEntriesPerFile: 20_000,
      variants: { jsonShape: 'jsonl' },
    });
  });
  after(() => harness.close());

  it('ends with exactly the source entries after SIGKILLs at seeded points and a final clean run', async () => {
    const expected = harness.expectedIds(executionIds);
    assert.ok(expected.size >= 300_000);
    const random = seededRandom(20261122);
    for (let kill = 0; kill < 4; kill += 1) {
      const child = harness.spawnCli(['sync', '--lookback', '3d']);
      await delay(1_500 + Math.floor(random() * 4_000));
      child.kill('SIGKILL');
      const result = await child.result;
      assert.ok(
        result.signal === 'SIGKILL' || result.code === 0,
        `run ${kill} ended with ${result.code}: ${result.stderr}`,
      );
    }
    const final = await harness.runCli(['sync', '--lookback', '3d']);
    assert.equal(final.code, 0, final.stderr);
    assert.deepEqual(compareIds(await harness.indexedIds(), expected), {
      missing: 0,
      unexpected: 0,
      duplicates: 0,
    });
    const idle = await harness.runCli(['sync', '--lookback', '3d']);
    assert.equal(summaryOf(idle).documents, 0, 'nothing is left to do after the catch-up run');
  });

  it('stops on SIGTERM with exit code 4, committing only what was acknowledged', async () => {
    // A run that starts after the previous syncs and has finished, and settled, by the next one.
    const started = Date.now();
    harness.simulator.addExecution(tenant.tasks[0]!.id, {
      id: 'bbbbbbbb-0000-4000-8000-000000000001',
      status: 'execution_successful',
      startTime: started,
      finishTime: started + 5_000,
      entryCount: 30_000,
    });
    await delay(started + 6_500 - Date.now());
    // Its downloads are held back, so the signal surely finds the run in the middle of its work.
    harness.simulator.setFaults([
      {
        kind: 'download',
        fault: 'slow',
        delayMs: 5_000,
        executionId: 'bbbbbbbb-0000-4000-8000-000000000001',
      },
    ]);
    const downloadsBefore = harness.simulator.stats().download;
    const child = harness.spawnCli(['sync', '--lookback', '3d']);
    // Signalled once its download is under way, however long the CLI took to start.
    while (harness.simulator.stats().download === downloadsBefore && child.exitCode === null)
      await delay(100);
    child.kill('SIGTERM');
    const interrupted = await child.result;
    assert.equal(interrupted.code, 4, interrupted.stderr);
    assert.match(interrupted.stdout, /"outcome":"interrupted"/);
    harness.simulator.setFaults([]);

    const resumed = await harness.runCli(['sync', '--lookback', '3d']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const all = [...executionIds, 'bbbbbbbb-0000-4000-8000-000000000001'];
    assert.deepEqual(compareIds(await harness.indexedIds(), harness.expectedIds(all)), {
      missing: 0,
      unexpected: 0,
      duplicates: 0,
    });
  });
});
