/**
 * Pinned mode: Elasticsearch on cores of its own, the bench and every process it starts (connector,
 * simulator, reference workflow, the ceiling's sender) on the others, so that what the connector
 * spends is not taken from Elasticsearch and the comparison measures the connector, not the box.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';

export interface PinningPlan {
  elasticsearch: number[];
  bench: number[];
}

/** Elasticsearch gets the first half of the cores rounded down, at least one; the bench the rest. */
export function pinningPlan(cores: number): PinningPlan | undefined {
  if (cores < 2) return undefined;
  const split = Math.max(1, Math.floor(cores / 2));
  const all = Array.from({ length: cores }, (_, core) => core);
  return { elasticsearch: all.slice(0, split), bench: all.slice(split) };
}

export type Pinning =
  | { pinned: true; elasticsearchPid: number; plan: PinningPlan; allCores: number[] }
  | { pinned: false; reason: string };

/** Every thread of process `pid` on `cores` (children started later inherit it). */
function setAffinity(pid: number, cores: readonly number[]): void {
  execFileSync('taskset', ['-a', '-cp', cores.join(','), String(pid)], { stdio: 'ignore' });
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Elasticsearch's pid when it is a process of this machine, else why not. */
async function localElasticsearchPid(client: Client): Promise<number | string> {
  const stats = await client.nodes.info({ metric: 'process' });
  const pid = Object.values(stats.nodes)[0]?.process?.id;
  if (pid === undefined) return 'Elasticsearch did not tell its process id';
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return `Elasticsearch's process ${pid} is not on this machine`;
  }
  return cmdline.includes('elasticsearch') ? pid : `process ${pid} here is not Elasticsearch`;
}

/** Pins Elasticsearch and this process (so everything it starts) apart, where it can; says why not otherwise. */
export async function pinApart(client: Client, cores: number): Promise<Pinning> {
  const plan = pinningPlan(cores);
  if (plan === undefined) return { pinned: false, reason: `${cores} core: nothing to split` };
  if (!hasTaskset()) return { pinned: false, reason: 'taskset is not installed' };
  const pid = await localElasticsearchPid(client);
  if (typeof pid === 'string') return { pinned: false, reason: pid };
  setAffinity(pid, plan.elasticsearch);
  setAffinity(process.pid, plan.bench);
  return { pinned: true, elasticsearchPid: pid, plan, allCores: [...plan.elasticsearch, ...plan.bench] };
}

/** Elasticsearch and this process back on every core. */
export function unpin(pinning: Pinning): void {
  if (!pinning.pinned) return;
  setAffinity(pinning.elasticsearchPid, pinning.allCores);
  setAffinity(process.pid, pinning.allCores);
}
