import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@elastic/elasticsearch';
import { spawnCli } from '../support/cli.ts';
import { elasticsearchUrl, removePrefix, testClient, uniquePrefix } from '../support/elasticsearch.ts';

describe('talend-logs commands', () => {
  let client: Client;
  let esUrl: string;
  const prefix = uniquePrefix('demo');

  before(async () => {
    client = await testClient();
    esUrl = await elasticsearchUrl();
  });
  after(async () => {
    await removePrefix(client, prefix);
    await client.close();
  });

  it('demo: simulated tenant, setup, sync, and answers read back from Elasticsearch', async () => {
    const result = await spawnCli(['demo', '--index-prefix', prefix], { ES_URL: esUrl }).result;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /outcome\s+ok/);
    assert.match(result.stdout, /executions\s+12 done/);
    assert.match(result.stdout, /Error and fatal lines per task:\n {2}\S+/);
    assert.match(result.stdout, /Failed or rejected executions per task:\n {2}\S+\s+1/);
    assert.match(result.stdout, /Top error message \(\d+ lines\): \S+/);
    await client.indices.refresh({ index: `${prefix}-logs` });
    assert.ok((await client.count({ index: `${prefix}-logs` })).count > 150_000);
  });

  it('help lists every command and exit code; unknown commands and flags exit 2', async () => {
    const help = await spawnCli(['--help'], {}).result;
    assert.equal(help.code, 0);
    for (const command of ['sync', 'backfill', 'status', 'setup', 'ingest-file', 'simulate', 'demo']) {
      assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
    }
    assert.match(help.stdout, /Exit codes: 0 ok, 1 internal error, 2 configuration, 3 partial failure/);
    const unknown = await spawnCli(['synk'], {}).result;
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown command "synk"/);
    const badFlag = await spawnCli(['sync', '--concurency', '3'], {}).result;
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /Unknown option '--concurency'/);
  });

  it('sync without Talend settings says what to set, with exit code 2', async () => {
    const result = await spawnCli(['sync'], { ES_URL: esUrl }).result;
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Talend region missing: set TALEND_REGION/);
    assert.match(result.stderr, /Talend credentials missing: set TALEND_TOKEN/);
  });

  it('setup installs the templates and the state index', async () => {
    const result = await spawnCli(['setup'], {
      ES_URL: esUrl,
      INDEX_PREFIX: `${prefix}-setup`,
      LOG_LEVEL: 'warn',
    }).result;
    assert.equal(result.code, 0, result.stderr);
    assert.ok(await client.indices.existsIndexTemplate({ name: `${prefix}-setup-logs` }));
    assert.ok(await client.indices.exists({ index: `${prefix}-setup-state` }));
  });
});
