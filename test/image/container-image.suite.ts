/**
 * The container image, built from the repository's Dockerfile and run as the Kubernetes manifests run it: as its own
 * non-root user, with a read-only root file system, no capabilities, secrets read from mounted files. It meets the
 * Talend simulator and a real Elasticsearch on the host's network. Run by `npm run image:test` (scripts/image-test.sh),
 * not by `npm test`: it needs a Docker engine.
 *
 * IMAGE_TEST_NODE_IMAGE: the Dockerfile's NODE_IMAGE build argument, where node:24-slim cannot be pulled.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateTenant, type TenantSpec } from '../../src/simulator/index.ts';
import { withResult, type CliProcess } from '../support/cli.ts';
import {
  compareIds,
  executionIdsOf,
  startJobHarness,
  summaryOf,
  TEST_TOKEN,
  type JobHarness,
} from '../support/job-harness.ts';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
};
const IMAGE = `talend-logs-es:${version}`;
/** Where the Kubernetes manifests mount the Secret. */
const SECRETS_DIR = '/var/run/secrets/talend-logs';
const BUILD_TIMEOUT_MS = 20 * 60_000;
const DOWNLOAD_WAIT_MS = 120_000;
/** The flags of the CLI's shebang, which the Dockerfile repeats in NODE_OPTIONS. */
const V8_FLAGS = /^#!\/usr\/bin\/env -S node (.+)$/.exec(
  readFileSync(path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'utf8').split('\n')[0]!,
)![1]!;

async function docker(args: string[], timeout = 60_000): Promise<string> {
  const { stdout } = await run('docker', args, { timeout, maxBuffer: 64 << 20 });
  return stdout;
}

