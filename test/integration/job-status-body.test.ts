/**
 * The `/logs/status` token body against a service that enforces one media type: the reference's
 * JSON string, or the guide's plain text. A whole sync at `--concurrency 8` keeps many status calls
 * in flight at once, so calls sent in the refused form get their 415 after others have learned the
 * accepted one: each must retry in the other form, not fail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ExecutionSpec, TenantSpec } from '../../src/simulator/index.ts';
import { assertRunExact } from '../support/fault-harness.ts';
import { executionIdsOf, startJobHarness, summaryOf, type JobHarness } from '../support/job-harness.ts';

const MINUTE = 60_000;

function uuid(n: number): string {
  return `abcdabcd-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** Three tasks of six finished runs each: more runs than the concurrency. */
function tenant(): TenantSpec {
  const now = Date.now();
  const environment = uuid(900);
  const workspace = uuid(901);
  const runs = (task: number): ExecutionSpec[] =>
    Array.from({ length: 6 }, (_, k) => ({
      id: uuid(task * 10 + k),
      status: 'execution_successful',
      startTime: now - (task * 10 + k + 10) * MINUTE,
      finishTime: now - (task * 10 + k + 9) * MINUTE,
      entryCount: 150,
    }));
  return {
    seed: 25,
    environments: [{ id: environment, name: 'Production' }],
    workspaces: [{ id: workspace, name: 'Finance', environmentId: environment }],
    tasks: [1, 2, 3].map((task) => ({
      id: uuid(910 + task),
      name: `Status_Body_${task}`,
      workspaceId: workspace,
      executions: runs(task),
    })),
  };
}

for (const accepted of ['application/json', 'text/plain'] as const) {
  describe(`a whole sync at --concurrency 8 against a service that takes only ${accepted} status bodies`, () => {
    let harness: JobHarness;
    before(async () => {
      harness = await startJobHarness('status-body', {
        tenant: tenant(),
        variants: { statusBodyType: accepted, statusPollsBeforeReady: 1 },
        // Status answers that take a while keep calls of both forms in flight together.
        faults: [{ kind: 'logStatus', fault: 'slow', delayMs: 150 }],
      });
    });
    after(() => harness.close());

    it('exits 0 with every line indexed exactly once', async () => {
      const result = await harness.runCli(['sync', '--concurrency', '8']);
      await assertRunExact(result, harness, executionIdsOf(harness.simulator.tenant));
      assert.equal(summaryOf(result).executions.syncFailed, 0);
    });
  });
}
