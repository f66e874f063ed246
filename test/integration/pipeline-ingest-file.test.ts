import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Client } from '@elastic/elasticsearch';
import { ingestFile } from '../../src/job/ingest-file.ts';
import type { ElasticsearchStore } from '../../src/store/elasticsearch-store.ts';
import { DEFAULTS } from '../support/config.ts';
import { removePrefix, testClient, testStore, uniquePrefix } from '../support/elasticsearch.ts';

describe('ingestFile', () => {
  let client: Client;
  let store: ElasticsearchStore;
  let dir: string;
  const prefix = uniquePrefix('ingest-file');
  const entries = Array.from({ length: 25 }, (_, i) => ({
    logTimestamp: Date.UTC(2024, 6, 1, 12, 0, i),
    severity: i % 2 ? 'INFO' : 'ERROR',
    logMessage: `line ${i} ✓`,
  }));

  before(async () => {
    client = await testClient();
    store = await testStore(prefix);
    dir = await mkdtemp(join(tmpdir(), 'ingest-file-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await removePrefix(client, prefix);
    await store.close();
    await client.close();
  });

  const count = async (executionId: string) =>
    (await client.count({ index: `${prefix}-logs`, query: { term: { 'talend.execution.id': executionId } } }))
      .count;

  it('indexes a JSON file, installing the templates first', async () => {
    const path = join(dir, 'task_exec.log');
    await writeFile(path, JSON.stringify(entries));
    const result = await ingestFile(path, {
      taskId: 'task',
      executionId: 'exec-plain',
      fileFormat: 'TEXT',
      store,
      bulk: DEFAULTS.bulk,
    });
    assert.equal(result.acknowledged, 25);
    assert.equal(await count('exec-plain'), 25);
    assert.ok(await client.indices.existsIndexTemplate({ name: `${prefix}-logs` }));
  });

  it('reads a gzipped file, whatever its name, and a TEXT one', async () => {
    const gz = join(dir, 'download.bin');
    await writeFile(gz, gzipSync(entries.map((entry) => JSON.stringify(entry)).join('\n')));
    const zipped = await ingestFile(gz, {
      taskId: 'task',
      executionId: 'exec-gz',
      fileFormat: 'TEXT',
      store,
      bulk: DEFAULTS.bulk,
    });
    assert.equal(zipped.acknowledged, 25);

    const text = join(dir, 'run.log.gz');
    const lines = entries.map(
      (e) => `${new Date(e.logTimestamp).toISOString()} ${e.severity} ${e.logMessage}`,
    );
    await writeFile(text, gzipSync(lines.join('\n')));
    const fromText = await ingestFile(text, {
      taskId: 'task',
      executionId: 'exec-text',
      fileFormat: 'TEXT',
      store,
      bulk: DEFAULTS.bulk,
    });
    assert.deepEqual([fromText.linesRead, fromText.acknowledged], [25, 25]);
    assert.equal(await count('exec-text'), 25);
  });
});
