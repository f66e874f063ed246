/**
 * The edges a new user meets first, through the real CLI against the simulator and a real
 * Elasticsearch: values refused where they are parsed (exit 2, nothing fetched, nothing written),
 * config files written flat, help that describes each command, the simulator's ports, a workspace
 * filter that selects nothing, and the renamed Talend log file format variable.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TenantSpec } from '../../src/simulator/index.ts';
import { spawnCli, stderrMessages, type CliResult } from '../support/cli.ts';
import { elasticsearchUrl, removePrefix, uniquePrefix } from '../support/elasticsearch.ts';
import { startJobHarness, type JobHarness } from '../support/job-harness.ts';

const HOUR = 3_600_000;
const ENVIRONMENT = 'eeeeeeee-0000-4000-8000-000000000001';
const WORKSPACE = 'eeeeeeee-0000-4000-8000-000000000002';

function tenant(): TenantSpec {
  const startTime = Date.now() - 3 * HOUR;
  return {
    seed: 21,
    environments: [{ id: ENVIRONMENT, name: 'Production' }],
    workspaces: [{ id: WORKSPACE, name: 'Finance', environmentId: ENVIRONMENT }],
    tasks: [
      {
        id: 'eeeeeeee-0000-4000-8000-000000000003',
        name: 'Ledger_Close',
        workspaceId: WORKSPACE,
        executions: [
          {
            id: 'eeeeeeee-0000-4000-8000-000000000004',
            status: 'execution_successful',
            startTime,
            finishTime: startTime + 60_000,
            entryCount: 20,
          },
        ],
      },
    ],
  };
}

let target: JobHarness;
let dir: string;

before(async () => {
  target = await startJobHarness('cli-edges', { tenant: tenant(), variants: { statusPollsBeforeReady: 0 } });
  dir = mkdtempSync(join(tmpdir(), 'cli-edges-'));
});
after(async () => {
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every API call the simulator answered so far (object store downloads included). */
function talendCalls(): number {
  const { withoutVersionHeader: _header, storedDownloads: _stored, ...kinds } = target.simulator.stats();
  return Object.values(kinds).reduce((sum, count) => sum + count, 0);
}

/** The names of every index and index template under a prefix. */
async function writtenUnder(prefix: string): Promise<string[]> {
  const indices = await target.client.indices.get({
    index: `${prefix}*`,
    allow_no_indices: true,
    ignore_unavailable: true,
    expand_wildcards: 'all',
  });
  const templates = await target.client.indices.getIndexTemplate({ name: `${prefix}*` }, { ignore: [404] });
  return [...Object.keys(indices), ...(templates.index_templates ?? []).map(({ name }) => name)];
}

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe(
  'a value that cannot be used: exit 2 with the fix, having fetched and written nothing',
  {
    concurrency: true,
  },
  () => {
    const cases: { name: string; args: string[]; env?: NodeJS.ProcessEnv; message: RegExp }[] = [
      {
        name: 'a month that does not exist',
        args: ['backfill', '--from', '2026-13-01'],
        message: /--from "2026-13-01" is not valid: expected a real date up to now: 2026-01-31/,
      },
      {
        name: 'a day that does not exist, not rolled over into March',
        args: ['backfill', '--from', '2026-02-30'],
        message: /--from "2026-02-30" is not valid: expected a real date/,
      },
      {
        name: 'a backfill that starts in the future',
        args: ['backfill', '--from', '2999-01-01'],
        message: /--from "2999-01-01" is not valid: expected a real date up to now/,
      },
      {
        name: 'a bulk size of 0',
        args: ['sync', '--bulk-size', '0'],
        message: /--bulk-size \/ BULK_SIZE "0" is not valid: expected a size from 1kb to 64mb/,
      },
      {
        name: 'a log level pino does not have, as a flag',
        args: ['sync', '--log-level', 'verbose'],
        message:
          /--log-level \/ LOG_LEVEL "verbose" is not valid: expected one of fatal, error, warn, info, debug, trace\./,
      },
      {
        name: 'a log level pino does not have, in the environment',
        args: ['sync'],
        env: { LOG_LEVEL: 'verbose' },
        message: /LOG_LEVEL "verbose" is not valid: expected one of fatal, error, warn, info, debug, trace\./,
      },
      {
        name: 'a duration without its unit',
        args: ['sync', '--lookback', '48'],
        message:
          /--lookback \/ SYNC_LOOKBACK "48" is not valid: expected a duration with its unit .* A number alone has no unit: write 48s, 48m, 48h or 48d\./,
      },
      {
        name: 'a relative date without its unit',
        args: ['backfill', '--from', 'now-30'],
        message: /--from "now-30" is not valid: .* A number alone has no unit: write now-30d\./,
      },
      {
        name: 'a shard outside its count',
        args: ['sync', '--shard', '3/3'],
        message: /--shard \/ SYNC_SHARD "3\/3" is not valid: expected i\/n with 0 <= i < n/,
      },
      {
        name: 'a setting given both flat and nested in the config file',
        args: ['sync', '--config', '{file}'],
        message: /"sync\.concurrency" is given twice in the config file ".*twice\.yaml" \(flat and nested\)/,
      },
    ];
    for (const { name, args, env, message } of cases) {
      it(name, async () => {
        const prefix = uniquePrefix('edges-refused');
        const file = configFile('twice.yaml', 'sync.concurrency: 2\nsync:\n  concurrency: 3\n');
        const before = talendCalls();
        const result = await target.runCli(
          args.map((arg) => (arg === '{file}' ? file : arg)),
          { INDEX_PREFIX: prefix, ...env },
        );
        assert.equal(result.code, 2, result.stderr);
        const said = stderrMessages(result.stderr).join('\n');
        assert.match(said, message);
        assert.doesNotMatch(said, /\n\s+at /, 'no stack trace in the message');
        assert.equal(talendCalls(), before, 'no call to Talend');
        assert.deepEqual(await writtenUnder(prefix), [], 'nothing created in Elasticsearch');
      });
    }
  },
);

