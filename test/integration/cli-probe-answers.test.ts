/**
 * `talend-logs probe` through the real CLI on two points it used to miss: a 429 with `Retry-After`
 * from the object store behind the log URLs, and the 206 boundary on a tenant whose largest log
 * belongs to a short run (longer runs logged less).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ProbeReport } from '../../src/probe/report.ts';
import {
  startSimulator,
  type ExecutionSpec,
  type FaultRule,
  type RunningSimulator,
  type TenantSpec,
} from '../../src/simulator/index.ts';
import { spawnCli } from '../support/cli.ts';

const MINUTE = 60_000;
const TOKEN = 'probe-answers-token';
const TASK = '13131313-1313-4313-8313-131313131313';
const WORKSPACE = '13131313-0000-4000-8000-000000000001';
const ENVIRONMENT = '13131313-0000-4000-8000-000000000002';
const VERBOSE = '13131313-aaaa-4000-8000-000000000009';
/** What the simulator puts in one file here, standing for Talend's 100,000. */
const ENTRIES_PER_FILE = 50;

/** Three long runs that logged little, then one short run that logged four files' worth. */
function tenant(): TenantSpec {
  const now = Math.floor(Date.now() / 1000) * 1000;
  const long = (n: number): ExecutionSpec => ({
    id: `13131313-aaaa-4000-8000-00000000000${n}`,
    status: 'execution_successful',
    startTime: now - (200 - n * 40) * MINUTE,
    finishTime: now - (170 - n * 40) * MINUTE,
    entryCount: 10,
  });
  return {
    seed: 13,
    environments: [{ id: ENVIRONMENT, name: 'Production' }],
    workspaces: [{ id: WORKSPACE, name: 'Ops', environmentId: ENVIRONMENT }],
    tasks: [
      {
        id: TASK,
        name: 'Probe_Answers',
        workspaceId: WORKSPACE,
        executions: [
          long(1),
          long(2),
          long(3),
          {
            id: VERBOSE,
            status: 'execution_successful',
            startTime: now - 20 * MINUTE,
            finishTime: now - 19 * MINUTE,
            entryCount: 4 * ENTRIES_PER_FILE,
          },
        ],
      },
    ],
  };
}

const simulators: RunningSimulator[] = [];
after(async () => {
  await Promise.all(simulators.map((simulator) => simulator.close()));
});

async function probe(faults: FaultRule[]): Promise<ProbeReport> {
  const simulator = await startSimulator({
    tenant: tenant(),
    variants: { statusPollsBeforeReady: 0, retryAfter: true },
    faults,
    maxEntriesPerFile: ENTRIES_PER_FILE,
    auth: { personalAccessTokens: [TOKEN] },
  });
  simulators.push(simulator);
  const result = await spawnCli(['probe', '--json'], {
    TALEND_API_URL: simulator.apiUrl,
    TALEND_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
  }).result;
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as ProbeReport;
}

describe('talend-logs probe (finding 13)', () => {
  it('reports the 429s with Retry-After that the object store answered', async () => {
    const report = await probe([{ kind: 'download', fault: 'http429', times: 2 }]);
    assert.equal(report.points.retryAfter.result, 'present', JSON.stringify(report.points.retryAfter));
    assert.deepEqual(report.points.retryAfter.evidence, { http429: 2, withRetryAfter: 2 });
  });

  it('finds the 206 boundary on the run with the most entries, not the longest', async () => {
    const report = await probe([]);
    const point = report.points.nextEndTime;
    assert.equal(point.result, 'iso-seconds', JSON.stringify(point));
    assert.equal(point.evidence?.executionId, VERBOSE);
    assert.equal(point.evidence?.status, 206);
    assert.equal(point.evidence?.entries, 4 * ENTRIES_PER_FILE);
  });
});
