import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { RequestKind, SimulatorOptions } from '../../src/simulator/index.ts';

export interface SimulatorUsage {
  /** CPU seconds the simulator process has used since it started. */
  cpuSeconds: number;
  /** Requests served since it started, of every kind (`download`: files downloaded). */
  requests: Record<RequestKind, number>;
  /** Downloads read from stored files. */
  storedDownloads: number;
}

export interface SimulatorProcess {
  apiUrl: string;
  pid: number;
  usage(): Promise<SimulatorUsage>;
  close(): Promise<void>;
}

const CHILD = fileURLToPath(new URL('./simulator-child.ts', import.meta.url));

/** Starts the Talend API simulator in a child process and waits until it listens. */
export async function startSimulatorProcess(options: SimulatorOptions): Promise<SimulatorProcess> {
  const child: ChildProcess = fork(CHILD, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // Through IPC, not argv: a tenant of thousands of executions is over the kernel's argument limit.
  child.send({ type: 'start', options });
  const exited = once(child, 'exit');
  const [ready] = (await Promise.race([
    once(child, 'message'),
    exited.then(([code]) => {
      throw new Error(`the simulator process exited with code ${String(code)} before listening`);
    }),
  ])) as [{ type: string; apiUrl: string }];
  const usage = async (): Promise<SimulatorUsage> => {
    const answer = once(child, 'message') as Promise<[SimulatorUsage & { type: string }]>;
    child.send({ type: 'usage' });
    const { cpuSeconds, requests, storedDownloads } = (await answer)[0];
    return { cpuSeconds, requests, storedDownloads };
  };
  return {
    apiUrl: ready.apiUrl,
    pid: child.pid!,
    usage,
    async close() {
      if (child.exitCode !== null) return;
      child.send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
