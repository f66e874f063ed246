import { cpus, freemem, loadavg, totalmem } from 'node:os';
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
