import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@elastic/elasticsearch';
import { spawnCli, stderrMessages } from '../support/cli.ts';
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

  it('demo: simulated tenant, setup, sync into ES_URL under INDEX_PREFIX, and answers read back', async () => {
    // The environment, as for every command: the demo's own prefix is only a default.
    const result = await spawnCli(['demo'], { ES_URL: esUrl, INDEX_PREFIX: prefix }).result;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /outcome\s+ok/);
    assert.match(result.stdout, /executions\s+12: 11 done, 1 still running/);
    assert.match(result.stdout, /downloaded\s+\d+\.\d MiB/, 'binary megabytes are named MiB');
    assert.match(result.stdout, /Error and fatal lines per task:\n {2}\S+/);
    assert.match(
      result.stdout,
      /Runs that failed at Talend \(failed, rejected or terminated\) per task:\n {2}\S+\s+1/,
    );
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
    assert.match(stderrMessages(unknown.stderr).join('\n'), /Unknown command "synk" \(did you mean sync\?\)/);
    const badFlag = await spawnCli(['sync', '--concurency', '3'], {}).result;
    assert.equal(badFlag.code, 2);
    assert.match(
      stderrMessages(badFlag.stderr).join('\n'),
      /Unknown option '--concurency' \(did you mean --concurrency\?\)/,
    );
    assert.equal(badFlag.stdout, '');
  });

  it('each command has its own --help, listing the options it takes', async () => {
    const sync = await spawnCli(['sync', '--help'], {}).result;
    assert.equal(sync.code, 0, sync.stderr);
    assert.match(sync.stdout, /^Usage: talend-logs sync \[options\]/);
    assert.match(sync.stdout, /^ {2}--lookback, SYNC_LOOKBACK, sync\.lookback$/m);
    assert.match(sync.stdout, /^ {2}--\[no-\]progress, PROGRESS, log\.progress$/m);
    assert.doesNotMatch(sync.stdout, /--kibana-url/);
    const setup = await spawnCli(['help', 'setup'], {}).result;
    assert.equal(setup.code, 0, setup.stderr);
    assert.match(setup.stdout, /^ {2}--kibana-url, KIBANA_URL, kibana\.url$/m);
    assert.doesNotMatch(setup.stdout, /--lookback/);
  });

  it('a stray argument is a usage error: "sync --lookback 3 weeks" runs nothing and exits 2', async () => {
    const result = await spawnCli(['sync', '--lookback', '3', 'weeks'], {
      ES_URL: esUrl,
      TALEND_API_URL: 'http://127.0.0.1:1',
      TALEND_TOKEN: 'pat-never-used',
    }).result;
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      stderrMessages(result.stderr).join('\n'),
      /Unexpected argument "weeks": sync takes no arguments\. --lookback took "3" alone/,
    );
    assert.equal(result.stdout, '');
  });

  it('--no-progress turns progress off over PROGRESS, without reading it', async () => {
    const env = { ES_URL: esUrl, PROGRESS: 'sometimes' };
    const withEnv = await spawnCli(['sync'], env).result;
    assert.match(
      stderrMessages(withEnv.stderr).join('\n'),
      /--progress \/ PROGRESS "sometimes" is not valid/,
    );
    const result = await spawnCli(['sync', '--no-progress'], env).result;
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Talend region missing/);
    assert.doesNotMatch(result.stderr, /PROGRESS|Unknown option/);
  });

  it('the config file: an unknown key names the key meant; the format comes from the content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-config-'));
    const typo = join(dir, 'talend-logs.yaml');
    writeFileSync(typo, `elasticsearch:\n  url: ${esUrl}\nsync:\n  concurency: 8\n`);
    const refused = await spawnCli(['status', '--config', typo], {}).result;
    assert.equal(refused.code, 2);
    assert.match(
      stderrMessages(refused.stderr).join('\n'),
      /Unknown key "sync\.concurency" in the config file ".*talend-logs\.yaml": did you mean sync\.concurrency\?/,
    );
    // No ES_URL: status reaches Elasticsearch only through the file, YAML named .conf or JSON named .cfg.
    const yaml = join(dir, 'talend-logs.conf');
    writeFileSync(yaml, `elasticsearch:\n  url: ${esUrl}\nindexPrefix: ${prefix}-conf\n`);
    const json = join(dir, 'talend-logs.cfg');
    writeFileSync(json, JSON.stringify({ elasticsearch: { url: esUrl }, indexPrefix: `${prefix}-cfg` }));
    for (const file of [yaml, json]) {
      const result = await spawnCli(['status', '--json', '--config', file], {}).result;
      assert.equal(result.code, 0, result.stderr);
    }
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
