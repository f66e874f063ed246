/**
 * What `talend-logs sync` writes on stderr, where a scheduler reads it (a pipe: ECS JSON lines) and
 * where a person does (a terminal: the progress line, and log lines that never land on it). The
 * terminal is a real pseudo-terminal, from util-linux `script`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ECS_VERSION } from '../../src/common/ecs-version.ts';
import { generateTenant } from '../../src/simulator/index.ts';
import { stderrEcsLines } from '../support/cli.ts';
import { startJobHarness, type JobHarness } from '../support/job-harness.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const SYNC = ['sync', '--lookback', '3d'];
// eslint-disable-next-line no-control-regex -- the escape codes of a terminal are what it reads
const COLOURS = /\x1b\[[0-9;]*m/g;
/** A few downloads fail once or twice (never as often as the retries allow): warnings in the middle of the run. */
const FAULTS = [
  { kind: 'download' as const, fault: 'http500' as const, rate: 0.5, times: 4 },
  { kind: 'download' as const, fault: 'slow' as const, delayMs: 400 },
];

describe('the log output of sync', () => {
  let harness: JobHarness;

  before(async () => {
    harness = await startJobHarness('log-output', {
      tenant: generateTenant({
        seed: 61,
        tasks: 2,
        executionsPerTask: 3,
        entriesPerExecution: 2_000,
        spreadDays: 2,
      }),
      maxEntriesPerFile: 1_000,
      variants: { jsonShape: 'jsonl', statusPollsBeforeReady: 0 },
    });
  });

  after(async () => {
    await harness.close();
  });

  it('off a terminal: an ECS JSON line for every line of stderr', async () => {
    harness.simulator.setFaults(FAULTS);
    const result = await harness.runCli(SYNC, { LOG_LEVEL: 'info' });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    assert.ok(lines.length > 3, result.stderr);
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      assert.ok(!Number.isNaN(Date.parse(record['@timestamp'] as string)), line);
      assert.match(record['log.level'] as string, /^(info|warn)$/, line);
      assert.equal(record['ecs.version'], ECS_VERSION, line);
      assert.equal(typeof record.message, 'string', line);
      assert.deepEqual(record.service, { name: 'talend-logs-es' }, line);
      for (const key of Object.keys(record)) {
        assert.match(
          key,
          /^(@timestamp|log\.level|ecs\.version|message|process|host|service|error|talend\..+)$/,
        );
      }
    }
    const retries = lines.filter((line) =>
      /"message":"Talend \w+ failed \(HTTP 500\): retrying in/.test(line),
    );
    assert.ok(retries.length > 0, 'the faults were logged');
    assert.ok(
      retries.some(
        (line) => typeof (JSON.parse(line) as Record<string, unknown>)['talend.executionId'] === 'string',
      ),
      "a chunk's warnings carry its execution id",
    );
  });

  it('off a terminal: a refused configuration is one ECS line at level fatal, and the summary says so', async () => {
    const result = await harness.runCli([...SYNC, '--log-level', 'verbose'], {});
    assert.equal(result.code, 2, result.stderr);
    const lines = stderrEcsLines(result.stderr);
    assert.equal(lines.length, 1, result.stderr);
    const [line] = lines;
    assert.equal(line!['log.level'], 'fatal');
    assert.deepEqual(line!.service, { name: 'talend-logs-es' });
    const error = line!.error as { type: string; message: string };
    assert.equal(error.type, 'ConfigError');
    assert.match(
      error.message,
      /--log-level \/ LOG_LEVEL "verbose" is not valid: expected one of fatal, error/,
    );
    assert.match(line!.message as string, /--log-level \/ LOG_LEVEL "verbose" is not valid/);
    const summary = JSON.parse(result.stdout.trim()) as Record<string, unknown>;
    assert.deepEqual(
      { msg: summary.msg, command: summary.command, outcome: summary.outcome, exitCode: summary.exitCode },
      { msg: 'run summary', command: 'sync', outcome: 'refused', exitCode: 2 },
    );
    assert.ok(!(result.stdout + result.stderr).includes(harness.env.TALEND_TOKEN!), 'the token never shows');
  });

  it('off a terminal: arguments that cannot be read are one ECS line at level fatal, and no summary', async () => {
    const result = await harness.runCli([...SYNC, '--log-levle', 'info'], {});
    assert.equal(result.code, 2, result.stderr);
    const lines = stderrEcsLines(result.stderr);
    assert.equal(lines.length, 1, result.stderr);
    assert.equal(lines[0]!['log.level'], 'fatal');
    assert.match(lines[0]!.message as string, /Unknown option '--log-levle' \(did you mean --log-level\?\)/);
    assert.equal(result.stdout, '', 'no run to summarize');
  });

  it('on a terminal: a refused configuration is one plain line, for the person reading it', async () => {
    const output = await inTerminal(
      [process.execPath, '--import', 'tsx', CLI, ...SYNC, '--log-level', 'verbose'],
      {
        ...harness.env,
      },
    );
    assert.equal(output.code, 2, output.text);
    const screen = screenLines(output.text);
    const said = screen.filter((line) => line.startsWith('talend-logs: '));
    assert.equal(said.length, 1, output.text);
    assert.match(
      output.text,
      /- --log-level \/ LOG_LEVEL "verbose" is not valid: expected one of fatal, error/,
    );
    assert.ok(!output.text.includes('"log.level"'), `no ECS line on a terminal:\n${output.text}`);
  });

  it('on a terminal: no screen line holds both the progress line and a log line', async () => {
    // Indexed already: a second prefix starts the run from scratch.
    const prefix = `${harness.prefix}-tty`;
    harness.simulator.setFaults(FAULTS);
    const output = await inTerminal([process.execPath, '--import', 'tsx', CLI, ...SYNC], {
      ...harness.env,
      INDEX_PREFIX: prefix,
      LOG_LEVEL: 'info',
    }).finally(() => harness.client.indices.delete({ index: `${prefix}*`, ignore_unavailable: true }));
    assert.equal(output.code, 0, output.text);
    const screen = screenLines(output.text);
    const isProgress = (line: string) => /executions \d+\/\d+ {2}chunks \d+/.test(line);
    const isLog = (line: string) => /\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN)/.test(line);
    assert.ok(screen.some(isLog), `log lines were written:\n${screen.join('\n')}`);
    assert.ok(screen.some(isProgress), `the progress line was drawn:\n${screen.join('\n')}`);
    // The case that matters: a log line written while the progress line was on the screen.
    const plain = output.text.replace(COLOURS, '');
    const between = plain.slice(plain.indexOf('executions '), plain.lastIndexOf('executions '));
    assert.ok(/\] (WARN|INFO)/.test(between), 'some log lines came between two progress draws');
    const mixed = screen.filter((line) => isProgress(line) && isLog(line));
    assert.deepEqual(mixed, [], 'progress and log text share a screen line');
  });
});

/** Runs a command on a pseudo-terminal 160 columns wide and returns what the terminal received. */
function inTerminal(
  command: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; text: string }> {
  const quoted = command.map((part) => `'${part.replaceAll("'", `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', `stty cols 160 rows 50; exec ${quoted}`, '/dev/null'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, text })));
}

/**
 * The lines a terminal shows for `text`: carriage returns move back to the line's start, `ESC[K`
 * erases to its end, and later characters overwrite earlier ones. Colours are dropped.
 */
function screenLines(text: string): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  let column = 0;
  const plain = text.replace(COLOURS, '');
  for (let i = 0; i < plain.length; i++) {
    const char = plain[i]!;
    if (char === '\r') column = 0;
    else if (char === '\n') {
      lines.push(line.join(''));
      line = [];
      column = 0;
    } else if (plain.startsWith('\x1b[K', i)) {
      line.length = column;
      i += 2;
    } else line[column++] = char;
  }
  if (line.length > 0) lines.push(line.join(''));
  return lines;
}
