/**
 * Runs the real connector, `talend-logs sync` from the compiled package (what `npm install` gives a
 * user), as a child process, measured from the outside.
 */
import { chmod } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runMeasured } from './measured-process.ts';
import { BENCH_TOKEN } from './scenarios.ts';

export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

export interface ConnectorOptions {
  apiUrl: string;
  esUrl: string;
  prefix: string;
  /** `--concurrency`: executions in parallel. Default: the connector's own (4). */
  concurrency?: number;
  /** More settings, as environment variables. */
  env?: Record<string, string>;
}

export interface ProcessResult {
  documents: number;
  seconds: number;
  documentsPerSecond: number;
  cpuSeconds: number;
  maxRssMB: number;
  /** Where the memory was: V8's heap and the memory outside it, at their largest. */
  peakHeapMB: number;
  peakExternalMB: number;
}

/**
 * Started as the `talend-logs` command is: the file itself, executable as npm makes it on install,
 * so that node runs with the V8 flags of its shebang line.
 */
export async function runConnector(options: ConnectorOptions): Promise<ProcessResult> {
  await chmod(CLI, 0o755);
  const command: [string, ...string[]] = [CLI, 'sync'];
  if (options.concurrency !== undefined) command.push('--concurrency', String(options.concurrency));
  const run = await runMeasured(
    command,
    {
      TALEND_API_URL: options.apiUrl,
      TALEND_TOKEN: BENCH_TOKEN,
      ES_URL: options.esUrl,
      INDEX_PREFIX: options.prefix,
      SYNC_SETTLE_DELAY: '1s',
      SYNC_LOOKBACK: '3d',
      LOG_LEVEL: 'warn',
      ILM_ENABLED: 'false',
      PROGRESS: 'false',
      ...options.env,
    },
    'talend-logs sync',
  );
  const summary = run.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((line) => line.includes('"run summary"'));
  if (summary === undefined) throw new Error(`no run summary on stdout:\n${run.stdout}`);
  const { documents } = JSON.parse(summary) as { documents: number };
  return {
    documents,
    seconds: run.seconds,
    documentsPerSecond: documents / run.seconds,
    cpuSeconds: run.cpuSeconds,
    maxRssMB: run.maxRssMB,
    peakHeapMB: run.peakHeapMB,
    peakExternalMB: run.peakExternalMB,
  };
}

const REFERENCE = fileURLToPath(new URL('../reference-workflow.ts', import.meta.url));

/** The guide's workflow (bench/reference-workflow.ts) against the same simulator and cluster. */
export async function runReference(options: ConnectorOptions & { workDir: string }): Promise<ProcessResult> {
  const run = await runMeasured(
    [process.execPath, '--import', 'tsx', REFERENCE],
    {
      TALEND_API_URL: options.apiUrl,
      TALEND_TOKEN: BENCH_TOKEN,
      ES_URL: options.esUrl,
      INDEX_PREFIX: options.prefix,
      BENCH_WORK_DIR: options.workDir,
    },
    'the reference workflow',
  );
  const { documents, seconds } = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    documents: number;
    seconds: number;
  };
  return {
    documents,
    seconds,
    documentsPerSecond: documents / seconds,
    cpuSeconds: run.cpuSeconds,
    maxRssMB: run.maxRssMB,
    peakHeapMB: run.peakHeapMB,
    peakExternalMB: run.peakExternalMB,
  };
}
