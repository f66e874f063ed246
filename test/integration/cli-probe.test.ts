/**
 * `talend-logs probe`, the real CLI against the simulator in each of its readings of what Talend
 * leaves undocumented: the probe must name each reading the simulator plays, change nothing, and
 * print no secret.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  startSimulator,
  type FaultRule,
  type RunningSimulator,
  type TenantSpec,
  type Variants,
} from '../../src/simulator/index.ts';
import type { ProbeReport } from '../../src/probe/report.ts';
import { spawnCli, stderrMessages, type CliResult } from '../support/cli.ts';
import { startTalendRecorder } from '../support/talend-recorder.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const TOKEN = 'probe-test-personal-access-token';
const TASK = '77777777-7777-4777-8777-777777777777';
const WORKSPACE = '88888888-8888-4888-8888-888888888888';
const ENVIRONMENT = '99999999-9999-4999-8999-999999999999';
const SUCCESSFUL = 'cccccccc-0000-4000-8000-000000000001';
const FAILED = 'cccccccc-0000-4000-8000-000000000002';
const REJECTED = 'cccccccc-0000-4000-8000-000000000003';
const RUNNING = 'cccccccc-0000-4000-8000-000000000004';

/**
 * Four runs starting at whole seconds: one entry a second for the finished ones, so that the head
 * of a log holds entries at whole seconds; the failed run has the shortest span from trigger to
 * end (the one the filter check straddles); the running one lasts longest (the one that gets a 206).
 */
function smallTenant(): TenantSpec {
  const now = Math.floor(Date.now() / SECOND) * SECOND;
  return {
    seed: 7,
    environments: [{ id: ENVIRONMENT, name: 'Production' }],
    workspaces: [{ id: WORKSPACE, name: 'Ops', environmentId: ENVIRONMENT }],
    tasks: [
      {
        id: TASK,
        name: 'Probe_Task',
        workspaceId: WORKSPACE,
        executions: [
          {
            id: SUCCESSFUL,
            status: 'execution_successful',
            triggerTime: now - 10 * MINUTE - 5 * SECOND,
            startTime: now - 10 * MINUTE,
            finishTime: now - 8 * MINUTE,
            entryCount: 120,
          },
          {
            id: FAILED,
            status: 'execution_failed',
            startTime: now - 20 * MINUTE,
            finishTime: now - 19 * MINUTE,
            entryCount: 60,
          },
          {
            id: REJECTED,
            status: 'execution_rejected',
            startTime: now - 30 * MINUTE,
            finishTime: now - 30 * MINUTE + 500,
            entryCount: 2,
          },
          {
            id: RUNNING,
            status: 'executing',
            startTime: now - 5 * MINUTE,
            entryCount: 300,
            entriesPerSecond: 1,
          },
        ],
      },
    ],
  };
}

interface Probed {
  result: CliResult;
  report: ProbeReport;
  simulator: RunningSimulator;
}

const simulators: RunningSimulator[] = [];
after(async () => {
  await Promise.all(simulators.map((simulator) => simulator.close()));
});

async function probe(
  variants: Partial<Variants>,
  faults: FaultRule[] = [],
  args: string[] = [],
): Promise<Probed> {
  const simulator = await startSimulator({
    tenant: smallTenant(),
    variants: { statusPollsBeforeReady: 0, ...variants },
    faults,
    maxEntriesPerFile: 50,
    auth: { personalAccessTokens: [TOKEN] },
  });
  simulators.push(simulator);
  const result = await spawnCli(['probe', '--json', ...args], {
    TALEND_API_URL: simulator.apiUrl,
    TALEND_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
  }).result;
  assert.equal(result.code, 0, result.stderr);
  return { result, report: JSON.parse(result.stdout) as ProbeReport, simulator };
}

const results = (report: ProbeReport) =>
  Object.fromEntries(Object.entries(report.points).map(([name, point]) => [name, point.result]));

