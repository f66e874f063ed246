/**
 * Every command README.md shows in a shell block, run here and checked against what README says it
 * does, so that README cannot drift from the code. The commands are read from README itself, block
 * by block; the only ones not run are listed below with why, and a command that is neither run nor
 * listed fails the test. Adapted to this machine: Elasticsearch is the test node, Talend is the
 * simulator (or `talend-logs simulate` where README starts it), every index prefix is the test's.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startSimulator, type RunningSimulator, type TenantSpec } from '../../src/simulator/index.ts';
import { spawnCli, spawnCommand, type CliProcess, type CliResult } from '../support/cli.ts';
import { elasticsearchUrl, removePrefix, testClient, uniquePrefix } from '../support/elasticsearch.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const TOKEN = 'readme-commands-token';

/**
 * The commands README shows that cannot run here, each with why. Everything else in a `sh` block
 * runs below.
 */
const NOT_RUN: { pattern: RegExp; why: string }[] = [
  // deploy-files.test.ts checks the Compose file and its secrets instead.
  { pattern: /^docker /, why: 'needs a Docker engine, which this machine has not' },
  { pattern: /^(cp talend\.env\.example|touch secrets\/)/, why: 'prepares the Docker Compose deployment' },
  {
    pattern: /^npm (install|ci)$/,
    why: 'installs from the npm registry; this test runs in an installed checkout',
  },
  // cli-build.test.ts runs the build script on a small copy of the project.
  { pattern: /^npm run build$/, why: 'compiles all of src/ into dist/, minutes of CPU proving nothing more' },
  {
    pattern: /^npm (test|run test:(unit|kibana))$/,
    why: 'the test suite itself, of which this test and the Kibana checks are parts',
  },
  {
    pattern: /^npm run (test:secured|image:test)$/,
    why: 'starts a node with security, or a Docker engine and an image build, of its own: a CI stage each',
  },
  {
    pattern: /^npm run es:(start|stop)/,
    why: 'starts or stops the Elasticsearch node the whole suite shares',
  },
  { pattern: /^npm run bench$/, why: 'takes a quarter of an hour on a quiet machine (bench/README.md)' },
  { pattern: /\[--/, why: 'a synopsis: brackets mark optional parts, ID stands for an id' },
];

/** The ways README names the CLI: all run `src/cli/main.ts` (dist/ is its build, `npm run talend-logs` its tsx run). */
const CLI_FORMS = [/^talend-logs /, /^node dist\/src\/cli\/main\.js /, /^npm run talend-logs -- /];

interface Command {
  block: number;
  text: string;
}

/** The commands of README's `sh` blocks: one per line or `&&` step, comments stripped. */
function readmeCommands(): Command[] {
  const commands: Command[] = [];
  const blocks = [...README.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
  blocks.forEach((block, index) => {
    for (const line of block.split('\n')) {
      const code = line.replace(/\s+#\s.*$/, '').trim();
      if (code === '') continue;
      for (const step of code.split(/\s+&&\s+/)) commands.push({ block: index, text: step.trim() });
    }
  });
  return commands;
}

function notRun(command: Command): string | undefined {
  return NOT_RUN.find(({ pattern }) => pattern.test(command.text))?.why;
}

function cliArgs(command: Command): string[] | undefined {
  const form = CLI_FORMS.find((pattern) => pattern.test(command.text));
  return form === undefined ? undefined : command.text.replace(form, '').split(/\s+/);
}

/** `export A=1 B=2`, as the environment it sets. */
function exported(command: Command): Record<string, string> | undefined {
  if (!command.text.startsWith('export ')) return undefined;
  return Object.fromEntries(
    command.text
      .slice('export '.length)
      .split(/\s+/)
      .map((pair) => pair.split('=', 2) as [string, string]),
  );
}

/** A small tenant: enough for every command to have something to do, in seconds. */
function tenant(): TenantSpec {
  const now = Date.now();
  const runs = [0, 1, 2].map((n) => ({
    id: `4ead0e00-0000-4000-8000-00000000000${n}`,
    status: n === 2 ? 'execution_failed' : 'execution_successful',
    startTime: now - (120 - n * 30) * 60_000,
    finishTime: now - (115 - n * 30) * 60_000,
    entryCount: 50,
  }));
  return {
    seed: 5,
    environments: [{ id: 'e', name: 'Production' }],
    workspaces: [{ id: 'w', name: 'Ops', environmentId: 'e' }],
    tasks: [
      { id: '4ead0e00-1111-4111-8111-111111111111', name: 'Readme_Task', workspaceId: 'w', executions: runs },
    ],
  };
}

/** What README says each subcommand does, checked on its result. */
function assertAsReadmeSays(args: string[], result: CliResult, prefix: string): void {
  const where = `talend-logs ${args.join(' ')}: ${result.stderr.slice(-1500)}`;
  assert.equal(result.code, 0, where);
  const last = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  assert.equal(last.exitCode, 0, where);
  const [command] = args;
  if (command === 'setup') assert.equal(last.prefix, prefix);
  if (command === 'sync' || command === 'backfill') {
    assert.equal(last.msg, 'run summary');
    assert.equal(last.outcome, 'ok');
  }
  if (command === 'replay-dead-letters') {
    assert.equal(last.msg, 'replay summary');
    assert.equal(last.dryRun, args.includes('--dry-run'));
  }
  if (command === 'status') assert.equal(last.outcome, 'ok');
}

/** The first line a long-running command prints, or its end. */
function firstLine(child: CliProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) resolve(text.split('\n')[0]!);
    });
    child.on('close', (code) => reject(new Error(`exited with ${code} before printing a line`)));
  });
}

