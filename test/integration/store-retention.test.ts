/**
 * `--ilm-delete-after 90d` keeps every line at least 90 days: each monthly index ages from the end of
 * its month (its newest possible line), not from its creation.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@elastic/elasticsearch';
import { spawnCli } from '../support/cli.ts';
import { elasticsearchUrl, removePrefix, testClient, uniquePrefix } from '../support/elasticsearch.ts';

const TASK = '66666666-6666-4666-8666-666666666666';
const EXECUTION = '77777777-7777-4777-8777-777777777777';
/** Newest possible `@timestamp` of each month's index: its last millisecond. */
const MONTHS = [
  { month: '2024.02', first: Date.UTC(2024, 1, 1), newest: Date.UTC(2024, 2, 1) - 1 },
  { month: '2024.03', first: Date.UTC(2024, 2, 1), newest: Date.UTC(2024, 3, 1) - 1 },
];

describe('retention of the monthly log indices', () => {
  let client: Client;
  let env: NodeJS.ProcessEnv;
  let ilm = false;
  const prefix = uniquePrefix('retention');
  const dir = mkdtempSync(join(tmpdir(), 'retention-'));

  before(async () => {
    client = await testClient();
    env = { ES_URL: await elasticsearchUrl(), INDEX_PREFIX: prefix, LOG_LEVEL: 'warn' };
    ilm = await client.ilm.getStatus().then(
      () => true,
      () => false,
    );
    const setup = await spawnCli(['setup', '--ilm', '--ilm-delete-after', '90d'], env).result;
    assert.equal(setup.code, 0, setup.stderr);
    // Each index gets its first line on the first day of its month: created by that write, it
    // would age from then.
    const file = join(dir, 'two-months.jsonl');
    const entries = MONTHS.flatMap(({ first }) => [
      { logTimestamp: first + 1_000, severity: 'INFO', logMessage: 'first day of the month' },
      { logTimestamp: first + 20 * 86_400_000, severity: 'INFO', logMessage: 'later that month' },
    ]);
    writeFileSync(file, entries.map((entry) => JSON.stringify(entry)).join('\n'));
    const ingest = await spawnCli(['ingest-file', file, '--task', TASK, '--execution', EXECUTION], env)
      .result;
    assert.equal(ingest.code, 0, ingest.stderr);
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await removePrefix(client, prefix);
    await client.close();
  });

  it('dates each index from the end of its month, not from its creation', async () => {
    const settings = await client.indices.getSettings({ index: `${prefix}-logs-*` });
    assert.deepEqual(
      Object.keys(settings).sort(),
      MONTHS.map(({ month }) => `${prefix}-logs-${month}`),
    );
    for (const { month, newest } of MONTHS) {
      const index = settings[`${prefix}-logs-${month}`]!.settings!.index!;
      const origination = Number(index.lifecycle?.origination_date);
      assert.ok(origination >= newest, `${month}: ${origination} is not after the newest possible line`);
      assert.ok(origination - newest <= 1, `${month}: ages no later than its month's end`);
      assert.equal(index.lifecycle?.name, ilm ? `${prefix}-logs-policy` : undefined);
    }
  });

  it("counts the lifecycle's age from there (ILM explain)", async (t) => {
    if (!ilm) {
      t.skip('this Elasticsearch has no index lifecycle management');
      return;
    }
    for (const { month, newest } of MONTHS) {
      const index = `${prefix}-logs-${month}`;
      const explained = (await client.ilm.explainLifecycle({ index })).indices[index]!;
      assert.equal(explained.managed, true);
      assert.equal(explained.policy, `${prefix}-logs-policy`);
      assert.equal(Number(explained.lifecycle_date_millis), newest + 1);
    }
  });
});
