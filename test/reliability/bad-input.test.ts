import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RawLogEntry } from '../../src/contracts/talend-api.ts';
import type { TenantSpec } from '../../src/simulator/index.ts';
import {
  assertIndexExact,
  deadLettersOf,
  executionIdsOf,
  storedStateText,
} from '../support/fault-harness.ts';
import { stderrMessages } from '../support/cli.ts';
import { startJobHarness, summaryOf, type CliResult, type JobHarness } from '../support/job-harness.ts';
import { SecretLedger } from '../support/secret-ledger.ts';

const HOUR = 3_600_000;
const TASK = 'cccccccc-0000-4000-8000-000000000001';
const WRONG_TOKEN = 'not-the-personal-access-token';
const WRONG_SECRET = 'a-wrong-service-account-secret';
const ledger = new SecretLedger();
const harnesses: JobHarness[] = [];

async function harness(label: string, tenant: TenantSpec, variants = {}): Promise<JobHarness> {
  const started = await startJobHarness(label, {
    tenant,
    variants: { statusPollsBeforeReady: 0, ...variants },
  });
  harnesses.push(started);
  ledger.addSecret('personal access token', started.env.TALEND_TOKEN!);
  return started;
}

function run(
  target: JobHarness,
  label: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return ledger.track(label, target.runCli(args, env));
}

