/**
 * What the CLI answers, through the real CLI: that it names a URL that is not the service it expects
 * (exit 5, with what answered), that a fatal error off a terminal is an ECS line followed by a
 * summary line on stdout, that the summary's counts each mean one thing, and that `status` lists
 * the runs done.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type RunningSimulator, type TenantSpec } from '../../src/simulator/index.ts';
import { spawnCli, stderrEcsLines, stderrMessages, type CliResult } from '../support/cli.ts';
import { elasticsearchUrl, removePrefix, testClient, uniquePrefix } from '../support/elasticsearch.ts';
import { startJobHarness, summaryOf, type JobHarness } from '../support/job-harness.ts';

const MINUTE = 60_000;
const TOKEN = 'answers-test-token';
const TASK = '21212121-2121-4121-8121-212121212121';
const WORKSPACE = '21212121-0000-4000-8000-000000000001';
const ENVIRONMENT = '21212121-0000-4000-8000-000000000002';
const SUCCESSFUL = '21212121-aaaa-4000-8000-000000000001';
const FAILED = '21212121-aaaa-4000-8000-000000000002';
const REJECTED = '21212121-aaaa-4000-8000-000000000003';
const RUNNING = '21212121-aaaa-4000-8000-000000000004';

/** A successful run, a failed one with a log, one rejected before it logged anything, one running. */
function tenant(): TenantSpec {
  const now = Date.now();
  return {
    seed: 21,
    environments: [{ id: ENVIRONMENT, name: 'Production' }],
    workspaces: [{ id: WORKSPACE, name: 'Ops', environmentId: ENVIRONMENT }],
    tasks: [
      {
        id: TASK,
        name: 'Answers_Task',
        workspaceId: WORKSPACE,
        executions: [
          {
            id: SUCCESSFUL,
            status: 'execution_successful',
            startTime: now - 300 * MINUTE,
            finishTime: now - 290 * MINUTE,
            entryCount: 40,
          },
          {
            id: FAILED,
            status: 'execution_failed',
            startTime: now - 280 * MINUTE,
            finishTime: now - 275 * MINUTE,
            entryCount: 30,
          },
          {
            id: REJECTED,
            status: 'execution_rejected',
            startTime: now - 270 * MINUTE,
            finishTime: now - 270 * MINUTE,
            entryCount: 0,
          },
          {
            id: RUNNING,
            status: 'executing',
            startTime: now - 10 * MINUTE,
            entryCount: 200,
            entriesPerSecond: 0.2,
          },
        ],
      },
    ],
  };
}

