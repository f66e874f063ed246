/**
 * A run the listing no longer shows is read through `GET /processing/executions/{id}`, whose answer
 * (JobExecutionStatus) declares no task and no `runtime`: its lines must still carry the task, its
 * workspace and environment, and the engine, exactly as the lines indexed while it was listed.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { TenantSpec } from '../../src/simulator/index.ts';
import { assertIndexExact } from '../support/fault-harness.ts';
import { startJobHarness, summaryOf, type JobHarness } from '../support/job-harness.ts';

const TASK = '77777777-7777-4777-8777-777777777777';
const WORKSPACE = '88888888-8888-4888-8888-888888888888';
const ENVIRONMENT = '99999999-9999-4999-8999-999999999999';
const RUN = 'dddddddd-0000-4000-8000-000000000001';
const CLUSTER = 'dddddddd-0000-4000-8000-0000000000c1';
const ENGINE = 'dddddddd-0000-4000-8000-0000000000e1';
const RUN_PROFILE = 'dddddddd-0000-4000-8000-0000000000f1';

function tenant(now: number): TenantSpec {
  return {
    seed: 7,
    environments: [{ id: ENVIRONMENT, name: 'Production' }],
    workspaces: [{ id: WORKSPACE, name: 'Ops', environmentId: ENVIRONMENT }],
    tasks: [
      {
        id: TASK,
        name: 'Clustered_Load',
        workspaceId: WORKSPACE,
        executions: [
          {
            id: RUN,
            status: 'executing',
            startTime: now - 60_000,
            entryCount: 0,
            entriesPerSecond: 10,
            runtime: {
              type: 'REMOTE_ENGINE_CLUSTER',
              id: CLUSTER,
              clusterId: CLUSTER,
              engineId: ENGINE,
              runProfileId: RUN_PROFILE,
            },
          },
        ],
      },
    ],
  };
}

interface LogSource {
  talend: {
    task: Record<string, unknown>;
    workspace?: Record<string, unknown>;
    environment?: Record<string, unknown>;
    runtime?: Record<string, unknown>;
    execution: { id: string };
  };
}

describe('a run recovered through the detail call', () => {
  let harness: JobHarness;
  before(async () => {
    harness = await startJobHarness('detail-context', {
      tenant: tenant(Date.now()),
      variants: { listingFilter: 'trigger' },
    });
  });
  after(() => harness.close());

  it('keeps its task, workspace, environment and engine on every line', async () => {
    // No listing overlap: once the watermark passes its trigger time, the run is listed no more.
    const env = { SYNC_LISTING_OVERLAP: '0s' };
    const running = await harness.runCli(['sync'], env);
    assert.equal(running.code, 0, running.stderr);
    const whileListed = summaryOf(running).documents;
    assert.ok(whileListed > 0, 'the lines so far were indexed while the run was listed');

    harness.simulator.finishExecution(RUN, Date.now(), 'execution_successful');
    const detail = (await (
      await fetch(`${harness.simulator.apiUrl}/processing/executions/${RUN}`, {
        headers: { authorization: `Bearer ${harness.env.TALEND_TOKEN}` },
      })
    ).json()) as Record<string, unknown>;
    assert.deepEqual(
      ['taskId', 'runtime', 'environmentId'].filter((field) => field in detail),
      [],
      'the detail declares no task and no runtime',
    );
    await delay(1_500); // the settle delay (1 s) after its end

    const byId = harness.simulator.stats().getExecution;
    const settled = await harness.runCli(['sync'], env);
    assert.equal(settled.code, 0, settled.stderr);
    assert.ok(harness.simulator.stats().getExecution > byId, 'the run was read by id');
    assert.ok(summaryOf(settled).documents > 0, 'lines were indexed after it was recovered');
    await assertIndexExact(harness, [RUN]);

    await harness.client.indices.refresh({ index: `${harness.prefix}-logs-*` });
    const hits = (
      await harness.client.search<LogSource>({
        index: `${harness.prefix}-logs-*`,
        size: 10_000,
        _source: [
          'talend.task',
          'talend.workspace',
          'talend.environment',
          'talend.runtime',
          'talend.execution.id',
        ],
      })
    ).hits.hits;
    assert.equal(hits.length, whileListed + summaryOf(settled).documents);
    const contexts = new Set(
      hits.map(({ _source }) => {
        const { execution, ...context } = _source!.talend;
        assert.equal(execution.id, RUN);
        return JSON.stringify(context);
      }),
    );
    assert.deepEqual(
      [...contexts].map((text) => JSON.parse(text) as unknown),
      [
        {
          task: { id: TASK, name: 'Clustered_Load' },
          workspace: { id: WORKSPACE, name: 'Ops' },
          environment: { id: ENVIRONMENT, name: 'Production' },
          runtime: {
            type: 'REMOTE_ENGINE_CLUSTER',
            id: CLUSTER,
            engine_id: ENGINE,
            cluster_id: CLUSTER,
            run_profile_id: RUN_PROFILE,
          },
        },
      ],
    );
  });
});
