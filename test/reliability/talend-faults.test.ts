import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import {
  generateTenant,
  type FaultRule,
  type SimulatorOptions,
  type TenantGeneratorSpec,
} from '../../src/simulator/index.ts';
import {
  assertIndexExact,
  assertNoClaimAhead,
  assertRunExact,
  deadLettersOf,
  executionIdsOf,
  recordTalendSecrets,
  storedStateText,
} from '../support/fault-harness.ts';
import { startJobHarness, summaryOf, type CliResult, type JobHarness } from '../support/job-harness.ts';
import { SecretLedger } from '../support/secret-ledger.ts';
import type { TalendRecorder } from '../support/talend-recorder.ts';

const SYNC = ['sync', '--lookback', '3d'];
/** Longer than the old retries of one call lasted (about 8 s), well within the outage budget. */
const TALEND_OUTAGE_MS = 20_000;
const API_KINDS = ['tasks', 'listExecutions', 'generateLog', 'logStatus'] as const;
const CLIENT_ID = 'reliability-service-account';
const CLIENT_SECRET = 'reliability-service-account-secret-value';
const ledger = new SecretLedger();
const opened: { harness: JobHarness; recorder: TalendRecorder }[] = [];

interface Scenario {
  harness: JobHarness;
  recorder: TalendRecorder;
  executionIds: string[];
  run(label: string, args?: string[]): Promise<CliResult>;
}

/** A small tenant (2 tasks, 2 executions each, 3 files per log) behind a recorder of issued secrets. */
async function scenario(
  label: string,
  options: Omit<Partial<SimulatorOptions>, 'tenant'> & { tenant?: Partial<TenantGeneratorSpec> } = {},
): Promise<Scenario> {
  const tenant = generateTenant({
    seed: 60 + opened.length,
    tasks: 2,
    executionsPerTask: 2,
    entriesPerExecution: 2_500,
    spreadDays: 1,
    ...options.tenant,
  });
  const harness = await startJobHarness(label, {
    maxEntriesPerFile: 1_000,
    ...options,
    tenant,
    variants: { statusPollsBeforeReady: 0, ...options.variants },
  });
  const recorder = await recordTalendSecrets(harness);
  opened.push({ harness, recorder });
  ledger.addSecret('personal access token', harness.env.TALEND_TOKEN!);
  return {
    harness,
    recorder,
    executionIds: executionIdsOf(tenant),
    run: (what, args = SYNC) => ledger.track(`${label}: ${what}`, harness.runCli(args)),
  };
}

/** The first `times` requests of every kind fail with `fault`: no call fails more often than that. */
function onEveryKind(fault: FaultRule['fault'], times: number): FaultRule[] {
  return API_KINDS.map((kind) => ({ kind, fault, times }));
}

/** One rule per execution, so that no chunk fails more often than the job retries a chunk. */
function perExecution(executionIds: string[], rule: Omit<FaultRule, 'executionId'>): FaultRule[] {
  return executionIds.map((executionId) => ({ ...rule, executionId }));
}

async function exactWithoutDeadLetters(target: Scenario, result: CliResult): Promise<void> {
  await assertRunExact(result, target.harness, target.executionIds);
  assert.deepEqual(await deadLettersOf(target.harness), []);
}

