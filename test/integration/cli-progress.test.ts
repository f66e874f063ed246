/**
 * The progress display of `sync`, through the real CLI: on a terminal (a pseudo-terminal made by
 * util-linux `script`) the line moves while the first chunk is still being indexed; off a terminal,
 * `--progress` writes progress as ECS log lines, as the settings table says.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { TenantSpec } from '../../src/simulator/index.ts';
import { startJobHarness, summaryOf, type JobHarness } from '../support/job-harness.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TASK = '11111111-1111-4111-8111-111111111111';
const BIG = '11111111-aaaa-4000-8000-000000000001';
/** One file's worth (Talend's 206 limit): a single chunk that takes seconds to index. */
const ENTRIES = 100_000;

function tenant(): TenantSpec {
  const now = Date.now();
  return {
    seed: 11,
    environments: [{ id: 'e', name: 'Production' }],
    workspaces: [{ id: 'w', name: 'Ops', environmentId: 'e' }],
    tasks: [
      {
        id: TASK,
        name: 'Progress_Task',
        workspaceId: 'w',
        executions: [
          {
            id: BIG,
            status: 'execution_successful',
            startTime: now - 60 * 60_000,
            finishTime: now - 30 * 60_000,
            entryCount: ENTRIES,
          },
        ],
      },
    ],
  };
}

/** Runs the CLI with a terminal for stdout and stderr; resolves with what the terminal showed. */
function runOnTerminal(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, '--import', 'tsx', CLI, ...args].map((word) => `'${word}'`).join(' ');
  const child = spawn('script', ['--quiet', '--flush', '--return', '--command', command, '/dev/null'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (screen += text));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, screen })));
}

describe('sync progress (finding 11)', () => {
  let harness: JobHarness;
  before(async () => {
    harness = await startJobHarness('progress', {
      tenant: tenant(),
      variants: { statusPollsBeforeReady: 0 },
    });
  });
  after(() => harness.close());

  it('on a terminal, the line counts documents as Elasticsearch acknowledges them, within the chunk', async () => {
    const { code, screen } = await runOnTerminal(['sync', '--bulk-size', '512kb'], harness.env);
    assert.equal(code, 0, screen.slice(-2000));
    const frames = [...screen.matchAll(/chunks (\d+) {2}documents (\d+)/g)].map((match) => ({
      chunks: Number(match[1]),
      documents: Number(match[2]),
    }));
    assert.ok(
      frames.some((frame) => frame.chunks === 0 && frame.documents > 0 && frame.documents < ENTRIES),
      `the line moved before the chunk ended: ${JSON.stringify(frames)}`,
    );
    assert.deepEqual(frames.at(-1), { chunks: 1, documents: ENTRIES });
  });

  it('off a terminal, --progress writes progress as ECS log lines', async () => {
    // A prefix of its own: the run above left nothing for this one to do under the harness's.
    const result = await harness.runCli(['sync', '--progress'], {
      INDEX_PREFIX: `${harness.prefix}-again`,
      LOG_LEVEL: 'info',
    });
    assert.equal(result.code, 0, result.stderr);
    const progress = result.stderr
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.message === 'progress');
    assert.ok(progress.length >= 1, result.stderr);
    assert.equal(progress.at(-1)!['talend.documentsAcknowledged'], summaryOf(result).documents);
    assert.equal(summaryOf(result).documents, ENTRIES);
  });
});
