import { readFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Client } from '@elastic/elasticsearch';

export interface Machine {
  date: string;
  cores: number;
  cpu: string;
  memoryGB: number;
  node: string;
  elasticsearch: string;
  elasticsearchHeapMB: number;
  /** 1-minute load average when the run started: the machine is shared, so say how busy it was. */
  loadAverageAtStart: number;
  freeMemoryGBAtStart: number;
}

export async function machineDetails(client: Client): Promise<Machine> {
  const info = await client.info();
  const stats = await client.nodes.stats({ metric: 'jvm' });
  const heap = Object.values(stats.nodes)[0]?.jvm?.mem?.heap_max_in_bytes ?? 0;
  return {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    elasticsearch: info.version.number,
    elasticsearchHeapMB: Math.round(heap / 2 ** 20),
    loadAverageAtStart: Number(loadavg()[0]!.toFixed(2)),
    freeMemoryGBAtStart: Math.round(freemem() / 2 ** 30),
  };
}

/** CPU seconds Elasticsearch has used so far (its single node). */
export async function elasticsearchCpuSeconds(client: Client): Promise<number> {
  const stats = await client.nodes.stats({ metric: 'process' });
  return (Object.values(stats.nodes)[0]?.process?.cpu?.total_in_millis ?? 0) / 1000;
}

/** Cores busy on the whole machine during the next `ms`, from the kernel's CPU times. */
async function busyCores(ms: number): Promise<number> {
  const totals = () =>
    cpus().reduce(
      (sum, cpu) => {
        const { user, nice, sys, irq, idle } = cpu.times;
        return { busy: sum.busy + user + nice + sys + irq, all: sum.all + user + nice + sys + irq + idle };
      },
      { busy: 0, all: 0 },
    );
  const before = totals();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = totals();
  const all = after.all - before.all;
  return all > 0 ? ((after.busy - before.busy) / all) * cpus().length : 0;
}

/** Bytes the kernel has yet to write back to disk, where Linux says (`/proc/meminfo`). */
async function dirtyBytes(): Promise<number> {
  const meminfo = await readFile('/proc/meminfo', 'utf8').catch(() => '');
  const kB = /^Dirty:\s+(\d+) kB$/m.exec(meminfo)?.[1];
  return kB === undefined ? 0 : Number(kB) * 1024;
}

export interface Quiet {
  waitedSeconds: number;
  /** Busy cores in the last second sampled. */
  busyCores: number;
  /** MB still to be written back to disk then. */
  dirtyMB: number;
}

/**
 * Waits until the machine has been quiet for `forSeconds`: after a measurement Elasticsearch goes on
 * merging segments and freeing the indices removed, and on two cores whatever it spends then is
 * taken from the next measurement (parse + enrich alone lost a quarter of its rate to it); files
 * written just before a measurement are still being written back to the disk Elasticsearch syncs
 * its translog to. Gives up after `maxSeconds`, saying how busy the machine still was.
 */
export async function untilQuiet({
  busyBelow = 0.15,
  dirtyBelowMB = 32,
  forSeconds = 2,
  maxSeconds = 120,
} = {}): Promise<Quiet> {
  const started = performance.now();
  let quietSeconds = 0;
  let busy = 0;
  let dirty = 0;
  while (quietSeconds < forSeconds && performance.now() - started < maxSeconds * 1000) {
    busy = await busyCores(1000);
    dirty = (await dirtyBytes()) / 2 ** 20;
    quietSeconds = busy < busyBelow && dirty < dirtyBelowMB ? quietSeconds + 1 : 0;
  }
  return {
    waitedSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    busyCores: Number(busy.toFixed(2)),
    dirtyMB: Math.round(dirty),
  };
}
