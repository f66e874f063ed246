import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

/**
 * Preloaded through NODE_OPTIONS: the process's own peak RSS and CPU time, written at exit, when
 * /proc can no longer tell them, and where the memory was: the largest V8 heap and the largest
 * memory outside it (Buffers) seen in samples every 250 ms. NODE_OPTIONS reaches node however it is
 * started, the CLI through its shebang included. Plain JavaScript because the compiled CLI runs
 * without tsx, whose loader thread would add its own memory to what is measured.
 */
const USAGE_AT_EXIT = `import { writeFileSync } from 'node:fs';
let heap = 0;
let external = 0;
const sample = () => {
  const memory = process.memoryUsage();
  heap = Math.max(heap, memory.heapTotal);
  external = Math.max(external, memory.external);
};
setInterval(sample, 250).unref();
process.on('exit', () => {
  sample();
  const usage = process.resourceUsage();
  const mb = (bytes) => Math.round(bytes / 1048576);
  writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({
    maxRssMB: mb(usage.maxRSS * 1024),
    peakHeapMB: mb(heap),
    peakExternalMB: mb(external),
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  }));
});
`;

export interface MeasuredRun {
  stdout: string;
  seconds: number;
  cpuSeconds: number;
  maxRssMB: number;
  /** V8's heap (heapTotal) and the memory outside it (external), at their largest. */
  peakHeapMB: number;
  peakExternalMB: number;
}

/**
 * Runs `command` (an executable and its arguments) to its end and measures it: wall time, CPU time
 * and peak RSS. The node found first on PATH is the one running the benchmark.
 */
export async function runMeasured(
  command: [string, ...string[]],
  env: NodeJS.ProcessEnv,
  what: string,
): Promise<MeasuredRun> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-usage-'));
  const usageFile = join(dir, 'usage.json');
  const preload = join(dir, 'usage.mjs');
  try {
    await writeFile(preload, USAGE_AT_EXIT);
    const started = performance.now();
    const [executable, ...args] = command;
    const child = spawn(executable, args, {
      env: {
        PATH: [dirname(process.execPath), process.env.PATH].join(delimiter),
        HOME: process.env.HOME,
        ...env,
        NODE_OPTIONS: `--import=${pathToFileURL(preload).href}`,
        BENCH_USAGE_FILE: usageFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`${what} exited with ${String(code)}:\n${stderr}\n${stdout}`);
    const usage = JSON.parse(await readFile(usageFile, 'utf8')) as Omit<MeasuredRun, 'stdout' | 'seconds'>;
    return { stdout, seconds, ...usage };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