/** A web server that is no part of the product: an HTML page for every path. */
async function startWebPage(): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(404, { 'content-type': 'text/html' });
    response.end(
      '<!DOCTYPE html><html><head><title>Nothing here</title></head><body><p>SECRET-PAGE-TEXT</p></body></html>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The last stdout line: the run's summary, with its outcome and exit code. */
function lastSummary(result: CliResult): {
  outcome: string;
  exitCode: number;
  command?: string;
  error?: string;
} {
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  const summary = JSON.parse(last) as { msg: string; outcome: string; exitCode: number };
  assert.equal(summary.msg, 'run summary', last);
  assert.equal(summary.exitCode, result.code, 'the summary says the exit code');
  return summary;
}

describe('a URL that is not the service expected is named, exit 5 (finding 6)', () => {
  let simulator: RunningSimulator;
  let page: { url: string; server: Server };
  let esUrl: string;
  const prefix = uniquePrefix('answers-identity');
  before(async () => {
    simulator = await startSimulator({ tenant: tenant(), auth: { personalAccessTokens: [TOKEN] } });
    page = await startWebPage();
    esUrl = await elasticsearchUrl();
  });
  after(async () => {
    await simulator.close();
    await new Promise((resolve) => page.server.close(resolve));
    await removePrefix(await testClient(), prefix);
  });

  const commands: [string, string[]][] = [
    ['status', ['status']],
    ['replay-dead-letters --dry-run', ['replay-dead-letters', '--dry-run']],
    ['setup', ['setup']],
    ['ingest-file', ['ingest-file', 'package.json', '--task', TASK, '--execution', SUCCESSFUL]],
  ];
  for (const [name, args] of commands) {
    it(`${name} against the simulator and against a web page`, async () => {
      for (const [what, url, found] of [
        ['the simulator', simulator.apiUrl, /GET \/ answered HTTP 404 \(Talend's ErrorResponse\)/],
        ['a web page', page.url, /GET \/ answered HTTP 404, an HTML page titled "Nothing here"/],
      ] as const) {
        const result = await spawnCli(args, { ES_URL: url, INDEX_PREFIX: prefix }).result;
        assert.equal(result.code, 5, `${name} against ${what}: ${result.stderr}`);
        assert.match(stderrMessages(result.stderr).join('\n'), /is not Elasticsearch/);
        assert.match(stderrMessages(result.stderr).join('\n'), found);
        assert.doesNotMatch(result.stderr + result.stdout, /SECRET-PAGE-TEXT|<html/i, 'no raw page');
        assert.doesNotMatch(result.stdout, /"read":0/, 'no zeros reported as an answer');
        assert.equal(lastSummary(result).outcome, 'fatal');
      }
    });
  }

  it('sync against the simulator as Elasticsearch writes nothing and says so', async () => {
    const result = await spawnCli(['sync'], {
      ES_URL: simulator.apiUrl,
      TALEND_API_URL: simulator.apiUrl,
      TALEND_TOKEN: TOKEN,
      INDEX_PREFIX: prefix,
    }).result;
    assert.equal(result.code, 5, result.stderr);
    assert.match(result.stderr, /is not Elasticsearch/);
    assert.equal(simulator.stats().tasks, 0, 'Talend was not asked anything');
  });

  it('sync against a web page or Elasticsearch as Talend names what answered', async () => {
    for (const [url, found] of [
      [page.url, /is not Talend's API: listTasks answered HTTP 404, an HTML page titled "Nothing here"/],
      [esUrl, /is not Talend's API: listTasks answered HTTP \d+ from Elasticsearch/],
    ] as const) {
      const result = await spawnCli(['sync'], {
        ES_URL: esUrl,
        TALEND_API_URL: url,
        TALEND_TOKEN: TOKEN,
        INDEX_PREFIX: prefix,
      }).result;
      assert.equal(result.code, 5, result.stderr);
      assert.match(stderrMessages(result.stderr).join('\n'), found);
      assert.doesNotMatch(result.stderr + result.stdout, /SECRET-PAGE-TEXT/);
      assert.equal(lastSummary(result).outcome, 'fatal');
    }
  });

  it('setup --kibana-url against a web page or Elasticsearch is exit 5, naming what answered', async () => {
    for (const [url, found] of [
      [
        page.url,
        /is not Kibana: the saved objects import answered HTTP 404, an HTML page titled "Nothing here"/,
      ],
      [esUrl, /is not Kibana: the saved objects import answered HTTP \d+ from Elasticsearch/],
    ] as const) {
      const result = await spawnCli(['setup', '--kibana-url', url], { ES_URL: esUrl, INDEX_PREFIX: prefix })
        .result;
      assert.equal(result.code, 5, result.stderr);
      assert.match(stderrMessages(result.stderr).join('\n'), found);
      assert.doesNotMatch(result.stderr + result.stdout, /SECRET-PAGE-TEXT/);
      assert.equal(lastSummary(result).outcome, 'fatal');
    }
  });
});

describe('fatal errors off a terminal: ECS lines, then the summary line (finding 9)', () => {
  let simulator: RunningSimulator;
  const prefix = uniquePrefix('answers-fatal');
  before(async () => {
    simulator = await startSimulator({ tenant: tenant(), auth: { personalAccessTokens: [TOKEN] } });
  });
  after(async () => {
    await simulator.close();
    await removePrefix(await testClient(), prefix);
  });

  it('a wrong token', async () => {
    const result = await spawnCli(['sync'], {
      ES_URL: await elasticsearchUrl(),
      TALEND_API_URL: simulator.apiUrl,
      TALEND_TOKEN: 'not-the-token',
      INDEX_PREFIX: prefix,
    }).result;
    assert.equal(result.code, 5, result.stderr);
    const fatal = stderrEcsLines(result.stderr).filter((line) => line['log.level'] === 'fatal');
    assert.equal(fatal.length, 1, result.stderr);
    assert.match(String(fatal[0]!.message), /HTTP 401/);
    assert.doesNotMatch(result.stderr + result.stdout, /not-the-token/);
    assert.equal(lastSummary(result).outcome, 'fatal');
  });

  it('an unreachable Elasticsearch', async () => {
    for (const command of [['sync'], ['status'], ['setup']]) {
      const result = await spawnCli(command, {
        ES_URL: 'http://127.0.0.1:1',
        OUTAGE_BUDGET: '1s',
        TALEND_API_URL: simulator.apiUrl,
        TALEND_TOKEN: TOKEN,
        INDEX_PREFIX: prefix,
      }).result;
      assert.equal(result.code, 5, result.stderr);
      const lines = stderrEcsLines(result.stderr);
      assert.match(
        String(lines.at(-1)!.message),
        /Elasticsearch at http:\/\/127\.0\.0\.1:1\/ is unreachable/,
      );
      assert.equal(lastSummary(result).outcome, 'fatal');
    }
  });
});

describe('one meaning for each count (findings 7, 8, 10)', () => {
  let harness: JobHarness;
  before(async () => {
    harness = await startJobHarness('answers-counts', {
      tenant: tenant(),
      variants: { statusPollsBeforeReady: 0 },
    });
  });
  after(() => harness.close());

  it('the summary tells runs done, still running and failed at Talend apart; status lists the runs done', async () => {
    const result = await harness.runCli(['sync']);
    assert.equal(result.code, 0, result.stderr);
    const summary = summaryOf(result);
    assert.equal(summary.exitCode, 0);
    assert.deepEqual(summary.executions, {
      planned: 4,
      done: 3,
      withDeadLetters: 0,
      stillRunning: 1,
      syncFailed: 0,
      givenUp: 0,
      failedAtTalend: 2,
    });

    const status = await harness.runCli(['status', '--json']);
    assert.equal(status.code, 0, status.stderr);
    const task = JSON.parse(status.stdout.trim().split('\n')[0]!) as {
      done: { executionId: string; status: string }[];
      inProgress: { executionId: string }[];
    };
    assert.deepEqual(
      task.done.map((run) => run.executionId).sort(),
      [SUCCESSFUL, FAILED, REJECTED].sort(),
      'the runs done, though the checkpoint no longer tracks them',
    );
    assert.deepEqual(
      task.inProgress.map((run) => run.executionId),
      [RUNNING],
    );
    assert.equal(lastSummary(status).outcome, 'ok');
  });
});
