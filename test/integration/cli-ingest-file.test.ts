import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Client } from '@elastic/elasticsearch';
import { spawnCli, stderrMessages } from '../support/cli.ts';
import { elasticsearchUrl, removePrefix, testClient, uniquePrefix } from '../support/elasticsearch.ts';

const TASK = '44444444-4444-4444-8444-444444444444';
const EXECUTION = '55555555-5555-4555-8555-555555555555';

describe('talend-logs ingest-file', () => {
  let client: Client;
  let env: NodeJS.ProcessEnv;
  const prefix = uniquePrefix('ingest-file');
  const dir = mkdtempSync(join(tmpdir(), 'ingest-file-'));
  const start = Date.UTC(2026, 10, 20, 8, 0, 0);
  const lines = [
    ...Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({
        logTimestamp: start + i * 10,
        severity: i % 10 === 0 ? 'ERROR' : 'INFO',
        logMessage: `line ${i} — ✓`,
      }),
    ),
    '{"logTimestamp": 1, "severity": "INFO", oops}',
  ].join('\n');

  before(async () => {
    client = await testClient();
    env = { ES_URL: await elasticsearchUrl(), INDEX_PREFIX: prefix, LOG_LEVEL: 'warn' };
  });
  after(async () => {
    await removePrefix(client, prefix);
    await client.close();
  });

  it('indexes a downloaded log, dead-letters the broken line, exits 3, and is idempotent', async () => {
    const file = join(dir, 'log.jsonl.gz');
    writeFileSync(file, gzipSync(`${lines}\n`));
    for (let run = 0; run < 2; run += 1) {
      const result = await spawnCli(
        ['ingest-file', file, '--task', TASK, '--execution', EXECUTION, '--task-name', 'Orders'],
        env,
      ).result;
      assert.equal(result.code, 3, result.stderr);
      const summary = JSON.parse(result.stdout.trim()) as {
        linesRead: number;
        acknowledged: number;
        deadLettered: number;
      };
      assert.deepEqual([summary.linesRead, summary.acknowledged, summary.deadLettered], [51, 50, 1]);
    }
    assert.equal((await client.count({ index: `${prefix}-logs` })).count, 50);
    assert.equal((await client.count({ index: `${prefix}-deadletter` })).count, 1);
    const errors = await client.search({
      index: `${prefix}-logs`,
      size: 0,
      query: { term: { 'talend.task.name': 'Orders' } },
      aggs: { levels: { terms: { field: 'log.level' } } },
    });
    const buckets = (errors.aggregations?.levels as { buckets: { key: string; doc_count: number }[] })
      .buckets;
    assert.deepEqual(
      buckets.map((bucket) => [bucket.key, bucket.doc_count]),
      [
        ['info', 45],
        ['error', 5],
      ],
    );
  });

  it('says what is missing, with exit code 2', async () => {
    const result = await spawnCli(['ingest-file', join(dir, 'nope.log'), '--task', TASK], env).result;
    assert.equal(result.code, 2);
    const said = stderrMessages(result.stderr).join('\n');
    assert.match(said, /no such file: .*nope\.log/);
    assert.match(said, /--execution ID/);
  });
});
