/** Runs the real `talend-logs` CLI from source as a child process, as a user or a scheduler would. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export type CliProcess = ChildProcess & { result: Promise<CliResult> };

/** `env` replaces the parent's environment (only PATH and HOME are kept), so tests see no stray settings. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): CliProcess {
  return spawnCommand(process.execPath, ['--import', 'tsx', CLI, ...args], env);
}

/** Any command as `spawnCli` runs the CLI (`npm run demo`, say), from `cwd`. */
export function spawnCommand(file: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): CliProcess {
  const child = spawn(file, args, {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return withResult(child);
}

/** The child with a promise of its output and how it ended. */
export function withResult(child: ChildProcessByStdio<null, Readable, Readable>): CliProcess {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return Object.assign(child, { result });
}

/** Off a terminal every stderr line is one ECS JSON line: each, parsed; a line that is not fails the test. */
export function stderrEcsLines(stderr: string): Record<string, unknown>[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        assert.fail(`a stderr line is not JSON: ${line}`);
      }
      assert.equal(typeof parsed['@timestamp'], 'string', line);
      assert.equal(typeof parsed['log.level'], 'string', line);
      assert.equal(typeof parsed['ecs.version'], 'string', line);
      assert.equal(typeof parsed.message, 'string', line);
      return parsed;
    });
}

/** What a run said on stderr off a terminal: the `message` of each of its ECS JSON lines. */
export function stderrMessages(stderr: string): string[] {
  return stderrEcsLines(stderr).map((line) => line.message as string);
}