describe('Talend faults', { concurrency: 4 }, () => {
  after(async () => {
    for (const { harness, recorder } of opened) {
      for (const secret of recorder.secrets) ledger.addSecret(`secret issued to ${harness.prefix}`, secret);
      ledger.addText(`stored state of ${harness.prefix}`, await storedStateText(harness));
    }
    await Promise.all(opened.map(({ harness }) => harness.close()));
    assert.ok(
      opened.some(({ recorder }) => recorder.secrets.size > 0),
      'the recorder saw issued secrets',
    );
    assert.deepEqual(ledger.leaks(), [], 'no secret in any output or stored state');
  });

  for (const retryAfter of [true, false]) {
    it(`a storm of 429 ${retryAfter ? 'with' : 'without'} Retry-After: backed off, then exact`, async () => {
      const target = await scenario(`rel-talend-429-${retryAfter}`, { variants: { retryAfter } });
      target.harness.simulator.setFaults([
        ...onEveryKind('http429', 3),
        ...perExecution(target.executionIds, { kind: 'download', fault: 'http429', times: 1 }),
      ]);
      const result = await target.run('storm');
      await exactWithoutDeadLetters(target, result);
      assert.equal(
        target.recorder.statuses.get(429),
        3 * API_KINDS.length,
        'the API answered 429 again and again',
      );
      const waits = result.stderr.split('\n').filter((line) => line.includes('"talend.status":429'));
      const honoured = waits.filter((line) => line.includes('"talend.retryAfterMs":1000'));
      assert.equal(
        waits.length,
        3 * API_KINDS.length + target.executionIds.length,
        'each 429 is logged with its wait',
      );
      assert.equal(
        honoured.length,
        retryAfter ? 3 * API_KINDS.length + target.executionIds.length : 0,
        'Retry-After is honoured when sent, by the API and the object store alike',
      );
      if (!retryAfter) {
        const delays = waits.map(
          (line) => (JSON.parse(line) as { 'talend.delayMs': number })['talend.delayMs'],
        );
        assert.ok(new Set(delays).size > 1, `the client's own waits are jittered: ${delays.join(', ')}`);
      }
    });
  }

  it('500, 502 and 503 answers: retried, then exact', async () => {
    const target = await scenario('rel-talend-5xx');
    const answers: [FaultRule['kind'], FaultRule['fault']][] = [
      ['tasks', 'http503'],
      ['listExecutions', 'http502'],
      ['generateLog', 'http500'],
      ['logStatus', 'http503'],
      ['download', 'http502'],
    ];
    target.harness.simulator.setFaults(answers.map(([kind, fault]) => ({ kind, fault, times: 2 })));
    const result = await target.run('5xx');
    await exactWithoutDeadLetters(target, result);
    for (const status of [500, 502, 503])
      assert.ok(target.recorder.statuses.has(status), `an HTTP ${status}`);
    const { retries } = summaryOf(result);
    assert.ok(
      retries.talend >= 2 * answers.length,
      `the summary counts the client's retries: ${retries.talend}`,
    );
  });

  it(`Talend answering 503 to everything for ${TALEND_OUTAGE_MS / 1000} s mid-run: ridden out, then exact`, async () => {
    const target = await scenario('rel-talend-outage');
    const child = target.harness.spawnCli(SYNC);
    let ended: CliResult | undefined;
    void child.result.then((result) => (ended = result));
    while (ended === undefined && target.harness.simulator.stats().generateLog === 0) await delay(10);
    target.harness.simulator.setFaults([{ kind: '*', fault: 'http503' }]);
    await delay(TALEND_OUTAGE_MS);
    target.harness.simulator.setFaults([]);
    assert.equal(ended, undefined, 'the run waited for Talend');
    const result = await ledger.track('rel-talend-outage: run', child.result);
    await exactWithoutDeadLetters(target, result);
    assert.ok((target.recorder.statuses.get(503) ?? 0) > 0, 'the API answered 503');
    const waits = result.stderr
      .split('\n')
      .filter((line) => /"message":"Talend \w+ failed \(HTTP 503\): retrying in \d+\.\d s"/.test(line));
    assert.ok(waits.length > 0, 'each wait is logged, with what failed and how long it waits');
    for (const wait of waits) assert.match(wait, /"log.level":"warn".*"talend.delayMs":\d+/);
  });

  it('connections reset mid-body (downloads and API answers): downloaded again, then exact', async () => {
    const target = await scenario('rel-talend-reset');
    target.harness.simulator.setFaults([
      { kind: 'generateLog', fault: 'resetMidBody', times: 2 },
      ...perExecution(target.executionIds, { kind: 'download', fault: 'resetMidBody', times: 2, rate: 0.7 }),
    ]);
    const result = await target.run('resets');
    await exactWithoutDeadLetters(target, result);
  });

  it('log files cut short: downloaded again, not dead-lettered', async () => {
    const target = await scenario('rel-talend-truncated', { variants: { jsonShape: 'array' } });
    target.harness.simulator.setFaults(
      perExecution(target.executionIds, { kind: 'download', fault: 'truncatedBody', times: 2 }),
    );
    const result = await target.run('truncated files');
    await exactWithoutDeadLetters(target, result);
    const summary = summaryOf(result);
    assert.ok(summary.retries.talend >= 2 * target.executionIds.length, 'every cut file was fetched again');
  });

  for (const objectStore of ['s3', 'azure'] as const) {
    it(`presigned URLs of ${objectStore} expired before use: fresh ones asked for, then exact`, async () => {
      const target = await scenario(`rel-talend-presigned-${objectStore}`, { variants: { objectStore } });
      target.harness.simulator.setFaults(
        perExecution(target.executionIds, { kind: 'download', fault: 'expiredPresignedUrl', times: 3 }),
      );
      const result = await target.run('expired URLs');
      await exactWithoutDeadLetters(target, result);
      const stats = target.harness.simulator.stats();
      assert.ok(stats.logStatus > stats.generateLog, 'fresh URLs were requested');
      assert.ok(stats.download >= 4 * target.executionIds.length, 'every expired URL was tried');
    });
  }

  it('a service account token that expires mid-run: refreshed, then exact', async () => {
    const target = await scenario('rel-talend-sa', {
      auth: {
        serviceAccounts: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
        accessTokenTtlSeconds: 3,
      },
      variants: { statusPollsBeforeReady: 1 },
    });
    ledger.addBasicAuth('service account secret', CLIENT_ID, CLIENT_SECRET);
    delete target.harness.env.TALEND_TOKEN;
    Object.assign(target.harness.env, { TALEND_CLIENT_ID: CLIENT_ID, TALEND_CLIENT_SECRET: CLIENT_SECRET });
    target.harness.simulator.setFaults([{ kind: 'generateLog', fault: 'expiredAccessToken', times: 1 }]);
    const result = await target.run('token expiry');
    await exactWithoutDeadLetters(target, result);
    assert.ok(target.recorder.statuses.has(401), 'Talend refused an expired token');
    assert.ok(target.recorder.secrets.size >= 2, 'a new access token was issued mid-run');
  });

  it('a personal access token refused mid-run: exit 5 with the 401, then exact with a good one', async () => {
    const target = await scenario('rel-talend-pat');
    target.harness.simulator.setFaults([{ kind: 'generateLog', fault: 'expiredAccessToken', times: 1 }]);
    const refused = await target.run('refused token');
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /HTTP 401: the personal access token is invalid, expired or revoked/);
    await assertNoClaimAhead(target.harness);

    target.harness.simulator.setFaults([]);
    await exactWithoutDeadLetters(target, await target.run('run with the token accepted'));
  });

  it('a log stuck IN_PROGRESS past --status-max-wait: reported (exit 3, status), retried next run', async () => {
    const target = await scenario('rel-talend-stuck');
    const stuck = target.executionIds[1]!;
    target.harness.simulator.setFaults([{ kind: 'logStatus', fault: 'stuckInProgress', executionId: stuck }]);
    const first = await target.run('stuck log', [...SYNC, '--status-max-wait', '2s']);
    assert.equal(first.code, 3, first.stderr);
    const summary = summaryOf(first);
    assert.equal(summary.executions.syncFailed, 1);
    assert.equal(summary.failures.length, 1);
    assert.equal(summary.failures[0]!.executionId, stuck);
    assert.match(summary.failures[0]!.error, /still not ready after \d+ status checks/);
    await assertNoClaimAhead(target.harness);

    const status = await target.run('status after the stuck log', ['status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const waiting = status.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            inProgress?: { executionId: string; attempts?: number; lastError?: string }[];
          },
      )
      .flatMap((task) => task.inProgress ?? []);
    assert.deepEqual(
      waiting.map((entry) => [entry.executionId, entry.attempts]),
      [[stuck, 1]],
    );
    assert.match(waiting[0]!.lastError ?? '', /not ready/);

    target.harness.simulator.setFaults([]);
    const retried = await target.run('retry of the stuck log');
    await exactWithoutDeadLetters(target, retried);
    assert.equal(summaryOf(retried).documents, target.harness.simulator.entryCount(stuck));
  });

  it('an execution deleted between listing and fetching: given up and reported, the rest exact', async () => {
    const target = await scenario('rel-talend-deleted', { tenant: { tasks: 1, executionsPerTask: 3 } });
    const [first, deleted, last] = target.executionIds as [string, string, string];
    target.harness.simulator.setFaults([
      { kind: 'generateLog', fault: 'slow', delayMs: 3_000, executionId: deleted },
    ]);
    const child = target.harness.spawnCli(SYNC);
    // The executions are listed before any log is generated; the deleted one's generation is slow.
    while (target.harness.simulator.stats().generateLog === 0) await delay(10);
    target.harness.simulator.deleteExecution(deleted);
    const result = await ledger.track('rel-talend-deleted: run', child.result);
    assert.equal(result.code, 3, result.stderr);
    const summary = summaryOf(result);
    assert.equal(summary.executions.givenUp, 1);
    assert.equal(summary.failures[0]?.executionId, deleted);
    assert.match(summary.failures[0]?.error ?? '', /HTTP 404/);
    await assertIndexExact(target.harness, [first, last]);

    const status = await target.run('status', ['status', '--json']);
    assert.equal(status.code, 3, 'status reports the execution given up');
    assert.match(status.stdout, new RegExp(`"givenUp":\\[\\{"executionId":"${deleted}"`));
    const next = await target.run('next run');
    assert.equal(next.code, 0, next.stderr);
    assert.equal(summaryOf(next).documents, 0);
  });
});