describe('config files', () => {
  it('reads dotted keys written flat, at the top or inside a section', async () => {
    const prefix = uniquePrefix('edges-flat');
    const file = configFile(
      'flat.yaml',
      [
        `elasticsearch.url: ${await elasticsearchUrl()}`,
        `indexPrefix: ${prefix}`,
        'talend:',
        '  rateLimits.monitoringPerMinute: 300',
      ].join('\n'),
    );
    // Without the file's URL the run would go to localhost:9200 and, there being none, stop soon.
    const result = await spawnCli(['setup', '--config', file], { OUTAGE_BUDGET: '1s', LOG_LEVEL: 'warn' })
      .result;
    try {
      assert.equal(result.code, 0, result.stderr);
      assert.ok(await target.client.indices.existsIndexTemplate({ name: `${prefix}-logs` }));
    } finally {
      await removePrefix(target.client, prefix);
    }
  });
});

describe('help: each command lists the options that apply to it, described for it', () => {
  const help = async (command: string): Promise<string> => {
    const result = await spawnCli([command, '--help'], {}).result;
    assert.equal(result.code, 0, result.stderr);
    return result.stdout;
  };

  it('ingest-file: one task, and a file format that reads any shape unless asked', async () => {
    const text = await help('ingest-file');
    assert.match(
      text,
      /--task, TALEND_TASK_IDS, tasks\n {6}Id of the task the log belongs to \(exactly one\)\./,
    );
    assert.match(
      text,
      /--file-format, TALEND_LOG_FILE_FORMAT, sync\.fileFormat\n.*TEXT reads .*\[default: TEXT\]/,
    );
    assert.doesNotMatch(text, /Task id to sync|Log file format to request/);
  });

  it('replay-dead-letters: --task filters dead letters', async () => {
    const text = await help('replay-dead-letters');
    assert.match(text, /--task, TALEND_TASK_IDS, tasks\n {6}Only the dead letters of this task/);
    assert.doesNotMatch(text, /Task id to sync/);
  });

  it('backfill: neither --backfill nor --lookback, which it does not read', async () => {
    const text = await help('backfill');
    assert.match(text, /^ {2}--from$/m);
    assert.doesNotMatch(text, /--\[no-\]backfill|--lookback/);
  });

  it('demo: its own defaults, its log level, and no --dry-run or --progress', async () => {
    const text = await help('demo');
    assert.match(text, /--index-prefix, INDEX_PREFIX, indexPrefix\n.*\[default: talend-demo\]/);
    assert.match(text, /--settle-delay, SYNC_SETTLE_DELAY, sync\.settleDelay\n.*\[default: 5s\]/);
    assert.match(text, /--log-level, LOG_LEVEL, log\.level\n.*\[default: warn\]/);
    assert.doesNotMatch(text, /--\[no-\]dry-run|--\[no-\]progress/);
  });

  it('probe: --outage-budget, which it honours like OUTAGE_BUDGET', async () => {
    assert.match(await help('probe'), /--outage-budget, OUTAGE_BUDGET, retry\.outageBudget/);
    const result = await target.runCli(['probe', '--json', '--outage-budget', '10s']);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(JSON.parse(result.stdout), 'a probe report');
  });
});