describe("README's commands do what README says", () => {
  const commands = readmeCommands();
  const prefix = uniquePrefix('readme');
  const secrets = mkdtempSync(join(tmpdir(), 'readme-commands-'));
  let simulator: RunningSimulator;
  let esUrl: string;
  let simulateChild: CliProcess | undefined;
  before(async () => {
    simulator = await startSimulator({ tenant: tenant(), auth: { personalAccessTokens: [TOKEN] } });
    esUrl = await elasticsearchUrl();
    writeFileSync(join(secrets, 'talend-token'), TOKEN);
  });
  after(async () => {
    if (simulateChild?.exitCode === null) simulateChild.kill('SIGKILL');
    await simulator.close();
    rmSync(secrets, { recursive: true, force: true });
    await removePrefix(await testClient(), prefix);
  });

  it('shows commands that this test reads', () => {
    assert.ok(commands.length >= 15, JSON.stringify(commands));
    for (const command of commands) {
      assert.ok(
        notRun(command) !== undefined ||
          cliArgs(command) !== undefined ||
          exported(command) !== undefined ||
          command.text === 'npm run demo',
        `README shows a command this test neither runs nor explains: ${command.text}`,
      );
    }
  });

  it('runs each, block by block, with the environment the blocks set', async () => {
    const ran: string[] = [];
    /** Where README's `simulate` listens here, once started: its `TALEND_API_URL` points there. */
    let simulatedUrl: string | undefined;
    let env: NodeJS.ProcessEnv = {};
    let block = -1;
    for (const command of commands) {
      if (command.block !== block) {
        block = command.block;
        env = { TALEND_API_URL: simulator.apiUrl, TALEND_TOKEN: TOKEN, ES_URL: esUrl, LOG_LEVEL: 'warn' };
      }
      if (notRun(command) !== undefined) continue;
      const variables = exported(command);
      if (variables !== undefined) {
        for (const [name, value] of Object.entries(variables)) {
          if (name === 'TALEND_REGION')
            continue; // Talend is the simulator: TALEND_API_URL names it.
          else if (name === 'TALEND_TOKEN_FILE') {
            assert.equal(value, '/run/secrets/talend-token');
            env.TALEND_TOKEN_FILE = join(secrets, 'talend-token');
            delete env.TALEND_TOKEN;
          } else if (name === 'ES_URL') env.ES_URL = esUrl;
          else if (name === 'ES_API_KEY_FILE')
            continue; // The test node runs without security.
          else if (name === 'TALEND_API_URL') {
            assert.ok(simulatedUrl !== undefined, 'README starts the simulator before pointing at it');
            assert.equal(new URL(value).port, '8080');
            env.TALEND_API_URL = simulatedUrl;
          } else env[name] = value;
        }
        ran.push(command.text);
        continue;
      }
      if (command.text === 'npm run demo') {
        const result = await runDemo({ ES_URL: esUrl, INDEX_PREFIX: `${prefix}-demo` });
        assertDemoAgrees(result);
        ran.push(command.text);
        continue;
      }
      const args = cliArgs(command)!;
      if (args[0] === 'simulate') {
        // README's port may be taken here: any free one, and the commands after it follow.
        assert.deepEqual(args, ['simulate', '--port', '8080']);
        simulateChild = spawnCli(['simulate', '--port', '0'], {});
        const line = await firstLine(simulateChild);
        const match = /^Talend API simulator at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        assert.ok(match, line);
        simulatedUrl = match[1]!;
        ran.push(command.text);
        continue;
      }
      const result = await spawnCli(args, { ...env, INDEX_PREFIX: prefix }).result;
      assertAsReadmeSays(args, result, prefix);
      ran.push(command.text);
    }
    if (simulateChild !== undefined) {
      simulateChild.kill('SIGINT');
      assert.equal((await simulateChild.result).code, 0, 'simulate ends on Ctrl-C');
    }
    assert.ok(
      ran.some((text) => text.endsWith('sync')),
      `a sync ran: ${ran.join('; ')}`,
    );
  });
});

function runDemo(env: NodeJS.ProcessEnv): Promise<CliResult> {
  return spawnCommand('npm', ['run', 'demo'], env, ROOT).result;
}

/**
 * README: the demo runs setup and sync and prints the run summary plus answers. Its failed runs are
 * counted alike by the summary, per task, and in the failure rates.
 */
function assertDemoAgrees(result: CliResult): void {
  assert.equal(result.code, 0, result.stderr.slice(-2000));
  const { stdout } = result;
  assert.match(stdout, /outcome\s+ok \(exit code 0\)/);
  const summaryFailed = Number(/failed at Talend\s+(\d+) of these executions/.exec(stdout)?.[1]);
  const perTask = section(
    stdout,
    'Runs that failed at Talend (failed, rejected or terminated) per task:',
  ).map((line) => Number(/(\d+)$/.exec(line)?.[1]));
  const rates = section(stdout, 'Failure rate per task:').map((line) =>
    Number(/(\d+)\/\d+ runs failed/.exec(line)?.[1]),
  );
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  assert.ok(summaryFailed > 0, stdout);
  assert.equal(sum(perTask), summaryFailed, stdout);
  assert.equal(sum(rates), summaryFailed, stdout);
  assert.match(stdout, /Runs that logged nothing: [1-9]/);
}

/** The indented lines under a heading of the demo's answers. */
function section(text: string, heading: string): string[] {
  const after = text.split(`${heading}\n`)[1] ?? '';
  const lines: string[] = [];
  for (const line of after.split('\n')) {
    if (!line.startsWith('  ')) break;
    lines.push(line.trim());
  }
  assert.ok(lines.length > 0, `${heading} lists something`);
  return lines;
}