describe('talend-logs probe names what the service does', () => {
  it("reads the simulator's defaults (what production users observed), and a 429 without Retry-After", async () => {
    const { report, simulator } = await probe(
      {
        listingFilter: 'trigger',
        listingOrder: 'newest-first',
        listingTotal: true,
        jsonShape: 'array',
        nextEndTimeFormat: 'seconds',
        boundary: 'inclusive',
        retryAfter: false,
        rejectedRuns: 'no-finish-no-log',
        gzip: false,
      },
      [{ kind: 'listExecutions', fault: 'http429', times: 2 }],
    );
    assert.deepEqual(results(report), {
      listingFilter: 'trigger',
      listingOrder: 'newest-first',
      listingTotal: 'present',
      statusValues: 'observed',
      terminalWithoutFinish: 'log-404',
      rejectedRuns: 'no-finish-no-log',
      logFileShape: 'array',
      logCompression: 'none',
      logTimestamp: 'epoch-ms',
      nextEndTime: 'iso-seconds',
      endTimeBoundary: 'inclusive',
      retryAfter: 'absent',
      statusBody: 'application/json',
    });
    assert.equal(report.points.listingFilter.evidence?.executionId, FAILED);
    assert.equal(report.points.nextEndTime.evidence?.executionId, RUNNING);
    assert.equal(report.points.nextEndTime.evidence?.precision, 'seconds');
    assert.match(String(report.points.nextEndTime.evidence?.header), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(report.points.retryAfter.evidence, { http429: 2, withRetryAfter: 0 });
    const statuses = report.points.statusValues.evidence as {
      status: Record<string, number>;
      executionStatus: Record<string, number>;
      undeclared: { status: string[]; executionStatus: string[] };
    };
    assert.deepEqual(statuses.status, {
      execution_successful: 1,
      execution_failed: 1,
      execution_rejected: 1,
      executing: 1,
    });
    assert.deepEqual(statuses.executionStatus, {
      EXECUTION_SUCCESS: 1,
      EXECUTION_FAILED: 1,
      EXECUTION_REJECTED: 1,
      STARTING_FLOW_EXECUTION: 1,
    });
    assert.deepEqual(statuses.undeclared, { status: [], executionStatus: [] });
    assert.equal(report.probe.executionsSeen, 4);
    assert.equal(simulator.stats().deleteLogs, 0, 'the probe deletes nothing');
  });

  it('reads the other readings (overlap, oldest first, no total, {data:[…]}, gzip, millisecond headers, exclusive endTime, Retry-After, logged rejections, text/plain status bodies) on the run named', async () => {
    const { report, simulator } = await probe(
      {
        listingFilter: 'overlap',
        listingOrder: 'oldest-first',
        listingTotal: false,
        jsonShape: 'data',
        nextEndTimeFormat: 'millis',
        boundary: 'exclusive',
        retryAfter: true,
        rejectedRuns: 'finished-with-log',
        gzip: 'content-encoding',
        statusBodyType: 'text/plain',
      },
      [{ kind: 'listExecutions', fault: 'http429', times: 2 }],
      ['--execution', SUCCESSFUL],
    );
    assert.deepEqual(results(report), {
      listingFilter: 'overlap',
      listingOrder: 'oldest-first',
      listingTotal: 'absent',
      statusValues: 'observed',
      terminalWithoutFinish: 'none-seen',
      rejectedRuns: 'finished-with-log',
      logFileShape: 'object',
      logCompression: 'gzip',
      logTimestamp: 'epoch-ms',
      nextEndTime: 'iso-millis',
      endTimeBoundary: 'exclusive',
      retryAfter: 'present',
      statusBody: 'text/plain',
    });
    assert.equal(report.probe.execution, SUCCESSFUL);
    assert.equal(
      report.points.nextEndTime.evidence?.executionId,
      SUCCESSFUL,
      'the run named, not the largest',
    );
    assert.equal(report.points.logFileShape.evidence?.arrayKey, 'data');
    assert.match(String(report.points.nextEndTime.evidence?.header), /T\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(report.points.logCompression.evidence?.gzipMagicBytes, true);
    assert.equal(report.points.endTimeBoundary.evidence?.startTime, 'inclusive');
    assert.deepEqual(report.points.retryAfter.evidence, { http429: 2, withRetryAfter: 2 });
    assert.equal(simulator.stats().deleteLogs, 0);
  });

  it('reads entries wrapped under another key, epoch seconds, HTTP-date headers and gzip without Content-Encoding', async () => {
    const { report } = await probe(
      {
        jsonShape: 'wrapped',
        logTimestampFormat: 'seconds',
        nextEndTimeFormat: 'http-date',
        gzip: 'bytes-only',
      },
      [],
    );
    const named = results(report);
    assert.deepEqual(
      [named.logFileShape, named.logCompression, named.logTimestamp, named.nextEndTime],
      ['object', 'gzip', 'epoch-seconds', 'http-date'],
    );
    assert.equal(report.points.logFileShape.evidence?.arrayKey, 'logs');
    assert.equal(report.points.logCompression.evidence?.gzipMagicBytes, true);
  });

  it('reads ISO timestamps and quoted headers', async () => {
    const { report } = await probe({ logTimestampFormat: 'iso', nextEndTimeFormat: 'quoted' }, []);
    assert.equal(report.points.logTimestamp.result, 'iso-string');
    assert.equal(report.points.nextEndTime.result, 'iso-seconds');
    assert.equal(report.points.nextEndTime.evidence?.quoted, true);
  });

  it('reads JSON Lines, sees no 429, and prints no secret (service account, log tokens, URL signatures)', async () => {
    const simulator = await startSimulator({
      tenant: smallTenant(),
      variants: { statusPollsBeforeReady: 0, jsonShape: 'jsonl' },
      maxEntriesPerFile: 50,
      auth: { serviceAccounts: [{ clientId: 'probe-client-id', clientSecret: 'probe-client-secret-value' }] },
    });
    simulators.push(simulator);
    const recorder = await startTalendRecorder({ target: simulator.apiUrl });
    try {
      const result = await spawnCli(['probe', '--task', TASK], {
        TALEND_API_URL: recorder.url,
        TALEND_CLIENT_ID: 'probe-client-id',
        TALEND_CLIENT_SECRET: 'probe-client-secret-value',
        LOG_LEVEL: 'debug',
      }).result;
      assert.equal(result.code, 0, result.stderr);
      const report = JSON.parse(result.stdout) as ProbeReport;
      assert.equal(report.points.logFileShape.result, 'jsonl');
      assert.equal(report.points.retryAfter.result, 'not-observed');
      assert.ok(recorder.secrets.size >= 3, `access tokens and signatures: ${recorder.secrets.size}`);
      assert.ok(recorder.logTokens.size >= 3, `log tokens: ${recorder.logTokens.size}`);
      for (const secret of [...recorder.secrets, ...recorder.logTokens, 'probe-client-secret-value']) {
        assert.ok(!result.stdout.includes(secret), 'a secret in stdout');
        assert.ok(!result.stderr.includes(secret), 'a secret in stderr');
      }
    } finally {
      await recorder.close();
    }
  });
});

describe('talend-logs probe exit codes', () => {
  it('exits 5 when Talend refuses the credentials, and 2 on a bad --execution', async () => {
    const simulator = await startSimulator({
      tenant: smallTenant(),
      auth: { personalAccessTokens: [TOKEN] },
    });
    simulators.push(simulator);
    const env = { TALEND_API_URL: simulator.apiUrl, TALEND_TOKEN: 'not-the-right-token', LOG_LEVEL: 'warn' };
    const refused = await spawnCli(['probe', '--json'], env).result;
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /401/);
    const usage = await spawnCli(['probe', '--execution', 'not-a-uuid'], env).result;
    assert.equal(usage.code, 2, usage.stderr);
    assert.match(stderrMessages(usage.stderr).join('\n'), /--execution/);
  });

  it('exits 4 when interrupted', async () => {
    const simulator = await startSimulator({
      tenant: smallTenant(),
      auth: { personalAccessTokens: [TOKEN] },
      faults: [{ kind: 'listExecutions', fault: 'slow', delayMs: 30_000 }],
    });
    simulators.push(simulator);
    const child = spawnCli(['probe'], { TALEND_API_URL: simulator.apiUrl, TALEND_TOKEN: TOKEN });
    while (simulator.stats().listExecutions === 0) await delay(50);
    child.kill('SIGINT');
    const result = await child.result;
    assert.equal(result.code, 4, result.stderr);
    assert.equal(result.stdout, '');
  });
});