function uuid(n: number): string {
  return `dddddddd-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function oneTask(executions: TenantSpec['tasks'][number]['executions']): TenantSpec {
  const environment = uuid(900);
  const workspace = uuid(901);
  return {
    seed: 77,
    environments: [{ id: environment, name: 'Production' }],
    workspaces: [{ id: workspace, name: 'Finance', environmentId: environment }],
    tasks: [{ id: uuid(902), name: 'Orders_Daily_Load', workspaceId: workspace, executions }],
  };
}

function finished(id: string, hoursAgo: number, entryCount: number) {
  const startTime = Date.now() - hoursAgo * HOUR;
  return { id, status: 'execution_successful', startTime, finishTime: startTime + 600_000, entryCount };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

after(async () => {
  for (const target of harnesses)
    ledger.addText(`stored state of ${target.prefix}`, await storedStateText(target));
  await Promise.all(harnesses.map((target) => target.close()));
  ledger.addSecret('wrong personal access token', WRONG_TOKEN);
  ledger.addSecret('wrong service account secret', WRONG_SECRET);
  assert.deepEqual(ledger.leaks(), [], 'no secret in any output or stored state');
});

describe('bad log content from Talend', { concurrency: true }, () => {
  it('malformed lines: each dead-lettered with its reason and text, every other line exact', async () => {
    const tenant = oneTask([finished(uuid(1), 5, 4_000), finished(uuid(2), 3, 3_000)]);
    const target = await harness('rel-bad-malformed', tenant, { jsonShape: 'jsonl' });
    target.simulator.setFaults([{ kind: 'download', fault: 'malformedLines' }]);
    const result = await run(target, 'malformed lines', ['sync']);
    assert.equal(result.code, 3, `a run that writes dead letters exits 3: ${result.stderr}`);

    const executionIds = executionIdsOf(tenant);
    const broken = new Map(
      executionIds.map((id) => [id, new Set(target.simulator.malformedEntryIndexes(id))]),
    );
    const brokenCount = [...broken.values()].reduce((sum, set) => sum + set.size, 0);
    assert.ok(brokenCount > 20, 'the fault broke lines');
    await assertIndexExact(
      target,
      executionIds,
      target.expectedIds(executionIds, undefined, { broken: (id) => broken.get(id)! }),
    );

    const deadLetters = await deadLettersOf(target);
    assert.equal(deadLetters.length, brokenCount);
    assert.equal(summaryOf(result).deadLetters, brokenCount);
    const parse = deadLetters.filter((letter) => letter.talend.dead_letter.stage === 'parse');
    const enrich = deadLetters.filter((letter) => letter.talend.dead_letter.stage === 'enrich');
    assert.ok(parse.length > 0 && enrich.length > 0, 'both cut lines and wrong types');
    for (const letter of parse) {
      assert.match(letter.error.message, /JSON/);
      assert.ok(letter.event.original.length > 0, 'the unreadable text is kept');
    }
    for (const letter of enrich) {
      assert.equal(letter.error.message, 'logTimestamp missing or not a date');
      assert.equal((JSON.parse(letter.event.original) as RawLogEntry).logTimestamp, 'not-a-timestamp');
    }
  });

  it('an execution id that is not a UUID (Talend answers 400) and an empty log: reported, the rest exact', async () => {
    const tenant = oneTask([
      finished(uuid(1), 5, 1_500),
      finished('run-42', 4, 100),
      finished(uuid(3), 3, 0),
    ]);
    const target = await harness('rel-bad-ids', tenant);
    const result = await run(target, 'non-UUID execution id', ['sync']);
    assert.equal(result.code, 3, result.stderr);
    const summary = summaryOf(result);
    assert.deepEqual(
      summary.failures.map((failure) => failure.executionId),
      ['run-42'],
    );
    assert.match(summary.failures[0]!.error, /HTTP 400: .*Execution ids must be UUIDs/);
    assert.equal(summary.executions.done, 2, 'the empty log counts as done');
    await assertIndexExact(target, [uuid(1), uuid(3)]);
  });
});

describe('bad files given to ingest-file', { concurrency: true }, () => {
  let target: JobHarness;
  let dir: string;
  /** Each case files its lines under an execution of its own: the cases run side by side. */
  const ingest = (execution: string, file: string, content: string | Buffer, extra: string[] = []) => {
    writeFileSync(join(dir, file), content);
    const args = ['ingest-file', join(dir, file), '--task', TASK, '--execution', execution, ...extra];
    return run(target, `ingest-file ${file}`, args);
  };
  const counts = (result: CliResult) => {
    const { linesRead, acknowledged, deadLettered } = JSON.parse(
      result.stdout.trim().split('\n').at(-1)!,
    ) as {
      linesRead: number;
      acknowledged: number;
      deadLettered: number;
    };
    return { linesRead, acknowledged, deadLettered };
  };
  const messagesOf = async (execution: string): Promise<string[]> => {
    await target.client.indices.refresh({ index: `${target.prefix}-logs` });
    const found = await target.client.search<{ message: string }>({
      index: `${target.prefix}-logs`,
      size: 100,
      query: { term: { 'talend.execution.id': execution } },
      sort: [{ '@timestamp': 'asc' }],
    });
    return found.hits.hits.map((hit) => hit._source!.message);
  };

  before(async () => {
    target = await harness('rel-bad-files', oneTask([]));
    dir = mkdtempSync(join(tmpdir(), 'talend-logs-bad-input-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('wrong types: timestamps as text are read, unreadable ones and non-text fields are dead-lettered', async () => {
    const lines = [
      { logTimestamp: 1795000000000, severity: 'INFO', logMessage: 'epoch milliseconds' },
      { logTimestamp: '2026-11-01T10:00:00.123Z', severity: 'INFO', logMessage: 'ISO text' },
      { logTimestamp: '1795000000456', severity: 'INFO', logMessage: 'digits as text' },
      { logTimestamp: 1795000000999, severity: 3, logMessage: 'numbers become text', podName: 12345 },
      { logTimestamp: 'yesterday', severity: 'INFO', logMessage: 'a word' },
      { severity: 'INFO', logMessage: 'no timestamp at all' },
      { logTimestamp: null, severity: 'INFO', logMessage: 'a null timestamp' },
      { logTimestamp: 1795000000789, severity: 'INFO', logMessage: { nested: true } },
    ].map((entry) => JSON.stringify(entry));
    const execution = uuid(10);
    const content = [...lines, '[1,2,3]', '{"logTimestamp": 1795000001000, cut'].join('\n');
    const result = await ingest(execution, 'types.jsonl', content);
    assert.equal(result.code, 3, 'dead letters make ingest-file a partial success');
    assert.deepEqual(counts(result), { linesRead: 10, acknowledged: 4, deadLettered: 6 });
    assert.deepEqual(await messagesOf(execution), [
      'ISO text',
      'epoch milliseconds',
      'digits as text',
      'numbers become text',
    ]);
    // V8's JSON.parse wording differs between Node versions: only its start is compared.
    const reasons = (await deadLettersOf(target))
      .filter((letter) => letter.talend.execution.id === execution)
      .map((letter) =>
        letter.error.message.replace(/^(invalid JSON: Expected double-quoted property name).*$/, '$1'),
      )
      .sort();
    assert.deepEqual(reasons, [
      'entry is not a JSON object (got array)',
      'invalid JSON: Expected double-quoted property name',
      'logMessage is not a string',
      'logTimestamp missing or not a date',
      'logTimestamp missing or not a date',
      'logTimestamp missing or not a date',
    ]);
  });

  it('a 1 MB message, invalid UTF-8 bytes and an empty file: indexed whole, replaced, nothing', async () => {
    const execution = uuid(11);
    const huge = `${'x'.repeat(1024 * 1024)} ✅ end`;
    const big = await ingest(
      execution,
      'big.json',
      JSON.stringify([
        { logTimestamp: 1794000000000, severity: 'ERROR', logMessage: huge },
        { logTimestamp: 1794000000001, severity: 'INFO', logMessage: 'after the big one' },
      ]),
    );
    assert.equal(big.code, 0, big.stderr);
    const invalid = await ingest(
      execution,
      'invalid-utf8.jsonl',
      Buffer.concat([
        Buffer.from('{"logTimestamp": 1794000000002, "severity": "INFO", "logMessage": "bad '),
        Buffer.from([0xc3, 0x28, 0x20, 0xff]),
        Buffer.from(' bytes"}\n'),
      ]),
    );
    assert.equal(invalid.code, 0, invalid.stderr);
    const empty = await ingest(execution, 'empty.json', '');
    assert.equal(empty.code, 0, empty.stderr);
    assert.deepEqual(counts(empty), { linesRead: 0, acknowledged: 0, deadLettered: 0 });

    const [first, second, third, ...rest] = await messagesOf(execution);
    assert.equal(first, huge, 'the 1 MB message is indexed whole');
    assert.equal(second, 'after the big one');
    assert.equal(third, 'bad \uFFFD( \uFFFD bytes', 'invalid bytes become U+FFFD, the rest is kept');
    assert.deepEqual(rest, []);
  });

  it('a file that is not JSON at all: refused with what it starts with', async () => {
    const result = await ingest(uuid(12), 'gateway.json', '<html><body>502 Bad Gateway</body></html>\n', [
      '--file-format',
      'JSON',
    ]);
    assert.equal(result.code, 3, result.stderr);
    // Off a terminal the failure is an ECS line like the others: its message says it.
    const said = stderrMessages(result.stderr).join('\n');
    assert.match(said, /is not a JSON log file: it starts with "<html><body>502 Bad Gateway/);
  });
});

describe('bad configuration: a specific message and the documented exit code', { concurrency: true }, () => {
  let target: JobHarness;
  before(async () => {
    target = await harness('rel-bad-config', oneTask([finished(uuid(1), 2, 10)]));
  });

  const cases: {
    name: string;
    args: string[];
    env?: () => Promise<NodeJS.ProcessEnv> | NodeJS.ProcessEnv;
    code: number;
    message: RegExp;
  }[] = [
    {
      name: 'a region that is not a region id',
      args: ['sync', '--talend-region', 'EU West'],
      env: () => ({ TALEND_API_URL: '' }),
      code: 2,
      message:
        /--talend-region \/ TALEND_REGION "EU West" is not valid: expected a Talend region id: us, eu, ap, au, us-west/,
    },
    {
      name: 'an unparsable date',
      args: ['backfill', '--from', 'last tuesday'],
      code: 2,
      message:
        /--from "last tuesday" is not valid: expected a real date up to now: 2026-01-31, .* or now-30d/,
    },
    {
      name: '--from after --to',
      args: ['backfill', '--from', 'now-1d', '--to', 'now-2d'],
      code: 2,
      message: /--from \(\S+\) must be before --to \(\S+\)/,
    },
    {
      name: 'an unreachable Elasticsearch',
      args: ['sync'],
      // A short outage budget: the run rides out a refused connection as an outage until it runs out.
      env: async () => ({ ES_URL: `http://127.0.0.1:${await closedPort()}`, OUTAGE_BUDGET: '2s' }),
      code: 5,
      message:
        /Elasticsearch at http:\/\/127\.0\.0\.1:\d+\/ is unreachable \(.*ECONNREFUSED.*\): check --es-url \/ ES_URL/,
    },
    {
      name: 'a wrong personal access token',
      args: ['sync'],
      env: () => ({ TALEND_TOKEN: WRONG_TOKEN }),
      code: 5,
      message: /HTTP 401: the personal access token is invalid, expired or revoked\. Create a new one/,
    },
    {
      name: 'a wrong service account secret',
      args: ['sync'],
      env: () => ({ TALEND_TOKEN: '', TALEND_CLIENT_ID: 'some-client', TALEND_CLIENT_SECRET: WRONG_SECRET }),
      code: 5,
      message:
        /HTTP 401: the service account credentials were refused\. Check the service account client id and secret/,
    },
  ];
  for (const config of cases) {
    it(config.name, async () => {
      const result = await run(target, config.name, config.args, (await config.env?.()) ?? {});
      assert.equal(result.code, config.code, result.stderr);
      assert.match(stderrMessages(result.stderr).join('\n'), config.message);
    });
  }
});
