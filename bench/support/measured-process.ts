import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * Preloaded with `--import`: the process's own peak RSS and CPU time, written at exit, when /proc
 * can no longer tell them. Plain JavaScript in a data URL because the compiled CLI runs without
 * tsx, whose loader thread would add its own memory to what is measured.
 */
const USAGE_AT_EXIT = `data:text/javascript,${encodeURIComponent(
  `import { writeFileSync } from 'node:fs';
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({
      maxRssMB: Math.round(usage.maxRSS / 1024),
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
    }));
  });`,
)}`;

export interface MeasuredRun {
  stdout: string;
  seconds: number;
  cpuSeconds: number;
  maxRssMB: number;
}

/** Runs `node <nodeArgs>` to its end and measures it: wall time, CPU time and peak RSS. */
export async function runMeasured(
  nodeArgs: string[],
  env: NodeJS.ProcessEnv,
  what: string,
): Promise<MeasuredRun> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-usage-'));
  const usageFile = join(dir, 'usage.json');
  try {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', USAGE_AT_EXIT, ...nodeArgs], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, BENCH_USAGE_FILE: usageFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`${what} exited with ${String(code)}:\n${stderr}\n${stdout}`);
    const usage = JSON.parse(await readFile(usageFile, 'utf8')) as { maxRssMB: number; cpuSeconds: number };
    return { stdout, seconds, ...usage };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
