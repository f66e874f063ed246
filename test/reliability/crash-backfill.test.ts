import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { generateTenant, type TenantSpec } from '../../src/simulator/index.ts';
import { seededRandom } from '../../src/simulator/random.ts';
import type { ClaimKind } from '../support/checkpoint-claims.ts';
import {
  assertNoClaimAhead,
  assertRunExact,
  deadLettersOf,
  executionIdsOf,
  untilChunksCommitted,
} from '../support/fault-harness.ts';
import { startJobHarness, summaryOf, type CliResult, type JobHarness } from '../support/job-harness.ts';
import { SecretLedger } from '../support/secret-ledger.ts';

const KILLS = 12;
const SEED = 20261122;
const CONCURRENCY = 4;
const BACKFILL = ['backfill', '--from', 'now-30d', '--concurrency', String(CONCURRENCY)];

describe('backfill killed with SIGKILL at seeded points', () => {
  let harness: JobHarness;
  let tenant: TenantSpec;
  const ledger = new SecretLedger();

  before(async () => {
    tenant = generateTenant({
      seed: 8,
      tasks: 3,
      executionsPerTask: 4,
      entriesPerExecution: [2_000, 30_000],
      spreadDays: 25,
    });
    // Small files: 1 to 12 chunks per execution, so a checkpoint moves every 2,500 lines and kills
    // land between them. A run takes on all twelve executions at once and gains a few chunks before
    // its kill: the small executions finish during the kills, the backfill does not.
    harness = await startJobHarness('rel-crash', {
      tenant,
      maxEntriesPerFile: 2_500,
      variants: { jsonShape: 'jsonl', statusPollsBeforeReady: 0 },
    });
  });
  after(() => harness.close());

  it('never leaves a checkpoint ahead of the index, and ends exact after a clean re-run', async () => {
    const executionIds = executionIdsOf(tenant);
    const random = seededRandom(SEED);
    const outcomes: string[] = [];
    const checked: Record<ClaimKind, number> = { done: 0, indexedUpTo: 0, walk: 0, watermark: 0 };
    for (let kill = 0; kill < KILLS; kill += 1) {
      // One kill in four lands in the start-up (templates, leases, listing); the others anywhere in
      // the chunk after the run committed 1 to 5 chunks, so that each run gains ground on the last
      // without finishing the backfill before the last kill.
      const inStartup = random() < 0.25;
      const committed = inStartup ? 0 : 1 + Math.floor(random() * 5);
      const afterMs = inStartup ? 200 + Math.floor(random() * 1_300) : Math.floor(random() * 400);
      const child = harness.spawnCli(BACKFILL);
      let result: CliResult | undefined;
      void child.result.then((done) => (result = done));
      if (!inStartup) {
        await untilChunksCommitted(harness, { chunks: committed, ended: () => result !== undefined });
      }
      await delay(afterMs);
      child.kill('SIGKILL');
      const ended = await ledger.track(`killed run ${kill}`, child.result);
      assert.ok(
        ended.signal === 'SIGKILL' || ended.code === 0,
        `run ${kill} ended with ${ended.code}: ${ended.stderr}`,
      );
      outcomes.push(ended.signal ?? `exit ${ended.code}`);

      const context = `after kill ${kill} (${committed} chunks in, +${afterMs} ms)`;
      const claims = await assertNoClaimAhead(harness, 'backfill', context);
      for (const kind of Object.keys(claims) as ClaimKind[]) checked[kind] += claims[kind];
    }
    assert.ok(checked.walk > 10 && checked.done > 0, `claims were checked: ${JSON.stringify(checked)}`);
    assert.ok(
      outcomes.filter((outcome) => outcome === 'SIGKILL').length >= 10,
      `at least 10 runs were killed mid-way: ${outcomes.join(', ')}`,
    );

    await assertRunExact(await ledger.track('final run', harness.runCli(BACKFILL)), harness, executionIds);
    const settled = await assertNoClaimAhead(harness, 'backfill');
    assert.ok(settled.watermark > 0, 'the finished backfill vouches for its executions by watermark');
    assert.deepEqual(await deadLettersOf(harness), [], 'no line was dead-lettered');

    const idle = await ledger.track('idle run', harness.runCli(BACKFILL));
    assert.equal(idle.code, 0, idle.stderr);
    assert.equal(summaryOf(idle).documents, 0, 'a finished backfill resumes to nothing');
  });

  it('printed no secret', () => {
    ledger.addSecret('personal access token', harness.env.TALEND_TOKEN!);
    assert.ok(ledger.textCount > 0);
    assert.deepEqual(ledger.leaks(), []);
  });
});