describe('simulate', () => {
  const servers: Server[] = [];
  const listenOn = async (port: number): Promise<Server | undefined> => {
    const server = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) return undefined;
    servers.push(server);
    return server;
  };
  const portOf = (server: Server) => (server.address() as { port: number }).port;
  after(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('on a port in use: exit 2 naming the port and the option that chose it', async () => {
    const busy = portOf((await listenOn(0))!);
    const result = await spawnCli(['simulate', '--port', String(busy)], {}).result;
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`Port ${busy} on 127\\.0\\.0\\.1 is in use \\(EADDRINUSE\\): choose another with --port`),
    );
    const store = await spawnCli(['simulate', '--port', '0', '--object-store-port', String(busy)], {}).result;
    assert.equal(store.code, 2, store.stderr);
    assert.match(store.stderr, /is in use \(EADDRINUSE\): choose another with --object-store-port/);
  });

  it('does not need the port after its own: the object store takes a free one, and says which', async () => {
    // A free port whose next one is taken: the object store must not depend on port+1.
    let port: number | undefined;
    for (let attempt = 0; attempt < 20 && port === undefined; attempt += 1) {
      const probe = (await listenOn(0))!;
      const candidate = portOf(probe);
      await new Promise((resolve) => probe.close(resolve));
      servers.splice(servers.indexOf(probe), 1);
      if (candidate < 65_535 && (await listenOn(candidate + 1)) !== undefined) port = candidate;
    }
    assert.ok(port !== undefined, 'found a free port followed by one we hold');
    const child = spawnCli(['simulate', '--port', String(port)], {});
    try {
      const started = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (text: Buffer) => {
          out += text.toString();
          if (out.includes('Try:')) resolve(out);
        });
        void child.result.then((result: CliResult) =>
          reject(new Error(`exited ${result.code}: ${result.stderr}`)),
        );
      });
      assert.match(
        started,
        new RegExp(
          `Talend API simulator at http://127\\.0\\.0\\.1:${port} \\(object store http://127\\.0\\.0\\.1:\\d+\\)`,
        ),
      );
      assert.doesNotMatch(started, new RegExp(`object store http://127\\.0\\.0\\.1:${port + 1}\\)`));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal((await child.result).code, 0);
  });
});

describe('selection', () => {
  it('a workspace filter that selects nothing warns, naming the workspace meant', async () => {
    const prefix = uniquePrefix('edges-workspace');
    try {
      const named = await target.runCli(['sync', '--workspace', 'Finance'], { INDEX_PREFIX: prefix });
      assert.equal(named.code, 0, named.stderr);
      assert.match(
        named.stderr,
        new RegExp(
          `--workspace \\\\"Finance\\\\" selects no task: no workspace these credentials can see has the id \\\\"Finance\\\\": did you mean ${WORKSPACE} \\(Finance\\)\\?`,
        ),
      );
      const typo = await target.runCli(['sync', '--environment', ENVIRONMENT.replace(/1$/, '9')], {
        INDEX_PREFIX: prefix,
      });
      assert.equal(typo.code, 0, typo.stderr);
      assert.match(typo.stderr, new RegExp(`did you mean ${ENVIRONMENT} \\(Production\\)\\?`));
      const bogus = await target.runCli(['sync', '--workspace', 'bogus'], { INDEX_PREFIX: prefix });
      assert.match(
        bogus.stderr,
        /--workspace \\"bogus\\" selects no task: no workspace these credentials can see has the id \\"bogus\\"\. Nothing is synced\./,
      );
    } finally {
      await removePrefix(target.client, prefix);
    }
  });
});

describe('TALEND_LOG_FORMAT, the old name of TALEND_LOG_FILE_FORMAT', () => {
  it('is still read, with a warning that names the new one', async () => {
    const prefix = uniquePrefix('edges-format');
    try {
      const result = await target.runCli(['sync', '--dry-run'], {
        INDEX_PREFIX: prefix,
        TALEND_LOG_FORMAT: 'TEXT',
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /TALEND_LOG_FORMAT is deprecated: rename it TALEND_LOG_FILE_FORMAT/);
      const refused = await target.runCli(['sync'], { INDEX_PREFIX: prefix, TALEND_LOG_FORMAT: 'XML' });
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(
        stderrMessages(refused.stderr).join('\n'),
        /TALEND_LOG_FORMAT \(the former name of TALEND_LOG_FILE_FORMAT\) "XML" is not valid: expected one of JSON, TEXT/,
      );
    } finally {
      await removePrefix(target.client, prefix);
    }
  });
});