describe(`the container image ${IMAGE}`, { timeout: BUILD_TIMEOUT_MS + 10 * 60_000 }, () => {
  let harness: JobHarness;
  let tenant: TenantSpec;
  let secrets: string;
  const containers: string[] = [];

  /** `docker run` of the image, locked down as cronjob.yaml runs it; the token comes as a file, never as a value. */
  function runImage(args: string[]): CliProcess & { name: string } {
    const name = `talend-logs-image-test-${process.pid}-${containers.length + 1}`;
    containers.push(name);
    const env = { ...harness.env, TALEND_TOKEN: undefined, TALEND_TOKEN_FILE: `${SECRETS_DIR}/talend-token` };
    const envFlags = Object.entries(env).flatMap(([key, value]) =>
      value === undefined ? [] : ['--env', `${key}=${value}`],
    );
    const child = spawn(
      'docker',
      [
        'run',
        '--rm',
        '--name',
        name,
        '--network',
        'host',
        '--read-only',
        '--cap-drop',
        'ALL',
        '--security-opt',
        'no-new-privileges',
        '--volume',
        `${secrets}:${SECRETS_DIR}:ro`,
        ...envFlags,
        IMAGE,
        ...args,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return Object.assign(withResult(child), { name });
  }

  before(async () => {
    const buildArgs = process.env.IMAGE_TEST_NODE_IMAGE
      ? ['--build-arg', `NODE_IMAGE=${process.env.IMAGE_TEST_NODE_IMAGE}`]
      : [];
    // The host's network, for npm ci: an engine without a bridge network (CI's own) has no other.
    await docker(['build', '--network', 'host', ...buildArgs, '--tag', IMAGE, REPO_ROOT], BUILD_TIMEOUT_MS);
    tenant = generateTenant({
      seed: 20,
      tasks: 2,
      executionsPerTask: 3,
      entriesPerExecution: 2_000,
      spreadDays: 1,
    });
    harness = await startJobHarness('image', { tenant });
    // Readable by the image's user, whatever uid owns them on the host.
    secrets = mkdtempSync(path.join(os.tmpdir(), 'talend-logs-image-secrets-'));
    chmodSync(secrets, 0o755);
    writeFileSync(path.join(secrets, 'talend-token'), `${TEST_TOKEN}\n`, { mode: 0o444 });
  });

  after(async () => {
    // A test that failed half-way leaves its container running: the docker CLI's end does not stop it.
    await docker(['rm', '--force', ...containers]).catch(() => undefined);
    await harness?.close();
    if (secrets) rmSync(secrets, { recursive: true, force: true });
  });

  it('runs as the non-root node user, with the V8 flags in NODE_OPTIONS', async () => {
    const config = JSON.parse(await docker(['image', 'inspect', '--format', '{{json .Config}}', IMAGE])) as {
      User: string;
      Env: string[];
    };
    assert.equal(config.User, 'node');
    assert.ok(config.Env.includes(`NODE_OPTIONS=${V8_FLAGS}`), config.Env.join('\n'));
  });

  it('setup, then sync: exit 0, and Elasticsearch holds exactly the source entries', async () => {
    const setup = await runImage(['setup']).result;
    assert.equal(setup.code, 0, setup.stderr);
    const sync = await runImage(['sync', '--lookback', '3d']).result;
    assert.equal(sync.code, 0, sync.stderr);
    const expected = harness.expectedIds(executionIdsOf(tenant));
    assert.deepEqual(
      { outcome: summaryOf(sync).outcome, documents: summaryOf(sync).documents },
      { outcome: 'ok', documents: expected.size },
    );
    assert.deepEqual(compareIds(await harness.indexedIds(), expected), {
      missing: 0,
      unexpected: 0,
      duplicates: 0,
    });
    assert.ok(
      !`${setup.stdout}${setup.stderr}${sync.stdout}${sync.stderr}`.includes(TEST_TOKEN),
      'no token in output',
    );
  });

  it('a running sync: uid 1000, read-only root, the flags in effect; SIGTERM ends it with exit 4 and a summary', async () => {
    // A run that ends after the first sync, whose download is held back so the signal finds the sync at work.
    const started = Date.now();
    const executionId = 'cccccccc-0000-4000-8000-000000000020';
    harness.simulator.addExecution(tenant.tasks[0]!.id, {
      id: executionId,
      status: 'execution_successful',
      startTime: started,
      finishTime: started + 1_000,
      entryCount: 5_000,
    });
    harness.simulator.setFaults([{ kind: 'download', fault: 'slow', delayMs: 60_000, executionId }]);
    await delay(started + 2_500 - Date.now());
    const downloadsBefore = harness.simulator.stats().download;
    const sync = runImage(['sync', '--lookback', '3d']);
    const deadline = Date.now() + DOWNLOAD_WAIT_MS;
    while (harness.simulator.stats().download === downloadsBefore) {
      if (sync.exitCode !== null || Date.now() > deadline) {
        sync.kill();
        assert.fail(`no download within ${DOWNLOAD_WAIT_MS} ms: ${(await sync.result).stderr}`);
      }
      await delay(200);
    }

    const status = await docker(['exec', sync.name, 'cat', '/proc/1/status']);
    assert.match(status, /^Uid:\s+1000\s+1000\s+1000\s+1000$/m);
    const probe = JSON.parse(
      await docker([
        'exec',
        sync.name,
        'node',
        '-e',
        `const fs = require('node:fs'), v8 = require('node:v8');
         const root = fs.readFileSync('/proc/1/mounts', 'utf8').split('\\n').map((line) => line.split(' ')).find((fields) => fields[1] === '/');
         const environ = fs.readFileSync('/proc/1/environ', 'utf8').split('\\0');
         console.log(JSON.stringify({
           rootOptions: root[3].split(','),
           cmdline: fs.readFileSync('/proc/1/cmdline', 'utf8').split('\\0').filter(Boolean),
           nodeOptions: environ.find((entry) => entry.startsWith('NODE_OPTIONS=')),
           heapLimitMiB: v8.getHeapStatistics().heap_size_limit / 2 ** 20,
         }));`,
      ]),
    ) as { rootOptions: string[]; cmdline: string[]; nodeOptions?: string; heapLimitMiB: number };
    assert.ok(
      probe.rootOptions.includes('ro'),
      `the root file system is mounted ${probe.rootOptions.join(',')}`,
    );
    assert.deepEqual(probe.cmdline, ['node', 'dist/src/cli/main.js', 'sync', '--lookback', '3d']);
    assert.equal(probe.nodeOptions, `NODE_OPTIONS=${V8_FLAGS}`);
    // --max-old-space-size=256 plus the young generation; V8's default here would be gigabytes.
    assert.ok(probe.heapLimitMiB >= 256 && probe.heapLimitMiB < 300, `heap limit ${probe.heapLimitMiB} MiB`);

    await docker(['kill', '--signal', 'TERM', sync.name]);
    const interrupted = await sync.result;
    assert.equal(interrupted.code, 4, interrupted.stderr);
    const summary = summaryOf(interrupted);
    assert.equal(summary.outcome, 'interrupted');
    harness.simulator.setFaults([]);

    const resumed = await runImage(['sync', '--lookback', '3d']).result;
    assert.equal(resumed.code, 0, resumed.stderr);
    const expected = harness.expectedIds([...executionIdsOf(tenant), executionId]);
    assert.deepEqual(compareIds(await harness.indexedIds(), expected), {
      missing: 0,
      unexpected: 0,
      duplicates: 0,
    });
  });
});
